"""The ``thetahat`` command line (click; rich tables).

Commands: ``fit``, ``posterior``, ``compare``, ``families`` and ``demo``; run
``thetahat COMMAND --help`` for each.  ``thetahat`` and ``python -m thetahat``
are the same program.

Errors
------
User errors (a missing file, an unknown family or column, bad data, a bad prior
SPEC, a bad option) print **one line** ``thetahat: error: ...`` on stderr and
exit with code 2.  ``--debug`` (or ``THETAHAT_DEBUG=1``) prints the traceback
as well.  Commands signal user errors by raising ``ValueError``, ``TypeError``,
``FileNotFoundError`` or any ``click.ClickException``; anything else is a bug and
exits 1 with its traceback.

Adding commands
---------------
Each command lives in a module that exposes ``register(group: click.Group)``,
which adds its command(s) to the group.  The modules named in
:data:`_COMMAND_MODULES` are imported with :mod:`importlib` when the group is
built; a module that is not installed (``ModuleNotFoundError`` for that very
module) is skipped, so optional parts (regression, shrinkage) join the CLI as
soon as they exist.  To add one, write::

    # src/thetahat/inference/_shrink_cli.py
    import click

    def register(group: click.Group) -> None:
        @group.command("shrink")
        @click.argument("source")
        def shrink(source: str) -> None:
            ...

and append ``"thetahat.inference._shrink_cli"`` to :data:`_COMMAND_MODULES`.
Keep such modules light at import time (click only; import numpy-heavy code
inside the command), because ``thetahat --help`` imports them all.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Sequence

import click

__all__ = ["USER_ERRORS", "build_group", "cli", "main"]

#: modules whose ``register(group)`` adds commands, in ``--help`` order
_COMMAND_MODULES: list[str] = [
    "thetahat.cli._fit",
    "thetahat.cli._compare",
    "thetahat.cli._misc",
    "thetahat.cli_regress",
    "thetahat.cli_shrink",
    "thetahat.cli._derive",
]

#: exception types reported as one-line user errors (exit code 2)
USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, TypeError, FileNotFoundError)


class _Group(click.Group):
    """A group that lists commands in registration order."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


def build_group(modules: Sequence[str] | None = None) -> click.Group:
    """The ``thetahat`` click group with the commands of ``modules`` registered."""
    from .. import __version__

    @click.group(
        cls=_Group,
        invoke_without_command=True,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    )
    @click.option("-q", "--quiet", is_flag=True, help="No progress bar and no warnings on stderr.")
    @click.option("--debug", is_flag=True, help="Show the traceback of errors.")
    @click.version_option(__version__, prog_name="thetahat")
    @click.pass_context
    def group(ctx: click.Context, quiet: bool, debug: bool) -> None:
        """thetahat: estimate parameters along MLE -> MAP -> posterior.

        \b
        Examples:
          thetahat fit data.csv --family gamma
          thetahat fit - --family bernoulli --prior 'beta(2, 2)' < flips.txt
          thetahat posterior counts.csv --family poisson --prior 'gamma(2, 0.2)'
          thetahat compare data.parquet --families gamma,exponential,normal
          thetahat families
          thetahat demo --out report/
        """
        ctx.ensure_object(dict)
        ctx.obj["quiet"] = quiet
        ctx.obj["debug"] = debug
        if ctx.invoked_subcommand is None:
            click.echo(ctx.get_help())

    for name in _COMMAND_MODULES if modules is None else modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and name.startswith(exc.name):
                continue  # an optional part not installed (yet)
            raise
        module.register(group)
    return group


cli = build_group()


def _one_line(message: str) -> str:
    return " ".join(part.strip() for part in message.strip().splitlines() if part.strip())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``thetahat`` command and return its exit code.

    User errors become one line on stderr and exit code 2 (see the module
    docstring); ``--debug`` anywhere on the command line adds the traceback.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("THETAHAT_DEBUG", "") not in ("", "0")
    try:
        rv = cli.main(args=args, prog_name="thetahat", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("thetahat: aborted", err=True)
        return 1
    except click.ClickException as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"thetahat: error: {_one_line(exc.format_message())}", err=True)
        return 2
    except USER_ERRORS as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"thetahat: error: {_one_line(str(exc)) or type(exc).__name__}", err=True)
        return 2
    except BrokenPipeError:
        return 1
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())
