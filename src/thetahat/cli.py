"""The ``thetahat`` command line."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``thetahat`` command."""
    import argparse

    parser = argparse.ArgumentParser(prog="thetahat", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="MLE vs MAP vs posterior on the coin and a real dataset")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run_text_demo

        run_text_demo()
    return 0


if __name__ == "__main__":
    sys.exit(main())
