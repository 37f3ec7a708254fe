/*
 * The Student t fit of a small sample in one compiled call (issue 12, item 4).
 *
 * t_newton(x, w, n, log_2pi, z0, free, fixed, xtol, tol, nu_cap, maxiter)
 *     Newton on the free coordinates of (log df, loc, log scale), the same algorithm
 *     and arithmetic as thetahat.optim.newton_maximize (``"levenberg"`` damping, the
 *     3x3 Cholesky of optim._newton._cholesky_solve, step halving with its slack, its
 *     stopping rule) over the objective of thetahat.distributions.student_t._TFit
 *     (the ten t_sums of _kernels_fit.c and _student_t.fgh_terms, the chain rule to the
 *     log coordinates, the -inf of points outside 1e-100 < df < 1e300, 1e-300 < scale
 *     < 1e300, the NaN where Python's float arithmetic would divide by zero, and the
 *     drift test: df above nu_cap with the score in df still positive).
 *     Every operation is written in the order the Python expressions evaluate, and
 *     floating-point contraction is off, so the iterates are those of the Python
 *     route up to the last bits of math.lgamma (CPython's own) and libm's lgamma.
 *     Returns (code, z, f, iterations, h, at): code 0 converged, 1 drift, 2 objective
 *     not finite at the start, 3 gradient or Hessian not finite, 4 Hessian not
 *     usable, 5 line search failed, 6 no convergence in maxiter; z the last point;
 *     h the Hessian over z (row-major) that newton_maximize would report; at the
 *     natural (df, loc, scale, ll, 3 score entries, 6 Hessian entries) at z.
 * weibull_profile(lx, n, ltop, k, max_passes) -> (code, k, d, passes, sum y, moments)
 *     The exact passes of thetahat.distributions.weibull._profile_newton for small
 *     unweighted data (the log values lx): each Newton step on the profile score
 *     takes a pass of weibull_moments at its shape, the same arithmetic in the same
 *     order (so the same iterates, bit for bit); the caller finishes from the final
 *     pass (code 0) or returns None (1: moments not finite or no negative curvature;
 *     2: passes exhausted); 3 hands back to the Python loop where it would raise.
 */
#include "_kernels.h"

#if defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")

#include <string.h>

/* _student_t.C_SERIES: (2^(1-n) - 2) B_n / (n (n - 1)), n = 2, 4, ..., 14 */
static const double C_SERIES[7] = {-1.0 / 8.0,     1.0 / 192.0,      -1.0 / 640.0,
                                   17.0 / 14336.0, -31.0 / 18432.0, 691.0 / 180224.0,
                                   -5461.0 / 425984.0};
#define SERIES_FROM 10.0

enum { T_OK = 0, T_DRIFT = 1, T_START = 2, T_GH = 3, T_HESS = 4, T_SEARCH = 5, T_MAXITER = 6 };

typedef struct {
    const double *x, *w;
    Py_ssize_t len;
    double n, log_2pi, nu_cap;
    int k, free[3], df_free;
    double fixed[3];
} tprob_t;

typedef struct {
    double f, g[3], h[3][3]; /* over the free z coordinates */
    double p[3], nat[10];    /* (df, loc, scale); ll, score (3), Hessian (6) */
} tpoint_t;

/* _student_t.c_derivs; returns -1 where Python would divide by zero */
static int c_derivs(double nu, double *out)
{
    const double x0 = 0.5 * nu;
    double x = x0, c1 = 0.0, c2 = 0.0;
    while (x < SERIES_FROM) {
        const double h = x + 0.5;
        if (x * x == 0.0 || h * h == 0.0 || (x + 1.0) * (x + 1.0) == 0.0) {
            return -1;
        }
        const double d1 = 0.5 / x + 0.5 / (x + 1.0) - 1.0 / h;
        const double d2 = 1.0 / (h * h) - 0.5 / (x * x) - 0.5 / ((x + 1.0) * (x + 1.0));
        c1 += d1;
        c2 += d2;
        x += 1.0;
    }
    const double r = 1.0 / x, r2 = r * r;
    double p = r, c = 0.0 * x;
    for (int k = 0; k < 7; k++) {
        const double a = C_SERIES[k];
        const int e = 2 * k + 1;
        c = c + a * p;
        c1 = c1 - (double)e * a * p * r;
        c2 = c2 + (double)(e * (e + 1)) * a * p * r2;
        p = p * r2;
    }
    if (x != x0) {
        c = lgamma(x0 + 0.5) - lgamma(x0) - 0.5 * log(x0);
    }
    out[0] = c;
    out[1] = c1;
    out[2] = c2;
    return 0;
}

