"""The explorer's web server: a starlette ASGI app served by uvicorn on loopback.

Why starlette + uvicorn: the explorer needs a handful of JSON routes and static
files, nothing more. Starlette is the small, well-kept ASGI toolkit for exactly
that (routing, static files from a package, middleware, a test client), without
the ORM, templating or schema layer of bigger frameworks (FastAPI would add
pydantic, and our validation writes its own one-line messages); uvicorn is the
reference ASGI server. The standard library's ``http.server`` has no routing,
no streaming body limits and no test client.

Safety
------
* binds 127.0.0.1 by default, and only answers requests whose Host header is a
  loopback name (or the host it was told to bind), against DNS rebinding;
* POST bodies must be JSON (``Content-Type: application/json``, which a
  cross-site form cannot send without a CORS preflight that is never granted)
  and at most :data:`MAX_BODY` bytes, counted while reading;
* every field is validated (see ``_validate``): a bad request is a ``400`` with
  ``{"error": "<one line>"}``, never a traceback, and the server keeps serving;
* computations run one at a time, with sizes capped before they start: the
  sliders' small ones on the event loop, the data panel's in a worker thread; a
  request that waits over :data:`BUSY_WAIT_S` for its turn is a ``503``;
* nothing is written to disk: uploads arrive as the request body and stay in memory.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
import traceback
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from importlib import resources
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import bayes, data, regress
from ._validate import ApiError

__all__ = ["MAX_BODY", "create_app", "running", "serve"]

#: the largest request body (a 2 MB CSV posted as JSON, with room for escaping)
MAX_BODY = 6_000_000
#: how long a request may wait for the computation before it is refused
BUSY_WAIT_S = 20.0
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")

_SECURITY_HEADERS = {
    # everything from this server: no CDN, no network, no inline script
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

Handler = Callable[[dict[str, Any]], dict[str, Any]]

#: one computation at a time: bounds CPU use, and makes recording warnings safe
#: (``warnings.catch_warnings`` changes process-wide state)
_COMPUTE = threading.Lock()
#: set while no warm-up runs: a request waits for the warm-up (slow on a loaded
#: machine) without that wait counting against :data:`BUSY_WAIT_S`
_WARM = threading.Event()
_WARM.set()
#: the longest a request waits for the start-up warm-up
WARM_WAIT_S = 300.0


def _one_line(message: str) -> str:
    return " ".join(message.split()) or "bad request"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": _one_line(message)}, status_code=status, headers=_SECURITY_HEADERS
    )


def _compute(fn: Handler, body: dict[str, Any]) -> dict[str, Any]:
    """Run one handler under the lock (waiting for it), in a worker thread."""
    _WARM.wait(timeout=WARM_WAIT_S)
    if not _COMPUTE.acquire(timeout=BUSY_WAIT_S):
        raise ApiError("the explorer is busy with other requests; try again", status=503)
    return _run_locked(fn, body)


def _run_locked(fn: Handler, body: dict[str, Any]) -> dict[str, Any]:
    """Run a handler with the lock held (releases it), collecting thetahat's warnings."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = fn(body)
    finally:
        _COMPUTE.release()
    seen = [str(w) for w in out.get("warnings", []) if w]
    said = [str(n) for n in out.get("notes", [])]  # notes already name the warning's source
    for w in caught:
        msg = _one_line(str(w.message))
        if msg not in seen and not any(msg in n for n in said):
            seen.append(msg)
    out["warnings"] = seen
    return out


