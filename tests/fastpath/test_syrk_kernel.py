"""The compiled in-place ``syrk`` (``_kernels_blas.c``) against NumPy.

A GLM pass adds each block's ``Z' Z`` into its Hessian by BLAS dsyrk through the function
pointer SciPy exports for Cython; it must add exactly the upper triangle of ``H[:p, :p]``
of a Fortran-ordered ``k x k`` H, use only the first ``rows`` rows of its buffer, run two
threads at once (the GIL released), and refuse what it cannot handle.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from thetahat import _fastpath

syrk = _fastpath.syrk_add_kernel()
needs_kernel = pytest.mark.skipif(
    syrk is None, reason="checked by test_kernel_is_built_where_a_compiler_exists"
)


@needs_kernel
@pytest.mark.parametrize(("rows", "p", "k"), [(300, 50, 51), (1, 7, 7), (0, 5, 6), (17, 1, 2)])
def test_adds_the_upper_triangle_in_place(rows: int, p: int, k: int) -> None:
    assert syrk is not None
    rng = np.random.default_rng(rows + p)
    Z = rng.standard_normal((rows + 5, p))  # the buffer longer than the rows used
    H0 = rng.standard_normal((k, k))
    H = np.asfortranarray(H0.copy())
    syrk(Z, H.T, rows, p, k)
    want = H0.copy()
    upper = np.triu(np.ones((p, p), dtype=bool))
    want[:p, :p][upper] += (Z[:rows].T @ Z[:rows])[upper]
    np.testing.assert_allclose(H, want, rtol=1e-13, atol=1e-12)
    assert np.array_equal(np.tril(H[:p, :p], -1), np.tril(H0[:p, :p], -1))  # untouched
    assert np.array_equal(H[p:], H0[p:]) and np.array_equal(H[:, p:], H0[:, p:])


@needs_kernel
def test_two_threads_add_into_their_own_sums() -> None:
    assert syrk is not None
    rng = np.random.default_rng(1)
    Zs = [rng.standard_normal((400, 60)) for _ in range(2)]
    Hs = [np.zeros((61, 61), order="F") for _ in range(2)]

    def work(i: int) -> None:
        for _ in range(20):
            syrk(Zs[i], Hs[i].T, 400, 60, 61)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for Z, H in zip(Zs, Hs, strict=True):
        want = np.triu(20 * Z.T @ Z)
        np.testing.assert_allclose(np.triu(H[:60, :60]), want, rtol=1e-12, atol=1e-13 * want.max())


@needs_kernel
def test_refuses_what_it_cannot_handle() -> None:
    from thetahat import _kernels

    Z = np.ones((4, 3))
    H = np.zeros((4, 4), order="F")
    assert syrk is not None
    with pytest.raises(TypeError, match="dsyrk capsule"):
        _kernels.syrk_add(object(), Z, H.T, 4, 3, 4)
    from scipy.linalg import cython_blas

    for other in ("dgemm", "dsymm", "ssyrk", "zsyrk", "dsyr2k"):  # other signatures
        with pytest.raises(TypeError, match="signature"):
            _kernels.syrk_add(cython_blas.__pyx_capi__[other], Z, H.T, 4, 3, 4)
    with pytest.raises(ValueError, match="smaller than its shape"):
        syrk(Z, H.T, 5, 3, 4)
    with pytest.raises(ValueError, match="p <= k"):
        syrk(Z, H.T, 4, 5, 4)
    with pytest.raises(TypeError, match="float64"):
        syrk(Z.astype(np.float32), H.T, 4, 3, 4)
    with pytest.raises(ValueError, match="read-only"):
        H.flags.writeable = False
        syrk(Z, H.T, 4, 3, 4)
