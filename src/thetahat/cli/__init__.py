"""The ``thetahat`` command line (click; rich tables).

Commands: ``fit``, ``posterior``, ``compare``, ``regress``, ``shrink``,
``families`` and ``demo``; run ``thetahat COMMAND --help`` for each.
``thetahat`` and ``python -m thetahat`` are the same program.  Every command
reads its input through :mod:`thetahat.io` (one table reader, one SPEC grammar).

Errors
------
User errors (a missing file, an unknown family or column, bad data, a bad prior
SPEC, a bad option) print **one line** ``thetahat: error: ...`` on stderr and
exit with code 2.  ``--debug`` (or ``THETAHAT_DEBUG=1``) prints the traceback
as well.  Commands signal user errors by raising ``ValueError``, ``TypeError``,
``FileNotFoundError`` or any ``click.ClickException``; a missing optional
dependency is reported with the extra that installs it
(``pip install "thetahat[frames]"``); anything else is a bug and exits 1 with
its traceback.
The group's options (``-q``/``--quiet``, ``--debug``) may stand before or after
the command name.

Adding commands
---------------
Each command is a module in this package exposing ``register(group)``, which
adds its command(s) to the click group; :data:`COMMANDS` lists the modules in
``--help`` order.  To add one, write ``src/thetahat/cli/NAME.py``::

    import click

    def register(group: click.Group) -> None:
        @group.command("NAME")
        @click.argument("source")
        def name_command(source: str) -> None:
            ...

and add ``"NAME"`` to :data:`COMMANDS` (one line).  Keep such modules light at
import time (click only; import numpy-heavy code inside the command), because
``thetahat --help`` imports them all.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Sequence

import click

from .._optional import MissingExtraError, missing_extra

__all__ = ["COMMANDS", "USER_ERRORS", "build_group", "cli", "main"]

#: command modules of this package (``register(group)`` each), in ``--help`` order
COMMANDS: list[str] = [
    "fit",
    "compare",
    "regress",
    "shrink",
    "families",
    "demo",
    "explore",
    "derive",
]

#: exception types reported as one-line user errors (exit code 2)
USER_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    TypeError,
    FileNotFoundError,
    MissingExtraError,
)
#: the group's own flags, accepted before or after the command name
_GROUP_FLAGS = ("-q", "--quiet", "--debug")


class _Group(click.Group):
    """A group that lists commands in registration order."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


def build_group(modules: Sequence[str] | None = None) -> click.Group:
    """The ``thetahat`` click group with the commands of ``modules`` registered.

    ``modules`` are names in this package (:data:`COMMANDS` by default) or full
    module names; a module that is not there is skipped.
    """
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
          thetahat regress data.csv --target y --prior 'laplace(0, 0.1)'
          thetahat shrink ads.csv --successes clicks --trials views --group ad
          thetahat families
          thetahat demo --out report/

        Options may come before or after the command name.
        """
        ctx.ensure_object(dict)
        ctx.obj["quiet"] = quiet
        ctx.obj["debug"] = debug
        if ctx.invoked_subcommand is None:
            click.echo(ctx.get_help())

    for name in COMMANDS if modules is None else modules:
        full = name if "." in name else f"{__name__}.{name}"
        try:
            module = importlib.import_module(full)
        except ModuleNotFoundError as exc:
            if exc.name is not None and full.startswith(exc.name):
                continue  # not there (a command of another build)
            raise
        module.register(group)
    return group


cli = build_group()


def _one_line(message: str) -> str:
    return " ".join(part.strip() for part in message.strip().splitlines() if part.strip())


def _group_flags_first(args: list[str]) -> list[str]:
    """Move the group's flags (``-q``, ``--debug``) given after the command name to the front.

    Options of a command given before its name (``thetahat --format json fit x.csv``)
    move after it, so options work on either side of the command.  Nothing after
    ``--`` moves.
    """
    stop = args.index("--") if "--" in args else len(args)
    head, tail = args[:stop], args[stop:]
    commands = set(cli.commands)
    pos = next((i for i, a in enumerate(head) if a in commands), None)
    if pos is None:
        return args
    before, name, after = head[:pos], head[pos], head[pos + 1 :]
    flags = [a for a in before + after if a in _GROUP_FLAGS]
    moved = [a for a in before if a not in _GROUP_FLAGS and a not in _TOP_ONLY]
    top = [a for a in before if a in _TOP_ONLY]
    rest = [a for a in after if a not in _GROUP_FLAGS]
    return [*flags, *top, name, *moved, *rest, *tail]


#: options that belong to the group alone (never moved to a command)
_TOP_ONLY = ("--version", "-h", "--help")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``thetahat`` command and return its exit code.

    User errors become one line on stderr and exit code 2 (see the module
    docstring); ``--debug`` anywhere on the command line adds the traceback.
    """
    args = _group_flags_first(list(sys.argv[1:] if argv is None else argv))
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
    except ModuleNotFoundError as exc:
        extra = missing_extra(exc)
        if extra is None:
            raise
        if debug:
            traceback.print_exc()
        click.echo(f"thetahat: error: {extra}", err=True)
        return 2
    except BrokenPipeError:
        return 1
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())
