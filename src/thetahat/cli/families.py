"""``thetahat families``: the distributions, their parameters, support and conjugate priors."""

from __future__ import annotations

from typing import Any

import click

from ._output import FORMATS, SCHEMA_VERSION, echo_csv, echo_json, echo_table

__all__ = ["families_json", "register"]


def families_json() -> list[dict[str, Any]]:
    """One record per distribution class: parameters, support, conjugate priors."""
    from ..conjugacy import conjugate_priors
    from ..io import distribution_classes
    from .compare import can_fit

    out = []
    for name, cls in distribution_classes().items():
        out.append(
            {
                "name": name,
                "kind": "discrete" if cls.discrete else "continuous",
                "support": cls.support_text,
                "parameters": [
                    {"name": p.name, "domain": p.domain.describe(), "doc": p.doc}
                    for p in cls._params
                ],
                "fittable": can_fit(cls),
                "conjugate_priors": conjugate_priors(cls),
            }
        )
    return out


def register(group: click.Group) -> None:
    """Add ``families`` to ``group``."""

    @group.command("families")
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
    def families_command(fmt: str) -> None:
        """List the distributions: parameters, data support and conjugate priors."""
        records = families_json()
        if fmt == "json":
            echo_json(
                {
                    "schema": "thetahat/families",
                    "schema_version": SCHEMA_VERSION,
                    "families": records,
                }
            )
            return
        rows = [
            [
                r["name"],
                ", ".join(f"{p['name']} ({p['domain']})" for p in r["parameters"]) or "-",
                f"{r['kind']}: {r['support']}",
                "; ".join(r["conjugate_priors"]) or "-",
            ]
            for r in records
        ]
        if fmt == "csv":
            echo_csv(["family", "parameters", "support", "conjugate_priors"], rows)
            return
        echo_table(
            "thetahat families (names are case-insensitive in --family and prior SPECs)",
            ["family", "parameters", "support", "conjugate priors"],
            rows,
        )