async def _read_json(request: Request) -> dict[str, Any]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise ApiError(
            f"the body must be JSON (Content-Type: application/json), got {ctype!r}", 415
        )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiError(f"the request is {int(declared)} bytes; the limit is {MAX_BODY}", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise ApiError(f"the request is over the limit of {MAX_BODY} bytes", 413)
        chunks.append(chunk)
    try:
        body = json.loads(b"".join(chunks) or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(f"the body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError(f"the body must be a JSON object, got {type(body).__name__}")
    return body


async def _respond(fn: Handler, body: dict[str, Any], inline: bool = False) -> Response:
    try:
        if inline and _COMPUTE.acquire(blocking=False):
            # a slider's request (bounded to milliseconds by the input limits) runs on
            # the event loop: handing it to a worker thread and back costs more than
            # the computation on a busy machine (benchmarks/RESULTS.md, explorer)
            out = _run_locked(fn, body)
        else:
            out = await anyio.to_thread.run_sync(_compute, fn, body)
    except ApiError as exc:
        return _error(exc.status, str(exc))
    except (ValueError, TypeError) as exc:  # thetahat's messages for bad input
        return _error(400, str(exc) or type(exc).__name__)
    except Exception as exc:  # a bug: one line to the page, the traceback to the log
        traceback.print_exc(file=sys.stderr)
        return _error(500, f"internal error ({type(exc).__name__}): {exc}")
    return JSONResponse(out, headers=_SECURITY_HEADERS)


def _post(fn: Handler, inline: bool = False) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        try:
            body = await _read_json(request)
        except ApiError as exc:
            return _error(exc.status, str(exc))
        return await _respond(fn, body, inline)

    return endpoint


async def _catalog(request: Request) -> Response:
    return await _respond(
        lambda _: {
            "pairs": bayes.pairs_catalog(),
            "data": data.catalog(),
            "regression": {"datasets": list(regress.DATASETS), "range": regress.WIDTH_RANGE},
            "version": _version(),
        },
        {},
    )


async def _example(request: Request) -> Response:
    name = str(request.path_params["name"])
    return await _respond(lambda _: data.example(name), {})


def _version() -> str:
    from .. import __version__

    return __version__


def _static_text(name: str) -> str:
    return (resources.files("thetahat.explore") / "static" / name).read_text(encoding="utf-8")


async def _index(request: Request) -> Response:
    return HTMLResponse(_static_text("index.html"), headers=_SECURITY_HEADERS)


async def _not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
    if status == 404:
        detail = f"no such page: {request.url.path}"
    elif status == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    return _error(status, str(detail))


def _warm_up() -> None:
    # scikit-learn's import and the default lasso path take seconds the first time:
    # pay them while the page loads, not on the first slider move
    try:
        with contextlib.suppress(Exception), _COMPUTE, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            regress.regularise({"prior": "laplace", "width": 0.01})
            regress.regularise({"prior": "normal", "width": 0.01})
    finally:
        _WARM.set()


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    _WARM.clear()
    threading.Thread(target=_warm_up, name="thetahat-explore-warmup", daemon=True).start()
    yield


def create_app(allowed_hosts: list[str] | None = None) -> Starlette:
    """The explorer as an ASGI app (``allowed_hosts``: Host names it answers; loopback).

    Examples
    --------
    >>> from starlette.testclient import TestClient
    >>> from thetahat.explore import create_app
    >>> client = TestClient(create_app(), base_url="http://127.0.0.1")
    >>> client.get("/").status_code
    200
    """
    routes = [
        Route("/", _index),
        Route("/api/catalog", _catalog),
        # the panels' sliders: small, bounded computations, run on the event loop
        Route("/api/coin", _post(bayes.coin, inline=True), methods=["POST"]),
        Route("/api/conjugate", _post(bayes.conjugate, inline=True), methods=["POST"]),
        Route("/api/grow", _post(bayes.grow, inline=True), methods=["POST"]),
        Route("/api/regularise", _post(regress.regularise, inline=True), methods=["POST"]),
        # data of any size up to the limits: in a worker thread, the loop stays free
        Route("/api/data/parse", _post(data.parse), methods=["POST"]),
        Route("/api/data/fit", _post(data.fit), methods=["POST"]),
        Route("/api/data/compare", _post(data.compare), methods=["POST"]),
        Route("/api/data/shrink", _post(data.shrink), methods=["POST"]),
        Route("/api/data/example/{name}", _example),
        Mount("/static", StaticFiles(packages=[("thetahat.explore", "static")]), name="static"),
    ]
    hosts = list(LOOPBACK) if allowed_hosts is None else allowed_hosts
    return Starlette(
        routes=routes,
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)],
        exception_handlers={404: _not_found, 405: _not_found},
        lifespan=_lifespan,
    )


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port); port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say they are TCP;
    # without it Nagle + delayed ACK add 40 ms to every response sent in two writes
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    """The http URL a bound socket serves."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


@contextlib.contextmanager
def running(host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """The explorer served from a background thread while the block runs; yields its URL.

    For notebooks, tests and benchmarks: ``with running() as url: ...``.

    Examples
    --------
    >>> import urllib.request
    >>> from thetahat.explore import running
    >>> with running() as url:
    ...     status = urllib.request.urlopen(url).status
    ...
    >>> status
    200
    """
    import uvicorn

    sock = bind(host, port)
    allowed = [*LOOPBACK, host] if host not in ("0.0.0.0", "::") else ["*"]
    server = uvicorn.Server(uvicorn.Config(create_app(allowed), log_level="warning"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="thetahat-explore", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            sock.close()
            raise RuntimeError("the explorer's server did not start")
        time.sleep(0.02)
    try:
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    open_browser: bool = True,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the explorer until interrupted (Ctrl-C); opens the page in the browser.

    Examples
    --------
    ``serve`` blocks until interrupted, so it is not run here; :func:`running`
    serves the same app from a thread for the length of a ``with`` block.

    >>> from thetahat.explore import serve
    >>> serve(port=8765, open_browser=False)  # doctest: +SKIP
    """
    import uvicorn

    sock = bind(host, port)
    url = url_of(sock)
    allowed = [*LOOPBACK, host] if host not in ("0.0.0.0", "::") else ["*"]
    config = uvicorn.Config(create_app(allowed), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    if on_ready is not None:
        on_ready(url)
    if open_browser:
        import webbrowser

        # the socket already listens, so the browser's request waits for the loop
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    server.run(sockets=[sock])
