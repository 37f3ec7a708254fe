/*
 * syrk_add: a block's Z' Z added into a Hessian's upper triangle by BLAS dsyrk
 * (beta = 1), with the GIL released.
 *
 * The GLM passes (thetahat.regression._loss) accumulate H += Z_b' Z_b on worker
 * threads. NumPy's matmul releases the GIL but only writes a fresh product (a k x k
 * buffer per worker, then H += T); SciPy's f2py ``dsyrk`` accumulates in place but
 * holds the GIL, so two workers ran one after the other. Calling dsyrk through the
 * function pointer SciPy exports for Cython (``scipy.linalg.cython_blas``, a capsule
 * passed in by the caller: no link-time dependency on any BLAS) does both: in place,
 * without the GIL.
 *
 * syrk_add(dsyrk_capsule, Z, H_t, rows, p, k) -> None
 *     Z: C-contiguous float64, at least rows x p (its first rows rows are used);
 *     H_t: the transpose (a C-contiguous view) of a Fortran-ordered k x k float64
 *     array H, writable, p <= k. Adds Z[:rows]' Z[:rows] to H[:p, :p]'s upper
 *     triangle (Fortran's "U": H[i, j], i <= j); the lower triangle is not touched.
 */
#include "_kernels.h"

#include <limits.h>
#include <string.h>

/* The capsule's name is its C signature, e.g. "void (char *, char *, int *, int *,
   __pyx_t_5scipy_6linalg_11cython_blas_d *, ...)". Each argument is coded c (char *),
   i (int *), d (double *, or Cython's typedef of double, whose name ends in "_d *"),
   ? otherwise; dsyrk's arguments code as "cciiddiddi", dgemm's as "cciiiddididdi". */
#define SIG_MAX 16
static int has_signature(const char *name, const char *want)
{
    char got[SIG_MAX + 1];
    size_t n = 0;
    if (strncmp(name, "void (", 6) != 0) {
        return 0;
    }
    const char *a = name + 6;
    for (;;) {
        const char *end = strpbrk(a, ",)");
        if (end == NULL || n >= SIG_MAX) {
            return 0;
        }
        const size_t len = (size_t)(end - a);
        char code = '?';
        if (len == 6 && strncmp(a, "char *", 6) == 0) {
            code = 'c';
        } else if (len == 5 && strncmp(a, "int *", 5) == 0) {
            code = 'i';
        } else if ((len == 8 && strncmp(a, "double *", 8) == 0) ||
                   (len > 4 && strncmp(end - 4, "_d *", 4) == 0)) {
            code = 'd';
        }
        got[n++] = code;
        if (*end == ')') {
            break;
        }
        a = end + 1;
        while (*a == ' ') {
            a++;
        }
    }
    got[n] = '\0';
    return strcmp(got, want) == 0;
}

dsyrk_t th_dsyrk_from(PyObject *capsule)
{
    if (!PyCapsule_CheckExact(capsule)) {
        PyErr_SetString(PyExc_TypeError, "expected SciPy's dsyrk capsule (scipy.linalg.cython_blas)");
        return NULL;
    }
    const char *name = PyCapsule_GetName(capsule);
    if (name == NULL || !has_signature(name, "cciiddiddi")) {
        PyErr_SetString(PyExc_TypeError, "the capsule is not dsyrk's signature");
        return NULL;
    }
    return (dsyrk_t)PyCapsule_GetPointer(capsule, name);
}

dgemm_t th_dgemm_from(PyObject *capsule)
{
    const char *name = PyCapsule_CheckExact(capsule) ? PyCapsule_GetName(capsule) : NULL;
    if (name == NULL || !has_signature(name, "cciiiddididdi")) {
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError,
                        "expected SciPy's dgemm capsule (scipy.linalg.cython_blas)");
        return NULL;
    }
    return (dgemm_t)PyCapsule_GetPointer(capsule, name);
}

PyObject *th_syrk_add(PyObject *self, PyObject *args)
{
    PyObject *capsule, *zobj, *hobj;
    Py_ssize_t rows, p, k;
    if (!PyArg_ParseTuple(args, "OOOnnn", &capsule, &zobj, &hobj, &rows, &p, &k)) {
        return NULL;
    }
    dsyrk_t dsyrk = th_dsyrk_from(capsule);
    if (dsyrk == NULL) {
        return NULL;
    }
    if (rows < 0 || p < 0 || p > k || k > INT_MAX || rows > INT_MAX) {
        PyErr_SetString(PyExc_ValueError, "syrk_add: need 0 <= rows, 0 <= p <= k < 2^31");
        return NULL;
    }
    Py_buffer z, h;
    if (th_get_float64_buffer(zobj, &z) < 0) {
        return NULL;
    }
    if (PyObject_GetBuffer(hobj, &h, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE | PyBUF_FORMAT) < 0) {
        PyBuffer_Release(&z);
        return NULL;
    }
    if (h.itemsize != 8 || h.len / 8 < k * k || z.len / 8 < rows * p) {
        PyBuffer_Release(&z);
        PyBuffer_Release(&h);
        PyErr_SetString(PyExc_ValueError, "syrk_add: Z or H is smaller than its shape");
        return NULL;
    }
    if (rows > 0 && p > 0) {
        /* Z's memory (rows x p, C order) is Fortran's p x rows matrix A (lda = p), so
           A A' = Z' Z; H's (Fortran order) leading dimension is k */
        int n_ = (int)p, k_ = (int)rows, lda = (int)p, ldc = (int)k;
        double one = 1.0;
        char uplo = 'U', trans = 'N';
        Py_BEGIN_ALLOW_THREADS
        dsyrk(&uplo, &trans, &n_, &k_, &one, (double *)z.buf, &lda, &one, (double *)h.buf, &ldc);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&z);
    PyBuffer_Release(&h);
    Py_RETURN_NONE;
}