/* _TFit.objective's fgh at z; returns T_DRIFT where it raises _Drift */
static int t_eval(const tprob_t *P, const double *z, tpoint_t *o)
{
    const int k = P->k;
    double full[3] = {P->fixed[0], P->fixed[1], P->fixed[2]};
    for (int j = 0; j < k; j++) {
        const int i = P->free[j];
        full[i] = i == 1 ? z[j] : (z[j] < 709.0 ? exp(z[j]) : INFINITY);
    }
    const double nu = full[0], loc = full[1], s = full[2];
    memcpy(o->p, full, sizeof full);
    if (!(1e-100 < nu && nu < 1e300 && 1e-300 < s && s < 1e300)) {
        o->f = -INFINITY;
        for (int i = 0; i < k; i++) {
            o->g[i] = 0.0;
            for (int j = 0; j < k; j++) {
                o->h[i][j] = i == j ? 1.0 : 0.0;
            }
        }
        for (int j = 0; j < 10; j++) {
            o->nat[j] = NAN;
        }
        return T_OK;
    }
    double sm[10], cs[3];
    /* Python: ValueError in t_sums (loc not finite), ZeroDivisionError in c_derivs or
       fgh_terms (nu * nu or s * s underflowing to 0): every entry NaN */
    int bad = !isfinite(loc) || nu * nu == 0.0 || s * s == 0.0;
    if (!bad) {
        bad = c_derivs(nu, cs) < 0;
    }
    double ll, g[3], hn[6];
    if (bad) {
        ll = NAN;
        g[0] = g[1] = g[2] = NAN;
        for (int j = 0; j < 6; j++) {
            hn[j] = NAN;
        }
    } else {
        th_t_sums_raw(P->x, P->w, P->len, nu, loc, s, sm);
        const double n = P->n, s_zr = sm[2], s_q = sm[3], s_rr = sm[4], s_zrr = sm[5];
        const double s_qr = sm[6], s_qzr = sm[7], s_qq = sm[8], s_l = sm[9];
        const double c = cs[0], c1 = cs[1], c2 = cs[2], a = nu + 1.0, ss = s * s;
        const double log_s = log(s);
        /* _student_t.fgh_terms, term by term */
        ll = n * (c - 0.5 * P->log_2pi - log_s) - 0.5 * a * s_l;
        g[0] = 0.5 * (n * c1 - s_l + a / nu * s_q);
        g[1] = a / s * s_zr;
        g[2] = (a * s_q - n) / s;
        hn[0] = 0.25 * n * c2 + 0.5 * s_q / nu - 0.5 * s_q / (nu * nu) - 0.5 * a / nu * s_qr;
        hn[1] = (s_qzr - s_zrr) / s;
        hn[2] = (s_qq - s_qr) / s;
        hn[3] = -a / ss * (nu * s_rr - s_qr);
        hn[4] = -2.0 * nu * a / ss * s_zrr;
        hn[5] = (n - a * (s_q + 2.0 * nu * s_qr)) / ss;
    }
    /* (nn, ln, sn, ll, ls, ss) -> the symmetric 3x3 */
    const double H[3][3] = {{hn[0], hn[1], hn[2]}, {hn[1], hn[3], hn[4]}, {hn[2], hn[4], hn[5]}};
    const double d[3] = {nu, 1.0, s};
    for (int jj = 0; jj < k; jj++) {
        const int i = P->free[jj];
        o->g[jj] = d[i] * g[i];
        for (int mm = 0; mm < k; mm++) {
            const int j = P->free[mm];
            o->h[jj][mm] = d[i] * H[i][j] * d[j];
        }
    }
    for (int jj = 0; jj < k; jj++) {
        const int i = P->free[jj];
        if (i != 1) {
            o->h[jj][jj] += d[i] * g[i];
        }
    }
    o->f = isfinite(ll) ? ll : -INFINITY;
    o->nat[0] = ll;
    memcpy(o->nat + 1, g, sizeof g);
    memcpy(o->nat + 4, hn, sizeof hn);
    if (nu > P->nu_cap && g[0] > 0 && P->df_free) {
        return T_DRIFT;
    }
    return T_OK;
}

