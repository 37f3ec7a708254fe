"""Figures of thetahat fits (matplotlib, imported lazily; every function returns its Figure).

* :func:`posterior`: prior, likelihood and posterior of one parameter, with MLE,
  MAP and posterior mean marked and the credible interval shaded;
* :func:`convergence`: MLE and MAP as the sample grows, the prior's pull shrinking
  like ``1/n``;
* :func:`fit`: the data with the fitted density or pmf, and a QQ plot;
* :func:`profile`: the profile log-likelihood of one parameter with its interval;
* :func:`compare`: several fitted families over one data set (density, cdf, Q-Q,
  P-P; censored data through Turnbull's NPMLE), and :func:`diagnostics`, the
  2 x 2 panel of one fit.
* :func:`ab_test`: two arms' posteriors with P(B > A) and the expected losses.

Every function takes ``ax=`` (an Axes, or a pair of Axes for the two-panel
``fit``, ``convergence`` and ``regularization_path``) to draw into a figure of
yours, and returns the Figure; without ``ax`` it makes a new pyplot figure, so
``plt.show()`` shows it and ``fig.savefig("out.png")`` saves it (close it with
``plt.close(fig)`` when making many).  ``import thetahat`` does not import
matplotlib: ``th.plot`` loads on first use (the ``plot`` extra,
``pip install "thetahat[plot]"``).
Artists carry ids (``artist.get_gid()``: "prior", "likelihood", "posterior",
"mle", "map", "mean", "interval", ...) so programs and tests can find them.
"""

from ._compare import compare, diagnostics
from ._convergence import convergence
from ._decision import ab_test
from ._fit import fit
from ._posterior import posterior
from ._profile import profile
from ._regression import regularization_path
from ._shrinkage import shrinkage

__all__ = [
    "ab_test",
    "compare",
    "convergence",
    "diagnostics",
    "fit",
    "posterior",
    "profile",
    "regularization_path",
    "shrinkage",
]
