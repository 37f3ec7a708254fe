"""Negative log-likelihoods of generalised linear models, with gradient and Hessian.

Each family gives, for the linear predictor ``eta = X w + b + offset``, the
per-observation negative log-likelihood, its derivative ``r = d nll / d eta``
(``mu - y`` for a canonical link) and the Hessian weight ``v`` (the Fisher weight
``mu'(eta)^2 / V(mu)``; ``d^2 nll / d eta^2`` for a canonical link). The gradient is
``X' W_s r`` and the Hessian ``X' W_s diag(v) X`` (W_s the sample weights), accumulated together
with the nll in one blocked pass over the rows (:func:`fused_pass`, split over
worker threads on large inputs), so memory stays at a few blocks beyond X.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .. import _fastpath
from ..optim import mirror_upper

__all__ = ["LOGISTIC", "POISSON", "Family", "PassResult", "fused_pass", "linear_predictor"]

Array = NDArray[np.float64]
CHUNK = 8192  # at most this many rows per block
MIN_ROWS = 256  # at least this many rows per block (the per-block overhead)
VECTOR_ROWS = 1024  # the per-row vectors at least this long (NumPy's GIL release: > 500)
BLOCK_BYTES = 1 << 19  # a block of X near this size: in L2
HESSIAN_ROWS = 1024  # the Hessian's products over at least this many rows (syrk's efficiency)


class Family(Protocol):
    """What the fused pass asks of a GLM family (a distribution with a link).

    The specialised canonical families below and :class:`~._families.GLMFamily`
    (every distribution x link) implement it.
    """

    @property
    def name(self) -> str: ...

    @property
    def separation(self) -> str | None:
        """The geometry of a non-existent MLE to check for ("logistic", "poisson" or None)."""
        ...

    def nll(self, eta: Array, y: Array) -> Array:
        """Negative log-likelihood per observation (at unit dispersion)."""
        ...

    def mean(self, eta: Array) -> Array:
        """The mean ``mu`` (inverse link)."""
        ...

    def derivatives(self, eta: Array, y: Array, hessian: bool) -> tuple[Array, Array | None]:
        """``r = d nll / d eta`` and the Hessian weight ``v`` (None unless ``hessian``)."""
        ...

    def start(self, ybar: float) -> float:
        """The linear predictor of the constant model at mean ``ybar``."""
        ...


class _Logistic:
    """Bernoulli with the logit link.

    ``nll = log(1 + exp(eta)) - y eta`` (computed as ``max(eta, 0) + log1p(exp(-|eta|))``),
    ``mu = expit(eta)``, ``v = mu (1 - mu)``.
    """

    name = "logistic"
    separation = "logistic"

    def nll(self, eta: Array, y: Array) -> Array:
        # log(1 + e^eta) = max(eta, 0) + log1p(e^-|eta|): stable, and 5x faster than logaddexp
        out = np.log1p(np.exp(-np.abs(eta)))
        out += np.maximum(eta, 0.0)
        out -= y * eta
        return out

    def mean(self, eta: Array) -> Array:
        # 1 / (1 + e^-eta): NumPy's vectorised exp is several times faster than expit;
        # e^-eta = inf (eta < -709) gives exactly 0
        with np.errstate(over="ignore"):
            t = np.exp(-eta)
        t += 1.0
        return np.reciprocal(t, out=t)

    def derivatives(self, eta: Array, y: Array, hessian: bool) -> tuple[Array, Array | None]:
        mu = self.mean(eta)
        return mu - y, (mu * (1.0 - mu) if hessian else None)

    def start(self, ybar: float) -> float:
        q = min(max(ybar, 1e-10), 1 - 1e-10)
        return float(np.log(q / (1.0 - q)))


class _Poisson:
    """Poisson with the log link.

    ``nll = exp(eta) - y eta + log(y!)``, ``mu = exp(eta)``, ``v = mu``.
    """

    name = "poisson"
    separation = "poisson"

    def nll(self, eta: Array, y: Array) -> Array:
        return np.exp(eta) - y * eta + sc.gammaln(y + 1.0)

    def mean(self, eta: Array) -> Array:
        return np.exp(eta)

    def derivatives(self, eta: Array, y: Array, hessian: bool) -> tuple[Array, Array | None]:
        mu = np.exp(eta)
        return mu - y, (mu if hessian else None)

    def start(self, ybar: float) -> float:
        return float(np.log(max(ybar, 1e-10)))


LOGISTIC = _Logistic()
POISSON = _Poisson()


#: a pass's inputs, in :func:`_rows_pass`'s order: family, X, y, sample weights, offset,
#: coefficients, intercept, fit_intercept, the (nll, gradient, Hessian) flags, centre
PassArgs = tuple[
    Family, Array, Array, Array | None, Array | None, Array, float, bool,
    tuple[bool, bool, bool], Array | None,
]  # fmt: skip


@dataclass
class PassResult:
    """What one pass over the rows returns: total nll, gradient, Hessian, max |eta|.

    ``grad`` and ``hess`` are over ``(coef, intercept)`` (intercept last) and are
    None when not asked for; ``nll`` is 0.0 when not asked for.
    """

    nll: float
    grad: Array | None
    hess: Array | None
    eta_max: float  # NaN when some eta was NaN


def nan_max(a: float, b: float) -> float:
    """``max(a, b)``, NaN when either is (Python's ``max`` drops a NaN second argument)."""
    return a if (a != a or a >= b) else b


def merge_passes(parts: list[PassResult]) -> PassResult:
    """The sum of passes over disjoint blocks of rows (``eta_max`` by ``max``, NaN
    propagating), in order."""
    out = parts[0]
    for q in parts[1:]:
        out.nll += q.nll
        if out.grad is not None and q.grad is not None:
            out.grad += q.grad
        if out.hess is not None and q.hess is not None:
            out.hess += q.hess
        out.eta_max = nan_max(out.eta_max, q.eta_max)
    return out


def linear_predictor(X: Array, coef: Array, intercept: float, offset: Array | None) -> Array:
    """``eta = X coef + intercept (+ offset)``."""
    if isinstance(X, np.ndarray):
        eta = X @ coef
    else:  # scipy.sparse: a CSR X's rows over the worker threads
        from ._sparse import sparse_product

        eta = sparse_product(X, coef)
    eta += intercept
    if offset is not None:
        eta += offset
    return eta


def fused_pass(
    family: Family,
    X: Array,
    y: Array,
    sw: Array | None,
    offset: Array | None,
    coef: Array,
    intercept: float,
    fit_intercept: bool,
    *,
    with_nll: bool = True,
    with_grad: bool = True,
    with_hessian: bool = False,
    centre: Array | None = None,
    chunk: int | None = None,
    quiet: bool = False,
    packed: bool = False,
) -> PassResult:
    """Total nll, gradient and Hessian (each optional) in ONE pass over the rows of X.

    This is also the per-block hook for distributed engines: called on any block of
    rows (X, y, weights, offset) at the current coefficients it returns that block's
    nll, gradient and Hessian (``X' W X``) contributions, which add across blocks
    (``PassResult`` fields summed; ``eta_max`` by ``max``).

    Notes
    -----
    Per block of ``chunk`` rows (by default :func:`block_rows`: about 512 KB of X, so the
    block is read from memory once and reused from cache): ``eta_b = X_b w + b``, ``nll +=
    sum_i s_i nll_i(eta_i)``, ``r_b = s_b d nll / d eta``, ``g += [X_b 1]' r_b`` and, for
    the Hessian, ``Z_b = sqrt(s_b v_b) X_b`` with ``H_XX += Z_b' Z_b`` (BLAS ``dsyrk``
    adding into the sums in place, GIL released: ``_fastpath.syrk_add_kernel``; without
    the compiled kernels NumPy's matmul into a reused p x p buffer, over at least
    ``HESSIAN_ROWS`` rows at a time), the intercept's column ``X_b' (s_b v_b)`` and corner
    ``sum s_b v_b`` beside it (``v`` the family's Hessian weight), the upper triangle
    mirrored once after the blocks are added. On large inputs the rows are split over
    worker threads (NumPy and BLAS release the GIL), each accumulating its own sums, added
    in a fixed order so the result does not depend on timing. BLAS is held to one thread
    during the pass: its per-call thread hand-offs on these small blocks cost more than
    they gain, and on a loaded machine they stall
    (a 15,000 x 50 pass took 0.5 s instead of 3 ms with two BLAS threads while
    other processes kept both cores busy).

    With ``centre`` (column values ``m``), each block is centred first
    (``X_b - m``, into a reused buffer) and the coefficients are those of the
    centred columns: ``eta = (X - m) w + b_c``. The gradient and Hessian are then
    taken in those coordinates without the cancellation that transforming the
    uncentred sums would suffer when a column's mean dwarfs its spread.

    For the logistic and Poisson families on a dense float64 X of at most
    ``COMPILED_MAX_P`` columns (rows at any stride: the solver's strided subsample
    too) the pass is the compiled kernel's (:func:`_compiled_parts`,
    ``_kernels_glm.c``): the same sums with each row read once, the family's
    functions in four-lane vectors and no per-block NumPy or BLAS calls, which at
    1e4 x 10 had cost twice the arithmetic. It raises no floating-point warnings, and
    its blocks are its own (``chunk`` is the NumPy route's).

    ``quiet``: no floating-point warnings (the pass that proves X finite, where a NaN
    in X is reported by its own error, not by NumPy's "invalid value" warnings).

    ``packed``: where the compiled pass applies, the Hessian comes in LAPACK's
    rectangular full packed form (a 1-d array of ``k (k + 1) / 2`` values, see
    :mod:`._packed`), from one worker: half a ``k x k`` matrix and one 32-row block,
    where two workers' full sums and blocks would be the pass's memory. Elsewhere the
    request is ignored (a 2-d Hessian, as without it).
    """
    if not isinstance(X, np.ndarray):  # a scipy.sparse X (issue 17): never densified
        from ._sparse import issparse, sparse_pass

        if issparse(X):
            return sparse_pass(
                family, X, y, sw, offset, coef, intercept, fit_intercept,
                with_nll=with_nll, with_grad=with_grad, with_hessian=with_hessian,
            )  # fmt: skip
    flags = (with_nll, with_grad, with_hessian)
    args: PassArgs = (family, X, y, sw, offset, coef, intercept, fit_intercept, flags, centre)
    code = _compiled_family(family, X, coef, centre, (y, sw, offset))
    if code is not None:
        parts = _compiled_parts(code, args, packed and with_hessian)
    else:
        parts = _numpy_parts(args, chunk, quiet)
    out = merge_passes(parts)
    if out.hess is not None and out.hess.ndim == 2:  # the upper triangle: mirror it once
        out.hess = mirror_upper(out.hess)
    return out


#: the compiled pass (``_kernels_glm.c``) for dense X up to this many columns. Measured
#: against the NumPy route (logistic, best of 7, BLAS on one thread in both): its
#: Hessian pass took 0.61-0.80 of the time from 100 to 400 columns at 1e4 rows (0.72 at
#: 1e5 and 1e6 x 200), its gradient pass 0.42-0.76; at 1,000 columns the Hessian pass
#: took 1.11 (dsyrk on 64-row blocks against the NumPy route's blocks of X's size)
COMPILED_MAX_P = 512
#: from this many columns on, the compiled pass adds each block's Hessian by BLAS dsyrk;
#: below, the kernel transposes each block and takes the Hessian as dot products along
#: its columns (``GLM_TP = COMPILED_SYRK_P - 1`` in ``_kernels_glm.c``). Measured
#: (Poisson Hessian pass, best of 800): the transposed pass took 0.55-0.80 of dsyrk's
#: time from 16 to 32 columns at 1e4 rows and 0.70-0.86 at 1e5; at 40 columns 0.72
#: and 0.98, at 48 0.92 and 1.09, at 64 1.01 and 1.17
COMPILED_SYRK_P = 32
#: a worker of the compiled pass gets at least this many row x coefficient products.
#: Measured (Hessian pass, best of 30): at 1e4 x 10 one worker took 419 us and two 552;
#: at 1e4 x 50 one took 2.56 ms and two 2.11
COMPILED_WORK = 1 << 17


def _compiled_family(
    family: Family,
    X: Any,
    coef: Array,
    centre: Array | None,
    per_row: tuple[Any, ...] = (),
) -> int | None:
    """The compiled pass's family code (0 logistic, 1 Poisson) where it applies, else
    None: X a float64 ndarray of at most ``COMPILED_MAX_P`` columns, its rows at a
    positive stride and each row contiguous (a strided subsample qualifies), and the
    ``per_row`` vectors (y, weights, offset; None allowed) float64 ndarrays at a
    positive stride. Anything else (integer counts from a Dask block, say) takes the
    NumPy route, which converts as it reads."""
    kernel = _fastpath.GLM_PASS_KERNEL
    if kernel is None or not isinstance(X, np.ndarray) or X.dtype != np.float64 or X.ndim != 2:
        return None
    if family is LOGISTIC:
        code = 0
    elif family is POISSON:
        code = 1
    else:
        return None
    rs, cs = X.strides
    p = X.shape[1]
    if p > COMPILED_MAX_P or (p > 1 and cs != 8) or (p > 0 and (rs <= 0 or rs % 8)):
        return None
    if coef.dtype != np.float64 or (centre is not None and centre.dtype != np.float64):
        return None
    for v in per_row:
        if v is None:
            continue
        if not isinstance(v, np.ndarray) or v.dtype != np.float64 or v.ndim != 1:
            return None
        if v.shape[0] > 1 and (v.strides[0] <= 0 or v.strides[0] % 8):
            return None
    return code


def _numpy_parts(args: PassArgs, chunk: int | None, quiet: bool) -> list[PassResult]:
    """The NumPy route's per-worker passes (:func:`_rows_pass` over blocks of ``chunk``
    rows; BLAS held to one thread), in row order."""
    X, fit_intercept = args[1], args[7]
    n = X.shape[0]
    workers = _n_workers(n)
    if chunk is None:
        chunk = block_rows(X.shape[1] + int(fit_intercept), n, workers)

    def run(lo: int, hi: int) -> PassResult:
        if not quiet:
            return _rows_pass(*args, lo, hi, chunk)
        with np.errstate(all="ignore"):  # (set in the worker: the state is per thread)
            return _rows_pass(*args, lo, hi, chunk)

    with _blas_one_thread():
        return _fastpath.map_ranges(run, n, workers)


def _compiled_parts(code: int, args: PassArgs, packed: bool = False) -> list[PassResult]:
    """The per-worker passes of :func:`fused_pass` by the compiled kernel
    (``_kernels_glm.c``): each row of X read once, the family's functions in four-lane
    vectors, the Hessian's upper triangle taken below ``COMPILED_SYRK_P`` columns as
    dot products along the columns of each transposed 256-row block, and from there by
    dsyrk on 64-row scaled blocks
    (BLAS then held to one thread where it would split such calls:
    :func:`blas_one_thread_for`). The row ranges go to worker threads of at least
    ``COMPILED_WORK`` row x coefficient products each.

    ``packed``: the Hessian in packed form (:func:`fused_pass`), one array filled by one
    thread, or from ``PACKED_SPLIT_WORK`` on by two over the same rows, each adding its
    own half of the entries (the kernel's ``part``; the second computes no nll or
    gradient)."""
    kernel = _fastpath.GLM_PASS_KERNEL
    assert kernel is not None
    _, X, y, sw, offset, coef, intercept, fit_intercept, flags, centre = args
    n, p = X.shape
    k = p + int(fit_intercept)
    with_nll, with_grad, with_hessian = flags
    bits = int(with_nll) | int(with_grad) << 1 | int(with_hessian) << 2
    c = np.ascontiguousarray(coef)
    m = None if centre is None else np.ascontiguousarray(centre)
    b = float(intercept)
    if packed:
        g = np.zeros(k) if with_grad else None
        P = np.zeros(k * (k + 1) // 2)
        blas = (_fastpath.dsyrk_capsule(), _fastpath.dgemm_capsule())

        def half(part: int) -> tuple[float, float]:
            own = part != 1  # (part 1: the Hessian's other half only)
            out: tuple[float, float] = kernel(
                code, X, y, sw, offset, c, m, b, fit_intercept, bits if own else 4, 0, n,
                g if own else None, P, blas, part,
            )  # fmt: skip
            return out

        if n * k * k >= PACKED_SPLIT_WORK and _fastpath.num_threads() > 1:
            other = _fastpath.executor(2).submit(half, 1)
            nll, emax = half(0)
            other.result()  # (the same rows: the same eta, so the same max |eta|)
        else:
            nll, emax = half(-1)
        return [PassResult(nll if with_nll else 0.0, g, P, emax)]
    syrk = _fastpath.dsyrk_capsule() if with_hessian and p >= COMPILED_SYRK_P else None

    def run(lo: int, hi: int) -> PassResult:
        g = np.zeros(k) if with_grad else None
        H = np.zeros((k, k), order="F") if with_hessian else None
        Ht = None if H is None else H.T  # (the kernel reads the C-ordered view)
        nll, emax = kernel(
            code, X, y, sw, offset, c, m, b, fit_intercept, bits, lo, hi, g, Ht, syrk
        )  # fmt: skip
        return PassResult(nll if with_nll else 0.0, g, H, emax)

    workers = max(1, min(_fastpath.num_threads(), n * max(k, 1) // COMPILED_WORK))
    # BLAS held to one thread only where OpenBLAS would thread the blocks' dsyrk
    with blas_one_thread_for(p if syrk is not None else 0):
        return _fastpath.map_ranges(run, n, workers)


#: a packed Hessian pass is split over two threads from this many row x k^2 products
#: on (each thread all rows, half the Hessian's entries: no second k x k sum).
#: Measured (Poisson, best of 200): split / one thread 1.37 at 150 x 100 (1.5e6
#: products), 0.89 at 300 x 100, 0.77 at 300 x 200, 0.65 at 1e4 x 200
PACKED_SPLIT_WORK = 1 << 21


def _n_workers(n: int) -> int:
    # a worker gets at least 4096 rows: below that, handing work over costs more than it saves
    return max(1, min(_fastpath.num_threads(), n // 4096))


_BLAS: dict[str, Any] = {"depth": 0}
_BLAS_LOCK = threading.Lock()


@contextlib.contextmanager
def _blas_one_thread() -> Iterator[None]:
    """Hold BLAS to one thread while any pass runs (threadpoolctl), process-wide.

    The limit is process-wide, so overlapping passes from several user threads share
    one limit: the first to enter sets it and the last to leave restores the
    original thread count (nested limits, each restoring what it saw on entry,
    would leave BLAS at one thread for good when passes interleave).
    """
    with _BLAS_LOCK:
        if _BLAS["depth"] == 0:
            try:
                from threadpoolctl import ThreadpoolController
            except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
                _BLAS["limit"] = None
            else:
                if "ctl" not in _BLAS:
                    _BLAS["ctl"] = ThreadpoolController()
                _BLAS["limit"] = _BLAS["ctl"].limit(limits=1, user_api="blas")
        _BLAS["depth"] += 1
    try:
        yield
    finally:
        with _BLAS_LOCK:
            _BLAS["depth"] -= 1
            if _BLAS["depth"] == 0 and _BLAS["limit"] is not None:
                _BLAS["limit"].restore_original_limits()
                _BLAS["limit"] = None


#: from this many coefficients on OpenBLAS splits the k x k algebra over threads
#: (measured: dpotrf, an inverse and a 256-row dsyrk ran on one thread up to k = 64 and
#: on two from 65); below it :func:`blas_one_thread_for` sets no limit, which saves
#: threadpoolctl's controller (about 0.15 MB, once) and 30 us per limit and restore
BLAS_LIMIT_MIN_K = 65


def blas_one_thread_for(k: int) -> contextlib.AbstractContextManager[None]:
    """:func:`_blas_one_thread` around the algebra of ``k`` coefficients, or nothing
    where that algebra is too small to be threaded (``BLAS_LIMIT_MIN_K``)."""
    return _blas_one_thread() if k >= BLAS_LIMIT_MIN_K else contextlib.nullcontext()


def block_rows(k: int, n: int, workers: int = 1) -> int:
    """Rows per block of a pass over ``n`` rows of ``k`` coefficients (``workers`` threads).

    A block (``rows x k`` doubles) is held near ``BLOCK_BYTES`` so that it is read from
    memory once and reused from L2; at least ``MIN_ROWS`` rows (below that the
    per-block NumPy calls dominate) and at most ``CHUNK``, and never more than a
    worker's share of the rows. The memory beyond X is then, per worker, the Hessian's
    buffer of ``rows`` rows (``max(rows, HESSIAN_ROWS)`` and a ``p x p`` product
    without the compiled dsyrk), the centring buffer (when the columns are centred), the
    per-row vectors and the ``k x k`` sums, whatever n.
    """
    rows = max(MIN_ROWS, min(CHUNK, BLOCK_BYTES // (8 * max(k, 1))))
    return max(1, min(rows, -(-n // max(workers, 1))))


def _rows_pass(
    family: Family,
    X: Array,
    y: Array,
    sw: Array | None,
    offset: Array | None,
    coef: Array,
    intercept: float,
    fit_intercept: bool,
    flags: tuple[bool, bool, bool],
    centre: Array | None,
    lo: int,
    hi: int,
    chunk: int,
) -> PassResult:
    """:func:`fused_pass` over rows ``lo:hi``.

    The Hessian is accumulated from ``Z_b' Z_b`` (BLAS ``syrk`` without the GIL, in
    place where compiled) on ``Z_b = sqrt(s_b v_b) X_b``, the intercept's column and
    corner from ``X_b' (s_b v_b)`` and ``sum s_b v_b``, and its upper triangle mirrored
    once at the end. Writing the intercept's column into ``Z_b`` (a strided column)
    had cost 8-15% of a Hessian pass (measured at 1e4 and 1e5 x 200 against this
    layout, interleaved, with products through NumPy).
    """
    with_nll, with_grad, with_hessian = flags
    p = X.shape[1]
    k = p + int(fit_intercept)
    rows = min(chunk, hi - lo)
    # the per-row vectors (eta, the derivatives) over at least VECTOR_ROWS rows at a
    # time: NumPy releases the GIL in an elementwise loop only above 500 values, so on
    # blocks of 326 rows (d = 200) the workers' vector work ran one at a time (a
    # 4e5 x 200 gradient pass took as long on two threads as on one).
    outer = rows if centre is not None else max(rows, min(VECTOR_ROWS, hi - lo))
    g = np.zeros(k) if with_grad else None
    H = np.zeros((k, k), order="F") if with_hessian else None
    syrk = _fastpath.syrk_add_kernel() if with_hessian else None
    # The Hessian's products run over ``hrows`` rows at a time. With the compiled
    # dsyrk (adding into H in place) that is one block, Z as large as a block of X:
    # 326 rows against 1,024 at d = 200 made no difference beyond this machine's
    # noise (a Hessian pass at 1e4, 1e5, 1e6 x 200), and it holds Z at 0.5 MB instead
    # of 1.6. Through NumPy's matmul each product goes to T and is added to H after,
    # and over 326 rows that cost 10%: there it is HESSIAN_ROWS rows.
    hrows = rows if syrk is not None else max(rows, HESSIAN_ROWS)
    T = np.empty((p, p), order="F") if with_hessian and syrk is None else None
    Z = np.empty((min(hrows, outer), p)) if with_hessian else None
    buf = np.empty((rows, p)) if centre is not None else None
    total = 0.0
    eta_max = 0.0
    for s in range(lo, hi, outer):
        e = min(s + outer, hi)
        Xc = X[s:e]
        if buf is not None and centre is not None:
            Xc = np.subtract(Xc, centre, out=buf[: e - s])
        eta = Xc @ coef
        eta += intercept
        if offset is not None:
            eta += offset[s:e]
        # the Newton iterations watch max |eta| for separation; a NaN there (kept by
        # nan_max) marks a row of X that is not finite (_data.DeferredFinite)
        eta_max = nan_max(eta_max, float(np.abs(eta).max(initial=0.0)))
        yc = y[s:e]
        wc = None if sw is None else sw[s:e]
        with np.errstate(over="ignore"):
            if with_nll:
                per = family.nll(eta, yc)
                total += float(per.sum() if wc is None else wc @ per)
            if not (with_grad or with_hessian):
                continue
            r, v = family.derivatives(eta, yc, H is not None)
        if g is not None:
            if wc is not None:
                r *= wc
            g[:p] += r @ Xc
            if fit_intercept:
                g[p] += float(r.sum())
        if H is not None and Z is not None and v is not None and k:
            if wc is not None:
                v *= wc
            if fit_intercept:  # the intercept's row and corner: X_b' v and sum v
                H[:p, p] += v @ Xc
                H[p, p] += float(v.sum())
            if not p:
                continue
            sv = np.sqrt(v)
            for a in range(0, e - s, hrows):
                b = min(a + hrows, e - s)
                Zc = Z[: b - a]
                np.multiply(Xc[a:b], sv[a:b, None], out=Zc)
                if syrk is not None:  # H += Zc' Zc in place, by dsyrk without the GIL
                    syrk(Zc, H.T, b - a, p, k)
                else:
                    # without the compiled kernel: NumPy's matmul sees the transposed
                    # operand and calls BLAS syrk with the GIL released, into T; SciPy's
                    # ``dsyrk`` wrapper would accumulate in place but HOLDS the GIL, so the
                    # workers' Hessians ran one after the other (a 4e5 x 200 pass 0.87 s)
                    assert T is not None
                    np.matmul(Zc.T, Zc, out=T)
                    H[:p, :p] += T
    return PassResult(total, g, H, eta_max)  # H: upper triangle only (see fused_pass)