/* optim._newton._cholesky_solve: (a + lam I) d = g; 0, or -1 when not positive definite */
static int cholesky_solve(int k, double a[3][3], const double *g, double lam, double *d)
{
    if (k == 1) {
        const double p = a[0][0] + lam;
        if (!(p > 0.0)) {
            return -1;
        }
        d[0] = g[0] / p;
        return 0;
    }
    if (k == 2) {
        const double p = a[0][0] + lam;
        if (!(p > 0.0)) {
            return -1;
        }
        const double b = a[1][0];
        const double q = a[1][1] + lam - b * b / p;
        if (!(q > 0.0)) {
            return -1;
        }
        const double d1 = (g[1] - b * g[0] / p) / q;
        d[0] = (g[0] - b * d1) / p;
        d[1] = d1;
        return 0;
    }
    double low[3][3] = {{0.0}};
    for (int i = 0; i < k; i++) {
        for (int j = 0; j <= i; j++) {
            double s = a[i][j] + (i == j ? lam : 0.0);
            for (int m = 0; m < j; m++) {
                s -= low[i][m] * low[j][m];
            }
            if (i == j) {
                if (!(s > 0.0)) {
                    return -1;
                }
                low[i][i] = sqrt(s);
            } else {
                low[i][j] = s / low[j][j];
            }
        }
    }
    double y[3];
    for (int i = 0; i < k; i++) {
        double s = g[i];
        for (int m = 0; m < i; m++) {
            s -= low[i][m] * y[m];
        }
        y[i] = s / low[i][i];
    }
    for (int i = k - 1; i >= 0; i--) {
        double s = y[i];
        for (int m = i + 1; m < k; m++) {
            s -= low[m][i] * d[m];
        }
        d[i] = s / low[i][i];
    }
    return 0;
}

/* optim.newton_maximize with "levenberg" damping and k <= 3; the result in *out, the
   point it stopped at in z, the iterations in *iters */
static int newton(const tprob_t *P, double *z, double xtol, double tol, int maxiter,
                  tpoint_t *out, int *iters)
{
    const int k = P->k;
    tpoint_t cur, trial;
    *iters = 0;
    if (t_eval(P, z, &cur) == T_DRIFT) {
        return T_DRIFT;
    }
    *out = cur;
    if (!isfinite(cur.f)) {
        return T_START;
    }
    for (int it = 1; it <= maxiter; it++) {
        *iters = it - 1;
        *out = cur;
        /* _small_step */
        double a[3][3];
        int finite = 1;
        for (int i = 0; i < k; i++) {
            finite &= isfinite(cur.g[i]);
            for (int j = 0; j < k; j++) {
                a[i][j] = -cur.h[i][j];
                finite &= isfinite(a[i][j]);
            }
        }
        if (!finite) {
            return T_GH;
        }
        double scale = 0.0;
        for (int i = 0; i < k; i++) {
            scale = i == 0 ? fabs(a[0][0]) : fmax(scale, fabs(a[i][i]));
        }
        scale = scale > 1e-300 ? scale : 1e-300;
        double lam = 0.0, d[3];
        int found = 0;
        for (int t = 0; t < 60; t++) {
            if (cholesky_solve(k, a, cur.g, lam, d) == 0) {
                found = 1;
                break;
            }
            lam = fmax(lam * 10.0, 1e-10 * scale);
        }
        if (!found) {
            return T_HESS;
        }
        double gain = 0.0;
        int tiny = 1;
        for (int i = 0; i < k; i++) {
            gain += cur.g[i] * d[i];
            tiny &= fabs(d[i]) <= xtol * (1.0 + fabs(z[i]));
        }
        double zn[3];
        if (tiny || gain <= tol * (1.0 + fabs(cur.f))) {
            for (int i = 0; i < k; i++) {
                zn[i] = z[i] + d[i];
            }
            if (t_eval(P, zn, &trial) == T_DRIFT) {
                return T_DRIFT;
            }
            *iters = it;
            *out = cur; /* newton_maximize reports the Hessian of the previous point */
            if (isfinite(trial.f) && trial.f >= cur.f - 1e-12 * fabs(cur.f)) {
                memcpy(z, zn, sizeof zn);
                out->f = trial.f;
                memcpy(out->p, trial.p, sizeof trial.p);
                memcpy(out->nat, trial.nat, sizeof trial.nat);
            }
            return T_OK;
        }
        double step = 1.0;
        int ok = 0;
        for (int t = 0; t < 60; t++) {
            for (int i = 0; i < k; i++) {
                zn[i] = z[i] + step * d[i];
            }
            if (t_eval(P, zn, &trial) == T_DRIFT) {
                return T_DRIFT;
            }
            if (isfinite(trial.f) && trial.f >= cur.f - 1e-12 * fabs(cur.f)) {
                ok = 1;
                break;
            }
            step *= 0.5;
        }
        if (!ok) {
            *iters = it;
            return T_SEARCH;
        }
        memcpy(z, zn, sizeof zn);
        cur = trial;
    }
    *iters = maxiter;
    *out = cur;
    return T_MAXITER;
}

