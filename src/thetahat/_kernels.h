/* Shared helpers of thetahat's optional compiled kernels (_kernels.c, _kernels_fit.c). */
#ifndef THETAHAT_KERNELS_H
#define THETAHAT_KERNELS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

/* A C-contiguous float64 buffer of native byte order, else TypeError (-1). */
int th_get_float64_buffer(PyObject *obj, Py_buffer *view);
/* 1 when a buffer (got with PyBUF_FORMAT) holds float64 of native byte order */
int th_is_float64(const Py_buffer *view);

/* running sum with Neumaier's compensation */
typedef struct {
    double sum, comp;
} kahan_t;

static inline void kahan_add(kahan_t *k, double v)
{
    const double t = k->sum + v;
    if (!isfinite(t)) {
        /* overflow, inf or NaN: keep what plain summation gives (inf stays inf; the
           compensation term would turn it into inf - inf = NaN) */
        k->sum = t;
        k->comp = 0.0;
        return;
    }
    if (fabs(k->sum) >= fabs(v)) {
        k->comp += (k->sum - t) + v;
    } else {
        k->comp += (v - t) + k->sum;
    }
    k->sum = t;
}

static inline double kahan_value(const kahan_t *k)
{
    return k->sum + k->comp;
}

PyObject *th_t_sums(PyObject *self, PyObject *args);
void th_t_sums_raw(const double *x, const double *w, Py_ssize_t n, double nu, double loc,
                   double scale, double *out);
PyObject *th_t_newton(PyObject *self, PyObject *args);
void th_weibull_moments_raw(const double *x, Py_ssize_t n, double ltop, double k, double *out);
PyObject *th_weibull_profile(PyObject *self, PyObject *args);
PyObject *th_t_start(PyObject *self, PyObject *args);
PyObject *th_weibull_moments(PyObject *self, PyObject *args);
PyObject *th_beta_sums(PyObject *self, PyObject *args);
PyObject *th_gamma_walk(PyObject *self, PyObject *args);
PyObject *th_edf_stats(PyObject *self, PyObject *args);
PyObject *th_syrk_add(PyObject *self, PyObject *args);

/* BLAS dsyrk as SciPy exports it for Cython (_kernels_blas.c) */
typedef void (*dsyrk_t)(char *uplo, char *trans, int *n, int *k, double *alpha, double *a,
                        int *lda, double *beta, double *c, int *ldc);
/* the function pointer in SciPy's dsyrk capsule, its signature checked; NULL and
   TypeError otherwise */
dsyrk_t th_dsyrk_from(PyObject *capsule);
/* BLAS dgemm, the same way; NULL and TypeError where the capsule is not dgemm's */
typedef void (*dgemm_t)(char *transa, char *transb, int *m, int *n, int *k, double *alpha,
                        double *a, int *lda, double *b, int *ldb, double *beta, double *c,
                        int *ldc);
dgemm_t th_dgemm_from(PyObject *capsule);
PyObject *th_glm_pass(PyObject *self, PyObject *args);
/* log(v!) = log Gamma(v + 1) for any v >= 0 (_kernels.c: the table, Stirling's series,
   lgamma_r); th_log_factorial below reads the table inline for small counts first */
double th_log_factorial_any(double v);
/* log(v!) for the counts v < TH_LOG_FACT_TABLE */
#define TH_LOG_FACT_TABLE 4096
extern const double *const th_log_fact;

/* log(v!): counts below the table's end from the table without a call into another unit
   (a GLM pass asks this of every y), anything else from th_log_factorial_any */
static inline double th_log_factorial(double v)
{
    if (v >= 0.0 && v < TH_LOG_FACT_TABLE && v == (double)(int)v) {
        return th_log_fact[(int)v];
    }
    return th_log_factorial_any(v);
}

#endif
