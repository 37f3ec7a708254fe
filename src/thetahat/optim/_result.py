"""The one result shape of a solve: :class:`Status`, :class:`SolverResult`, and
:class:`BatchResult` for many solves run together (a status and message per row)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray

GradHess = tuple[float, NDArray[np.float64], NDArray[np.float64]]


class Status(StrEnum):
    """How a fit ended. A ``str``: ``status == "success"`` holds for the member."""

    #: converged to an interior optimum
    SUCCESS = "success"
    #: the optimum sits on the boundary of the parameter space (or does not exist
    #: inside it): the value is the supremum, its standard error is infinite
    BOUNDARY = "boundary"
    #: the solve did not converge, or produced no usable value
    FAILED = "failed"


@dataclass(frozen=True)
class SolverResult:
    """Outcome of an iterative solve.

    ``status`` is coerced to :class:`Status` and kept honest: a result that did
    not converge, or whose point holds a NaN, is never ``success`` or
    ``boundary`` (it becomes ``failed``). ``hessian`` is the Hessian at ``x``
    where the solver had it.
    """

    x: NDArray[np.float64]
    fun: float
    converged: bool
    status: Status
    message: str
    iterations: int
    hessian: NDArray[np.float64] | None = None
    #: parameters whose supremum lies at the edge of their domain (status "boundary")
    edge: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        status = self.status if type(self.status) is Status else Status(self.status)
        if status is Status.SUCCESS and not self.converged:
            status = Status.FAILED
        elif status is not Status.FAILED:
            # a boundary result may come with converged=False (no maximum inside the
            # space), but never with NaN (a few coordinates: checked as Python floats,
            # numpy's isnan + any cost more than the rest of a small fit's result)
            x = self.x
            if type(x) is not np.ndarray or x.dtype != np.float64:
                x = np.asarray(x, dtype=float)
            if x.size <= 8:
                if any(v != v for v in x.ravel().tolist()):
                    status = Status.FAILED
            elif np.isnan(x).any():
                status = Status.FAILED
        if status is not self.status:
            object.__setattr__(self, "status", status)
        if status is Status.FAILED and self.converged:
            object.__setattr__(self, "converged", False)

    @classmethod
    def _made(
        cls, x: Any, fun: float, converged: bool, status: Status, message: str, iterations: int
    ) -> SolverResult:
        """``cls(x, fun, converged, status, message, iterations)`` without the generated
        frozen ``__init__`` (one ``object.__setattr__`` per field: half the cost of a small
        solve's result, issue 12); ``__post_init__`` runs as the constructor runs it."""
        self = object.__new__(cls)
        fields = self.__dict__
        fields["x"] = (
            x if type(x) is np.ndarray and x.dtype == np.float64 else np.asarray(x, dtype=float)
        )
        fields["fun"] = float(fun)
        fields["converged"] = converged
        fields["status"] = status
        fields["message"] = message
        fields["iterations"] = iterations
        fields["hessian"] = None
        fields["edge"] = ()
        self.__post_init__()
        return self

    @classmethod
    def done(cls, x: Any, fun: float, message: str, iterations: int = 0) -> SolverResult:
        """A converged result (``success``)."""
        return cls._made(x, fun, True, Status.SUCCESS, message, iterations)

    @classmethod
    def failed(cls, x: Any, fun: float, message: str, iterations: int = 0) -> SolverResult:
        """A result that did not converge (``failed``)."""
        return cls._made(x, fun, False, Status.FAILED, message, iterations)

    @classmethod
    def boundary(cls, x: Any, fun: float, message: str, iterations: int = 0) -> SolverResult:
        """The supremum is on the boundary of the parameter space (no interior maximum)."""
        return cls._made(x, fun, False, Status.BOUNDARY, message, iterations)

    @classmethod
    def of(cls, x: Any, fun: float, converged: bool, message: str, iterations: int) -> SolverResult:
        """``success`` or ``failed`` by ``converged``."""
        status = Status.SUCCESS if converged else Status.FAILED
        return cls._made(x, fun, converged, status, message, iterations)


@dataclass(frozen=True)
class BatchResult:
    """Outcome of many independent solves run together (one per group).

    The batched counterpart of :class:`SolverResult`: one row per solve, each
    with its own :class:`Status` and message, kept honest the same way (a row
    that did not converge, or whose point holds a NaN, is ``failed``). Row ``i``
    as a :class:`SolverResult` is ``result[i]``.

    Attributes
    ----------
    x : ndarray, shape (m, k)
        Each solve's point.
    fun : ndarray, shape (m,)
        Each solve's objective value (NaN where the caller computes it).
    converged : ndarray of bool, shape (m,)
    status : ndarray of str, shape (m,)
        Each row's :class:`Status` value (``"success"``, ``"boundary"``, ``"failed"``;
        compare with the members: ``res.status == Status.SUCCESS``).
    message : ndarray of str, shape (m,)
    iterations : ndarray of int, shape (m,)

    Examples
    --------
    >>> import numpy as np
    >>> r = BatchResult.of(np.array([[1.0], [np.nan]]), np.zeros(2), np.array([True, True]),
    ...                    "Newton converged", np.array([3, 4]))
    >>> [str(s) for s in r.status]
    ['success', 'failed']
    >>> r[0].status, len(r)
    (<Status.SUCCESS: 'success'>, 2)
    """

    x: NDArray[np.float64]
    fun: NDArray[np.float64]
    converged: NDArray[np.bool_]
    status: NDArray[np.str_]
    message: NDArray[np.object_]
    iterations: NDArray[np.int64]

    def __post_init__(self) -> None:
        x = np.asarray(self.x, dtype=float).reshape(len(self.fun), -1)
        status = np.asarray(self.status).astype("<U8")
        if not np.isin(status, _STATUS_VALUES).all():
            raise ValueError(f"unknown status values {sorted(set(status.tolist()))}")
        nan = np.isnan(x).any(axis=1) if x.size else np.zeros(len(status), dtype=bool)
        conv = np.asarray(self.converged, dtype=bool)
        bad = (status != Status.FAILED) & (nan | ((status == Status.SUCCESS) & ~conv))
        status[bad] = Status.FAILED
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "converged", conv & (status != Status.FAILED))
        object.__setattr__(self, "message", np.asarray(self.message, dtype=object))
        object.__setattr__(self, "iterations", np.asarray(self.iterations, dtype=np.int64))

    @classmethod
    def of(
        cls,
        x: NDArray[np.float64],
        fun: NDArray[np.float64],
        converged: NDArray[np.bool_],
        message: Any,
        iterations: Any = 0,
    ) -> BatchResult:
        """``success`` or ``failed`` by ``converged``, row by row (``message`` one string
        for all rows or one per row)."""
        conv = np.asarray(converged, dtype=bool)
        m = conv.shape[0]
        status = np.where(conv, Status.SUCCESS.value, Status.FAILED.value)
        msg = np.broadcast_to(np.asarray(message, dtype=object), (m,)).copy()
        its = np.broadcast_to(np.asarray(iterations), (m,)).copy()
        return cls(np.asarray(x, dtype=float), np.asarray(fun, dtype=float), conv, status, msg, its)

    def __len__(self) -> int:
        return int(self.fun.shape[0])

    def __getitem__(self, i: int) -> SolverResult:
        return SolverResult(
            self.x[i], float(self.fun[i]), bool(self.converged[i]), Status(self.status[i]),
            str(self.message[i]), int(self.iterations[i]),
        )  # fmt: skip

    def where(self, rows: NDArray[np.bool_], other: BatchResult) -> BatchResult:
        """This result with ``other``'s rows where ``rows`` holds (same length)."""
        pick = np.asarray(rows, dtype=bool)

        def mix(a: Any, b: Any) -> Any:
            a, b = np.asarray(a), np.asarray(b)
            shape = pick.reshape((-1,) + (1,) * (a.ndim - 1))
            return np.where(shape, b, a)

        return BatchResult(
            mix(self.x, other.x), mix(self.fun, other.fun), mix(self.converged, other.converged),
            mix(self.status, other.status), mix(self.message, other.message),
            mix(self.iterations, other.iterations),
        )  # fmt: skip


_STATUS_VALUES = np.array([s.value for s in Status])

BatchGradHess = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]