static PyObject *floats(const double *v, int k)
{
    PyObject *t = PyTuple_New(k);
    if (t == NULL) {
        return NULL;
    }
    for (int j = 0; j < k; j++) {
        PyObject *f = PyFloat_FromDouble(v[j]);
        if (f == NULL) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, j, f);
    }
    return t;
}

PyObject *th_t_newton(PyObject *self, PyObject *args)
{
    PyObject *xo, *wo, *zo, *fo;
    double n, log_2pi, fixed[3], xtol, tol, nu_cap;
    int maxiter;
    if (!PyArg_ParseTuple(args, "OOddOO(ddd)dddi", &xo, &wo, &n, &log_2pi, &zo, &fo, &fixed[0],
                          &fixed[1], &fixed[2], &xtol, &tol, &nu_cap, &maxiter)) {
        return NULL;
    }
    tprob_t P = {.n = n, .log_2pi = log_2pi, .nu_cap = nu_cap, .df_free = 0};
    double z[3];
    PyObject *zs = PySequence_Fast(zo, "t_newton: z0 must be a sequence");
    if (zs == NULL) {
        return NULL;
    }
    PyObject *fs = PySequence_Fast(fo, "t_newton: free must be a sequence");
    if (fs == NULL) {
        Py_DECREF(zs);
        return NULL;
    }
    const Py_ssize_t k = PySequence_Fast_GET_SIZE(zs);
    int err = k < 1 || k > 3 || PySequence_Fast_GET_SIZE(fs) != k;
    for (Py_ssize_t j = 0; !err && j < k; j++) {
        z[j] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(zs, j));
        const long i = PyLong_AsLong(PySequence_Fast_GET_ITEM(fs, j));
        err = PyErr_Occurred() != NULL || i < 0 || i > 2 || (j > 0 && i <= P.free[j - 1]);
        P.free[j] = (int)i;
        P.df_free |= i == 0;
    }
    Py_DECREF(zs);
    Py_DECREF(fs);
    if (err) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError,
                            "t_newton: 1 to 3 free indices, increasing, in 0..2, one per z0");
        }
        return NULL;
    }
    P.k = (int)k;
    memcpy(P.fixed, fixed, sizeof fixed);
    Py_buffer xv, wv;
    wv.obj = NULL;
    if (th_get_float64_buffer(xo, &xv) < 0) {
        return NULL;
    }
    P.x = (const double *)xv.buf;
    P.len = xv.len / 8;
    P.w = NULL;
    if (wo != Py_None) {
        if (th_get_float64_buffer(wo, &wv) < 0) {
            PyBuffer_Release(&xv);
            return NULL;
        }
        if (wv.len != xv.len) {
            PyBuffer_Release(&xv);
            PyBuffer_Release(&wv);
            PyErr_SetString(PyExc_ValueError, "t_newton: weights and data differ in length");
            return NULL;
        }
        P.w = (const double *)wv.buf;
    }
    tpoint_t out;
    int iters, code;
    Py_BEGIN_ALLOW_THREADS
    code = newton(&P, z, xtol, tol, maxiter, &out, &iters);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&xv);
    if (wv.obj != NULL) {
        PyBuffer_Release(&wv);
    }
    if (code == T_DRIFT) {
        return Py_BuildValue("(iOdiOO)", code, Py_None, NAN, iters, Py_None, Py_None);
    }
    double hflat[9], at[13];
    for (int i = 0; i < P.k; i++) {
        for (int j = 0; j < P.k; j++) {
            hflat[i * P.k + j] = out.h[i][j];
        }
    }
    memcpy(at, out.p, 3 * sizeof(double));
    memcpy(at + 3, out.nat, 10 * sizeof(double));
    PyObject *zt = floats(z, P.k), *ht = floats(hflat, P.k * P.k), *att = floats(at, 13);
    PyObject *res = NULL;
    if (zt != NULL && ht != NULL && att != NULL) {
        res = Py_BuildValue("(iOdiOO)", code, zt, out.f, iters, ht, att);
    }
    Py_XDECREF(zt);
    Py_XDECREF(ht);
    Py_XDECREF(att);
    return res;
}

