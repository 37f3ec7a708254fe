"""``python -m thetahat`` and the ``thetahat`` command: the CLI, or which extra to install."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> int:
    """Run the command line; without its extra, say how to install it (exit code 2)."""
    try:
        from .cli import main as cli_main
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("click", "rich"):
            raise
        print(
            f"thetahat: error: the command line needs {exc.name}, which is not installed: "
            'pip install "thetahat[cli]"',
            file=sys.stderr,
        )
        return 2
    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
