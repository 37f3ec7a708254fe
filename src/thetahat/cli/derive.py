"""``thetahat derive``: derivations by SymPy, and the interview drill."""

from __future__ import annotations

import click

__all__ = ["register"]

_FAMILY_HELP = (
    "bernoulli, binomial, categorical, multinomial, poisson, geometric, exponential, normal; "
    "or a regression: ols, ridge, lasso, logistic"
)


def register(group: click.Group) -> None:
    """Add ``derive`` to ``group``."""

    @group.command("derive")
    @click.argument("family", required=False, metavar="FAMILY")
    @click.option(
        "-p",
        "--prior",
        default=None,
        metavar="PRIOR",
        help="A conjugate prior: beta, dirichlet, gamma, normal, inverse-gamma, "
        "normal-inverse-gamma (symbolic), or a SPEC with numbers such as 'beta(2, 2)'.",
    )
    @click.option(
        "--free",
        default=None,
        metavar="NAMES",
        help="Parameters to estimate, comma-separated (normal: mu, sigma or mu,sigma).",
    )
    @click.option(
        "--classes",
        type=int,
        default=None,
        help="K for categorical/multinomial (default: the Dirichlet prior's, else 3).",
    )
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "markdown", "latex"]),
        default="text",
        show_default=True,
    )
    @click.option(
        "--drill", is_flag=True, help="The interview drill: questions, derivations, traps."
    )
    def derive_command(
        family: str | None,
        prior: str | None,
        free: str | None,
        classes: int | None,
        fmt: str,
        drill: bool,
    ) -> None:
        """Derive MLE, information, bias, MAP and posterior of FAMILY step by step (SymPy).

        \b
        FAMILY: bernoulli, binomial, categorical, multinomial, poisson, geometric,
        exponential, normal; or ols, ridge, lasso, logistic.
        \b
        Examples:
          thetahat derive bernoulli --prior beta
          thetahat derive normal --free sigma --prior inverse-gamma --format latex
          thetahat derive poisson --prior 'gamma(2, 1)' --format markdown
          thetahat derive ridge
          thetahat derive --drill
        """
        try:
            from .. import derive as dv
        except ImportError as exc:
            raise click.ClickException(str(exc)) from None
        if drill:
            if family is not None or prior is not None:
                raise click.UsageError("--drill takes no FAMILY or --prior")
            click.echo(dv.drill(fmt))
            return
        if family is None:
            raise click.UsageError(f"give a FAMILY ({_FAMILY_HELP}) or --drill")
        key = family.strip().lower()
        if key in dv.REGRESSIONS:
            if prior is not None or free is not None:
                raise click.UsageError(f"{key} takes no --prior or --free (its prior is built in)")
            click.echo(dv.regression(key).render(fmt))
            return
        prior_arg: object = prior
        if prior is not None and "(" in prior:
            from ..io import parse_distribution

            prior_arg = parse_distribution(prior)
        result = dv.derive(key, prior_arg, free=free, classes=classes)
        click.echo(result.render(fmt))