/* ------------------------------------------------------------ Weibull profile */
/* weibull._profile_newton's passes for small unweighted data (each Newton step on the
   profile score takes a pass at its shape), every expression as the Python loop writes
   it. Returns (code, k, d, passes, sum y, (m0..m8)): code 0 at the final pass (the
   caller finishes from k, d and its moments), 1 where Python returns None (moments not
   finite, a curvature that is not negative), 2 when the passes ran out, 3 where Python
   would raise (k * k underflowing; a shape the moments refuse): the caller runs the
   Python loop. */
PyObject *th_weibull_profile(PyObject *self, PyObject *args)
{
    PyObject *xo;
    double n, ltop, k;
    int max_passes;
    if (!PyArg_ParseTuple(args, "Odddi", &xo, &n, &ltop, &k, &max_passes)) {
        return NULL;
    }
    Py_buffer xv;
    if (th_get_float64_buffer(xo, &xv) < 0) {
        return NULL;
    }
    const double *x = (const double *)xv.buf;
    const Py_ssize_t len = xv.len / 8;
    double m[10] = {0.0}, d = 0.0;
    int code = 2, npass = 0;
    Py_BEGIN_ALLOW_THREADS
    for (npass = 1; npass <= max_passes; npass++) {
        if (!(k > 0 && isfinite(k) && isfinite(ltop)) || k * k == 0.0) {
            code = 3;
            break;
        }
        th_weibull_moments_raw(x, len, ltop, k, m);
        int finite = 1;
        for (int j = 0; j < 10; j++) {
            finite &= isfinite(m[j]) != 0;
        }
        if (!(finite && m[1] > 0)) {
            code = 1;
            break;
        }
        const double ybar = m[0] / n;
        const double reach = pow(m[9] / m[1], 1.0 / 8.0);
        const double limit = 1.0 / (1e-300 > reach ? 1e-300 : reach);
        const double ba = m[2] / m[1];
        const double v = 1.0 / k + ybar - ba, dv = -1.0 / (k * k) - (m[3] / m[1] - ba * ba);
        if (!(dv < 0.0 && isfinite(v))) {
            code = 1;
            break;
        }
        /* min(max(-v / dv, -limit, -0.5 * k), limit), Python's order of comparisons */
        d = -v / dv;
        d = -limit > d ? -limit : d;
        d = -0.5 * k > d ? -0.5 * k : d;
        d = limit < d ? limit : d;
        if (fabs(d) * reach > 1e-9) {
            k = k + d;
            continue;
        }
        if (fabs(d) * reach <= 1e-3 && fabs(d) < limit) {
            code = 0;
            break;
        }
        k = k + d;
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&xv);
    PyObject *mt = PyTuple_New(9);
    if (mt == NULL) {
        return NULL;
    }
    for (int j = 0; j < 9; j++) {
        PyObject *f = PyFloat_FromDouble(m[j + 1]);
        if (f == NULL) {
            Py_DECREF(mt);
            return NULL;
        }
        PyTuple_SET_ITEM(mt, j, f);
    }
    return Py_BuildValue("(iddidN)", code, k, d, npass, m[0], mt);
}

#endif /* __GNUC__ */
