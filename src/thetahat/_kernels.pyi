from typing import Any

TABLE: int

def count_stats(x: Any, /) -> tuple[int, float, float]: ...
def centred_sums(x: Any, c: float, /) -> tuple[float, float]: ...
def t_sums(x: Any, w: Any, nu: float, loc: float, scale: float, /) -> tuple[float, ...]: ...
def t_newton(
    x: Any,
    w: Any,
    n: float,
    log_2pi: float,
    z0: Any,
    free: Any,
    fixed: tuple[float, float, float],
    xtol: float,
    tol: float,
    nu_cap: float,
    maxiter: int,
    /,
) -> tuple[
    int, tuple[float, ...] | None, float, int, tuple[float, ...] | None, tuple[float, ...] | None
]: ...
def t_start(x: Any, /) -> tuple[float, float, float, float, float, float] | None: ...
def weibull_profile(
    lx: Any, n: float, ltop: float, k: float, max_passes: int, /
) -> tuple[int, float, float, int, float, tuple[float, ...]]: ...
def weibull_moments(
    x: Any, w: Any, ltop: float, k: float, logged: bool = ..., /
) -> tuple[float, ...]: ...
def beta_sums(x: Any, w: Any, /) -> tuple[int, float, float]: ...
def gamma_walk(y: Any, a: float, c: float, cut: int, F: Any, S: Any, /) -> None: ...
def edf_stats(u: Any, s: Any, /) -> tuple[float, float, float]: ...
def syrk_add(capsule: Any, Z: Any, H_t: Any, rows: int, p: int, k: int, /) -> None: ...
def glm_pass(
    family: int,
    X: Any,
    y: Any,
    w: Any,
    offset: Any,
    coef: Any,
    centre: Any,
    intercept: float,
    fit_intercept: bool,
    flags: int,
    lo: int,
    hi: int,
    g: Any,
    H_t: Any,
    dsyrk: Any,
    /,
) -> tuple[float, float]: ...
