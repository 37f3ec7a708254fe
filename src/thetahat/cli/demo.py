"""``thetahat demo``: MLE vs MAP vs posterior on bundled data, and an HTML report."""

from __future__ import annotations

import click

__all__ = ["register"]


def register(group: click.Group) -> None:
    """Add ``demo`` to ``group``."""

    @group.command("demo")
    @click.option(
        "--out",
        "out",
        default="thetahat-report",
        show_default=True,
        metavar="DIR",
        help="Directory for the HTML report.",
    )
    @click.option("--no-report", is_flag=True, help="Print the text tables only.")
    def demo_command(out: str, no_report: bool) -> None:
        """MLE vs MAP vs posterior: text tables, and a self-contained HTML report in DIR."""
        from ..demo import run_text_demo, write_report

        run_text_demo(click.echo)
        if not no_report:
            from ._output import use_agg

            use_agg()
            path = write_report(out)
            click.echo(f"\nreport: {path}")
