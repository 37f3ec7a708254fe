"""The explorer: prior, likelihood and posterior live in the browser, computed by thetahat.

``thetahat explore`` starts a local web app (needs the ``explore`` extra:
``pip install "thetahat[explore]"``). Its panels — the coin, every conjugate
pair, n grows, regularisers are priors, your data — ask a JSON API for every
number (``th.fit``, ``th.posterior``, ``th.compare``, ``th.shrink``,
``thetahat.regression``); the page only draws.

>>> from thetahat.explore import create_app        # doctest: +SKIP
>>> app = create_app()                               # an ASGI app (starlette)
>>> with running() as url: ...                       # doctest: +SKIP  (served in a thread)

``import thetahat`` never imports this package (nor starlette).
"""

from __future__ import annotations

try:
    from .server import create_app, running, serve
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installation
    if exc.name not in ("starlette", "uvicorn", "anyio"):
        raise
    raise ModuleNotFoundError(
        f"the explorer needs {exc.name}: pip install 'thetahat[explore]'", name=exc.name
    ) from None

__all__ = ["create_app", "running", "serve"]
