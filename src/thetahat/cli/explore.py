"""``thetahat explore``: the local web explorer (needs the ``explore`` extra).

Only click is imported here; the server (starlette, uvicorn) loads when the
command runs, so ``thetahat --help`` stays light.
"""

from __future__ import annotations

import click

__all__ = ["register"]

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def register(group: click.Group) -> None:
    """Add the ``explore`` command to ``group``."""

    @group.command("explore")
    @click.option(
        "--port",
        default=8765,
        show_default=True,
        type=click.IntRange(0, 65535),
        help="Port to listen on (0: any free port).",
    )
    @click.option(
        "--host",
        default="127.0.0.1",
        show_default=True,
        help="Address to bind. Anything but loopback exposes the explorer to the network.",
    )
    @click.option("--no-browser", is_flag=True, help="Do not open the page in a browser.")
    @click.pass_context
    def explore(ctx: click.Context, port: int, host: str, no_browser: bool) -> None:
        """Start the explorer: prior, likelihood and posterior, live in the browser.

        \b
        Panels: the coin (Beta-Bernoulli), every conjugate pair, n grows,
        regularisers are priors, and your own data (paste or upload a CSV).
        All numbers come from thetahat through a local JSON API; nothing leaves
        this machine. Stop it with Ctrl-C.
        """
        try:
            from ..explore import serve
        except ModuleNotFoundError as exc:
            raise click.ClickException(
                f"the explorer needs {exc.name}: pip install 'thetahat[explore]'"
            ) from None
        if host not in _LOOPBACK:
            click.echo(
                f"thetahat: warning: listening on {host}: other machines can reach the explorer",
                err=True,
            )

        def ready(url: str) -> None:
            click.echo(f"thetahat explorer on {url}  (Ctrl-C stops it)", err=False)

        try:
            serve(host, port, open_browser=not no_browser, on_ready=ready)
        except OSError as exc:
            raise click.ClickException(f"{exc} (--port 0 picks a free port)") from None
        except KeyboardInterrupt:
            pass
