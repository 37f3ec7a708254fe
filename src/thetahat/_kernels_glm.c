/*
 * glm_pass: one fused pass of a logistic or Poisson GLM over rows lo:hi of a dense X.
 *
 * glm_pass(family, X, y, w, offset, coef, centre, intercept, fit_intercept, flags, lo, hi,
 *          g, H, dsyrk[, part]) -> (nll, eta_max)
 *
 *   family      0 logistic (Bernoulli, logit link), 1 Poisson (log link)
 *   X           float64 n x p, rows at any positive stride, columns contiguous
 *   y           float64 n (any positive stride); w and offset the same, or None
 *   coef        float64 p; centre float64 p or None (the rows are centred first)
 *   flags       bit 0: the nll, bit 1: the gradient, bit 2: the Hessian
 *   g           float64 k = p + fit_intercept, the gradient ADDED into (or None)
 *   H           float64 k x k Fortran-ordered, the Hessian's upper triangle ADDED into
 *               (or None): H[a, b] for a <= b, the intercept's row and column last;
 *               packed (below): the k(k+1)/2 values of the whole Hessian in LAPACK's
 *               rectangular full packed form (TRANSR 'N', UPLO 'L')
 *   dsyrk       None, or SciPy's dsyrk capsule (scipy.linalg.cython_blas): the block's
 *               H[:p, :p] += Z'Z, Z = sqrt(v) X_b, by BLAS (wider X: see below); or
 *               the tuple (dsyrk, dgemm) of its capsules: packed, H += Z'Z with Z =
 *               sqrt(v) [X_b, 1] (the intercept's column included) on blocks of
 *               GLM_FROWS rows, half the Hessian's memory and a small block, for a
 *               pass whose k x k sums would dwarf its per-row memory
 *   part        packed only: -1 (default) the whole Hessian, 0 or 1 a half of it (its
 *               own entries: two threads fill one H over the same rows, and only part
 *               0 should ask for the nll and gradient)
 *
 * The packed update is LAPACK dsfrk's own split (there one call; here two halves, for
 * two threads): with n1 = ceil(k/2), n2 = k - n1, the leading n1 x n1 lower triangle
 * and the trailing n2 x n2 (stored transposed, upper) by dsyrk, the n2 x n1 block
 * between them by dgemm; part 0 takes the leading triangle and the block's first
 * n1/2 columns, part 1 the rest.
 *
 * The same sums as the NumPy route of regression/_loss.py (_rows_pass), without that
 * route's per-block NumPy calls, its scaled copy Z = sqrt(v) X_b of a whole block and its
 * separate passes over the per-row vectors (at 1e4 x 10 they cost twice the arithmetic):
 * here each row of X is read once per pass, and per block of GLM_BLOCK rows
 *   eta_i = (x_i - m)' coef + b + offset_i               (4-lane dot products)
 *   nll_i, r_i = d nll / d eta, v_i = d^2 nll / d eta^2  (4 lanes: vexp, vlog)
 *   g += r_i [x_i, 1],  H += v_i [x_i, 1][x_i, 1]'
 * the Hessian's X block by dsyrk on the block's scaled rows where dsyrk is given (the
 * caller's choice from 32 columns on), else by rank-one updates four rows at a time
 * (the fallback where no dsyrk is given past GLM_TP columns).
 * Up to GLM_TP columns without dsyrk the block is first transposed (centred as it is
 * copied), and eta, the gradient and the Hessian are sums along its contiguous
 * columns: eta += coef_j x_.j, g_j += r'x_.j, H[a, b] += (v x_.a)'x_.b;
 * with r and v times the weight w_i when weights are given. Logistic:
 * nll = max(eta, 0) + log1p(t) - y eta, t = exp(-|eta|), mu = 1/(1+t) or t/(1+t),
 * r = mu - y, v = t/(1+t)^2 (log1p(t) = log(u) - ((u - 1) - t)/u, u = 1 + t, exact to
 * about one ulp). Poisson: mu = exp(eta), nll = mu - y eta + log(y!), r = mu - y, v = mu.
 * Lanes with a non-finite eta, or a Poisson eta above 700 (exp near overflow), go to
 * libm's scalar functions, which give what NumPy's do (inf, NaN). eta_max is
 * max |eta|, NaN when some eta is NaN. The GIL is released; each worker thread passes
 * its own g and H.
 */
#include "_kernels.h"

#include <limits.h>

#if defined(__GNUC__)
#include "_vecmath.h"

#define GLM_BLOCK 256
#define GLM_ZROWS 64 /* rows per dsyrk call */
#define GLM_FROWS 32 /* rows per packed update (its block: the packed pass's one buffer) */
#define GLM_TP 31    /* up to this many columns (and no dsyrk) a pass transposes its blocks
                        (regression/_loss.py's COMPILED_SYRK_P - 1) */
#define GLM_LD 264   /* its columns' spacing: GLM_BLOCK padded by a cache line, so the
                        row-by-row copy's p stores do not all fall in one cache set */

typedef struct {
    const char *X;
    Py_ssize_t rs; /* bytes between rows */
    Py_ssize_t p, k;
    const char *y, *w, *off; /* per-row vectors, at strides ys, ws, os bytes */
    Py_ssize_t ys, ws, os;
    const double *coef, *centre;
    double b;
    int fi, family, want_nll, want_grad, want_hess;
    double *g, *H;
    double *cbuf; /* GLM_BLOCK x p centred rows, when centre is given */
    dsyrk_t dsyrk;
    dgemm_t dgemm; /* (then H is packed) */
    int part;      /* packed: -1 the whole Hessian, 0 or 1 a half */
    double *zbuf;  /* GLM_ZROWS x p scaled rows for dsyrk, GLM_FROWS x k when packed */
    int tp;       /* the blocks transposed: no dsyrk and at most GLM_TP columns */
} glm_t;

TH_INLINE double dot_row(const double *x, const double *c, Py_ssize_t p)
{
    vd acc = vsplat(0.0);
    Py_ssize_t j = 0;
    for (; j + 4 <= p; j += 4) {
        acc += vload(x + j) * vload(c + j);
    }
    double s = vsum(acc);
    for (; j < p; j++) {
        s += x[j] * c[j];
    }
    return s;
}

/* sum_i u_i w_i over n contiguous values: dot_row with two 4-lane accumulators, for a
   block's 256-value columns (with dot_row's one, a 1e4 x 10 gradient pass took 10% longer) */
TH_INLINE double dot_cols(const double *u, const double *w, Py_ssize_t n)
{
    vd a0 = vsplat(0.0), a1 = vsplat(0.0);
    Py_ssize_t i = 0;
    for (; i + 8 <= n; i += 8) {
        a0 += vload(u + i) * vload(w + i);
        a1 += vload(u + i + 4) * vload(w + i + 4);
    }
    for (; i + 4 <= n; i += 4) {
        a0 += vload(u + i) * vload(w + i);
    }
    double s = vsum(a0 + a1);
    for (; i < n; i++) {
        s += u[i] * w[i];
    }
    return s;
}

/* sum_i u_i over n contiguous values */
TH_INLINE double sum_cols(const double *u, Py_ssize_t n)
{
    vd a0 = vsplat(0.0);
    Py_ssize_t i = 0;
    for (; i + 4 <= n; i += 4) {
        a0 += vload(u + i);
    }
    double s = vsum(a0);
    for (; i < n; i++) {
        s += u[i];
    }
    return s;
}

/* sum_i u_i (w_i, z_i) over n contiguous values: two dot products sharing u's loads */
TH_INLINE void dot_cols2(const double *u, const double *w, const double *z, Py_ssize_t n,
                         double *sw, double *sz)
{
    vd a0 = vsplat(0.0), a1 = vsplat(0.0), b0 = vsplat(0.0), b1 = vsplat(0.0);
    Py_ssize_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const vd u0 = vload(u + i), u1 = vload(u + i + 4);
        a0 += u0 * vload(w + i);
        a1 += u1 * vload(w + i + 4);
        b0 += u0 * vload(z + i);
        b1 += u1 * vload(z + i + 4);
    }
    for (; i + 4 <= n; i += 4) {
        const vd u0 = vload(u + i);
        a0 += u0 * vload(w + i);
        b0 += u0 * vload(z + i);
    }
    double s = vsum(a0 + a1), t = vsum(b0 + b1);
    for (; i < n; i++) {
        s += u[i] * w[i];
        t += u[i] * z[i];
    }
    *sw = s;
    *sz = t;
}

/* the family's nll, r and v for one eta by libm (the lanes vexp/vlog do not cover) */
static void family_scalar(int family, double e, double y, double *nll, double *r, double *v)
{
    if (family == 0) {
        const double t = exp(-fabs(e));
        const double u = 1.0 + t;
        *nll = (e > 0.0 ? e : 0.0) + log1p(t) - y * e;
        const double mu = e >= 0.0 ? 1.0 / u : t / u;
        *r = mu - y;
        *v = t / (u * u);
        if (e != e) {
            *nll = *r = *v = e;
        }
    } else {
        const double mu = exp(e);
        *nll = mu - y * e + th_log_factorial(y);
        *r = mu - y;
        *v = mu;
    }
}

/* nll (returned), r and v over n <= GLM_BLOCK rows (their y and weights w or NULL) */
TH_INLINE double family_block(const glm_t *a, Py_ssize_t n, const double *eta,
                              const double *y, const double *w, double *r, double *v)
{
    vd acc = vsplat(0.0);
    double tail = 0.0;
    Py_ssize_t i = 0;
    const vi absmask = (vi){0x7fffffffffffffffLL, 0x7fffffffffffffffLL, 0x7fffffffffffffffLL,
                            0x7fffffffffffffffLL};
    for (; i + 4 <= n; i += 4) {
        const vd e = vload(eta + i);
        const vd yy = vload(y + i);
        const vd ae = (vd)((vi)e & absmask);
        vd nll, rr, vv;
        int ok;
        if (a->family == 0) {
            ok = !vany(~(ae <= vsplat(1.79e308)));
        } else {
            ok = !vany(~(e <= vsplat(700.0)) | ~(ae <= vsplat(1.79e308)));
        }
        if (!ok) {
            double nl[4], r4[4], v4[4];
            for (int q = 0; q < 4; q++) {
                family_scalar(a->family, eta[i + q], y[i + q], nl + q, r4 + q, v4 + q);
            }
            nll = vload(nl);
            rr = vload(r4);
            vv = vload(v4);
        } else if (a->family == 0) {
            const vd t = vexp(-ae);
            const vd u = vsplat(1.0) + t;
            const vd l1p = vlog(u) - ((u - vsplat(1.0)) - t) / u;
            const vd pos = vsel((vi)(e > vsplat(0.0)), e, vsplat(0.0));
            nll = pos + l1p - yy * e;
            const vd inv = vsplat(1.0) / u;
            const vd mu = vsel((vi)(e >= vsplat(0.0)), inv, t * inv);
            rr = mu - yy;
            vv = t * inv * inv;
        } else {
            const vd mu = vexp(e);
            double lf[4];
            if (a->want_nll) {
                for (int q = 0; q < 4; q++) {
                    lf[q] = th_log_factorial(y[i + q]);
                }
            } else {
                lf[0] = lf[1] = lf[2] = lf[3] = 0.0;
            }
            nll = mu - yy * e + vload(lf);
            rr = mu - yy;
            vv = mu;
        }
        if (w) {
            const vd ww = vload(w + i);
            nll *= ww;
            rr *= ww;
            vv *= ww;
        }
        acc += nll;
        memcpy(r + i, &rr, sizeof rr);
        memcpy(v + i, &vv, sizeof vv);
    }
    for (; i < n; i++) {
        double nl, ri, vi_;
        family_scalar(a->family, eta[i], y[i], &nl, &ri, &vi_);
        if (w) {
            nl *= w[i];
            ri *= w[i];
            vi_ *= w[i];
        }
        tail += nl;
        r[i] = ri;
        v[i] = vi_;
    }
    return vsum(acc) + tail;
}

#if defined(__clang__)
#define VSHUF(u, w, i, j, k, l) __builtin_shufflevector(u, w, i, j, k, l)
#else
#define VSHUF(u, w, i, j, k, l) __builtin_shuffle(u, w, (vi){i, j, k, l})
#endif

/* rows s..s+n of X (less the centre, if any) into xt, column j at xt + j GLM_LD: 4 x 4
   tiles transposed in registers (four loads, eight shuffles, four stores), the columns
   past the last multiple of 4 and the rows past the last multiple of 4 one value at a
   time */
TH_INLINE void transpose_block(const glm_t *a, Py_ssize_t s, Py_ssize_t n, double *xt)
{
    const Py_ssize_t p = a->p, p4 = p & ~(Py_ssize_t)3, n4 = n & ~(Py_ssize_t)3;
    const double *m = a->centre;
    for (Py_ssize_t i = 0; i < n4; i += 4) {
        const double *x0 = (const double *)(a->X + (s + i) * a->rs);
        const double *x1 = (const double *)((const char *)x0 + a->rs);
        const double *x2 = (const double *)((const char *)x1 + a->rs);
        const double *x3 = (const double *)((const char *)x2 + a->rs);
        for (Py_ssize_t j = 0; j < p4; j += 4) {
            vd r0 = vload(x0 + j), r1 = vload(x1 + j), r2 = vload(x2 + j), r3 = vload(x3 + j);
            if (m) {
                const vd mj = vload(m + j);
                r0 -= mj;
                r1 -= mj;
                r2 -= mj;
                r3 -= mj;
            }
            const vd t0 = VSHUF(r0, r1, 0, 4, 2, 6), t1 = VSHUF(r0, r1, 1, 5, 3, 7);
            const vd t2 = VSHUF(r2, r3, 0, 4, 2, 6), t3 = VSHUF(r2, r3, 1, 5, 3, 7);
            const vd c0 = VSHUF(t0, t2, 0, 1, 4, 5), c1 = VSHUF(t1, t3, 0, 1, 4, 5);
            const vd c2 = VSHUF(t0, t2, 2, 3, 6, 7), c3 = VSHUF(t1, t3, 2, 3, 6, 7);
            memcpy(xt + j * GLM_LD + i, &c0, sizeof c0);
            memcpy(xt + (j + 1) * GLM_LD + i, &c1, sizeof c1);
            memcpy(xt + (j + 2) * GLM_LD + i, &c2, sizeof c2);
            memcpy(xt + (j + 3) * GLM_LD + i, &c3, sizeof c3);
        }
        for (Py_ssize_t j = p4; j < p; j++) {
            const double mj = m ? m[j] : 0.0;
            double *col = xt + j * GLM_LD + i;
            col[0] = x0[j] - mj;
            col[1] = x1[j] - mj;
            col[2] = x2[j] - mj;
            col[3] = x3[j] - mj;
        }
    }
    for (Py_ssize_t i = n4; i < n; i++) {
        const double *x = (const double *)(a->X + (s + i) * a->rs);
        for (Py_ssize_t j = 0; j < p; j++) {
            xt[j * GLM_LD + i] = m ? x[j] - m[j] : x[j];
        }
    }
}

/* H += Z'Z in packed form for the block's nz scaled rows (a->zbuf, nz x k in C order:
   Fortran's k x nz matrix A, so A A' = Z'Z), the part a->part of it */
static void packed_update(const glm_t *a, Py_ssize_t nz)
{
    const int k = (int)a->k, odd = k % 2, n1 = (k + 1) / 2, n2 = k - n1;
    const int h = n1 / 2, whole = a->part < 0;
    int ldc = odd ? k : k + 1;
    int kk = (int)nz, lda = k;
    double one = 1.0, *z = a->zbuf, *H = a->H;
    char L = 'L', U = 'U', N = 'N', T = 'T';
    /* where the two triangles and the block between them start (dsfrk's offsets) */
    double *t1 = H + (odd ? 0 : 1), *t2 = H + (odd ? k : 0), *s = H + (odd ? n1 : n1 + 1);
    if (whole || a->part == 0) {
        int m = n1, c = whole ? n1 : h;
        a->dsyrk(&L, &N, &m, &kk, &one, z, &lda, &one, t1, &ldc);
        if (n2 > 0 && c > 0) {
            int r = n2;
            a->dgemm(&N, &T, &r, &c, &kk, &one, z + n1, &lda, z, &lda, &one, s, &ldc);
        }
    }
    if ((whole || a->part == 1) && n2 > 0) {
        int m = n2, c = whole ? 0 : n1 - h;
        a->dsyrk(&U, &N, &m, &kk, &one, z + n1, &lda, &one, t2, &ldc);
        if (c > 0) {
            a->dgemm(&N, &T, &m, &c, &kk, &one, z + n1, &lda, z + h, &lda, &one,
                     s + (Py_ssize_t)h * ldc, &ldc);
        }
    }
}

TH_CLONES
static void glm_rows(const glm_t *a, Py_ssize_t lo, Py_ssize_t hi, double *nll_out,
                     double *eta_max_out)
{
    double eta[GLM_BLOCK], r[GLM_BLOCK], v[GLM_BLOCK], yb[GLM_BLOCK], wb[GLM_BLOCK];
    const double *rows[GLM_BLOCK];
    const Py_ssize_t p = a->p, k = a->k;
    /* narrow X without dsyrk: the block transposed (column j at xt + j GLM_LD), so eta,
       the gradient and the Hessian are sums along contiguous columns in 4-lane vectors
       (per row, p values are too few for vectors to fill and the Hessian's triangle
       too large for registers) */
    const int tp = a->tp;
    /* on the stack, sized by p: at most 65 KB (GLM_TP columns), 21 KB at 10. A buffer from
       the heap made the pass 10-25% slower (eta-only at 1e4 x 10: 46 against 37 us) */
    double xt[tp && p > 0 ? p * GLM_LD : 1], wa[GLM_BLOCK];
    double total = 0.0, emax = 0.0;
    int nan = 0;
    for (Py_ssize_t s = lo; s < hi; s += GLM_BLOCK) {
        const Py_ssize_t n = (hi - s < GLM_BLOCK) ? hi - s : GLM_BLOCK;
        for (Py_ssize_t i = 0; i < n; i++) {
            yb[i] = *(const double *)(a->y + (s + i) * a->ys);
            if (a->w) {
                wb[i] = *(const double *)(a->w + (s + i) * a->ws);
            }
        }
        if (tp) { /* eta = b + offset + sum_j coef_j x_.j, column by column */
            transpose_block(a, s, n, xt);
            for (Py_ssize_t i = 0; i < n; i++) {
                eta[i] = a->b + (a->off ? *(const double *)(a->off + (s + i) * a->os) : 0.0);
            }
            for (Py_ssize_t j = 0; j < p; j++) {
                const double cj = a->coef[j], *col = xt + j * GLM_LD;
                for (Py_ssize_t i = 0; i < n; i++) {
                    eta[i] += cj * col[i];
                }
            }
        }
        for (Py_ssize_t i = 0; !tp && i < n; i++) { /* eta = x_i'coef + b + offset_i */
            const double *x = (const double *)(a->X + (s + i) * a->rs);
            if (a->cbuf) {
                double *cx = a->cbuf + i * p;
                for (Py_ssize_t j = 0; j < p; j++) {
                    cx[j] = x[j] - a->centre[j];
                }
                x = cx;
            }
            rows[i] = x;
            double e = dot_row(x, a->coef, p) + a->b;
            if (a->off) {
                e += *(const double *)(a->off + (s + i) * a->os);
            }
            eta[i] = e;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            const double e = eta[i], ae = fabs(e);
            if (e != e) {
                nan = 1;
            } else if (ae > emax) {
                emax = ae;
            }
        }
        if (!(a->want_nll || a->want_grad || a->want_hess)) {
            continue;
        }
        const double part = family_block(a, n, eta, yb, a->w ? wb : NULL, r, v);
        if (a->want_nll) {
            total += part;
        }
        if (a->want_grad && tp) {
            for (Py_ssize_t j = 0; j < p; j++) {
                a->g[j] += dot_cols(r, xt + j * GLM_LD, n);
            }
            if (a->fi) {
                a->g[p] += sum_cols(r, n);
            }
        } else if (a->want_grad) {
            double *g = a->g;
            for (Py_ssize_t i = 0; i < n; i++) {
                const double *x = rows[i];
                const double ri = r[i];
                for (Py_ssize_t j = 0; j < p; j++) {
                    g[j] += ri * x[j];
                }
                if (a->fi) {
                    g[p] += ri;
                }
            }
        }
        if (a->want_hess && tp) {
            /* H[ra, cb] += sum_i (v_i x_i,ra) x_i,cb for ra <= cb, two columns cb at a
               time; the intercept's column sum_i v_i x_i,ra and corner sum_i v_i */
            double *H = a->H;
            for (Py_ssize_t ra = 0; ra < p; ra++) {
                const double *xa = xt + ra * GLM_LD;
                for (Py_ssize_t i = 0; i < n; i++) {
                    wa[i] = v[i] * xa[i];
                }
                Py_ssize_t cb = ra;
                for (; cb + 2 <= p; cb += 2) {
                    double s0, s1;
                    dot_cols2(wa, xt + cb * GLM_LD, xt + (cb + 1) * GLM_LD, n, &s0, &s1);
                    H[ra + cb * k] += s0;
                    H[ra + (cb + 1) * k] += s1;
                }
                if (cb < p) {
                    H[ra + cb * k] += dot_cols(wa, xt + cb * GLM_LD, n);
                }
                if (a->fi) {
                    H[ra + p * k] += sum_cols(wa, n);
                }
            }
            if (a->fi) {
                H[p + p * k] += sum_cols(v, n);
            }
        } else if (a->want_hess) {
            /* H[a, b] += sum_i v_i x_ia x_ib (column b of the Fortran-ordered H holds
               H[0..b, b] contiguously) */
            double *H = a->H;
            Py_ssize_t i = 0;
            /* by BLAS on the block's rows scaled by sqrt(v): dsyrk into H's full upper
               triangle (64-row blocks, the intercept's column summed here), or packed
               (32-row blocks with the intercept's column in them) */
            const int packed = a->dgemm != NULL;
            const Py_ssize_t zr = packed ? GLM_FROWS : GLM_ZROWS, ld = packed ? k : p;
            for (Py_ssize_t q0 = 0; a->dsyrk != NULL && q0 < n; q0 += zr) {
                const Py_ssize_t nz = (n - q0 < zr) ? n - q0 : zr;
                for (Py_ssize_t q = q0; q < q0 + nz; q++) {
                    const double *x = rows[q];
                    const double sv = sqrt(v[q]);
                    double *z = a->zbuf + (q - q0) * ld;
                    for (Py_ssize_t j = 0; j < p; j++) {
                        z[j] = sv * x[j];
                    }
                    if (a->fi && packed) {
                        z[p] = sv;
                    } else if (a->fi) {
                        double *Hc = H + p * k;
                        const double vq = v[q];
                        for (Py_ssize_t ra = 0; ra < p; ra++) {
                            Hc[ra] += vq * x[ra];
                        }
                        Hc[p] += vq;
                    }
                }
                if (packed) {
                    packed_update(a, nz);
                } else {
                    /* the block's memory (nz x p, C order) is Fortran's p x nz matrix A,
                       so A A' = Z'Z; H's leading dimension is k */
                    int n_ = (int)p, k_ = (int)nz, lda = (int)p, ldc = (int)k;
                    double one = 1.0;
                    char uplo = 'U', trans = 'N';
                    a->dsyrk(&uplo, &trans, &n_, &k_, &one, a->zbuf, &lda, &one, H, &ldc);
                }
                i = n;
            }
            for (; i + 4 <= n; i += 4) { /* without BLAS: four rows at a time */
                const double *x0 = rows[i], *x1 = rows[i + 1], *x2 = rows[i + 2], *x3 = rows[i + 3];
                const double v0 = v[i], v1 = v[i + 1], v2 = v[i + 2], v3 = v[i + 3];
                for (Py_ssize_t cb = 0; cb < p; cb++) {
                    const double c0 = v0 * x0[cb], c1 = v1 * x1[cb], c2 = v2 * x2[cb],
                                 c3 = v3 * x3[cb];
                    double *Hc = H + cb * k;
                    for (Py_ssize_t ra = 0; ra <= cb; ra++) {
                        Hc[ra] += c0 * x0[ra] + c1 * x1[ra] + c2 * x2[ra] + c3 * x3[ra];
                    }
                }
                if (a->fi) {
                    double *Hc = H + p * k;
                    for (Py_ssize_t ra = 0; ra < p; ra++) {
                        Hc[ra] += v0 * x0[ra] + v1 * x1[ra] + v2 * x2[ra] + v3 * x3[ra];
                    }
                    Hc[p] += (v0 + v1) + (v2 + v3);
                }
            }
            for (; i < n; i++) {
                const double *x = rows[i];
                const double vi_ = v[i];
                for (Py_ssize_t cb = 0; cb < p; cb++) {
                    const double c = vi_ * x[cb];
                    double *Hc = H + cb * k;
                    for (Py_ssize_t ra = 0; ra <= cb; ra++) {
                        Hc[ra] += c * x[ra];
                    }
                }
                if (a->fi) {
                    double *Hc = H + p * k;
                    for (Py_ssize_t ra = 0; ra < p; ra++) {
                        Hc[ra] += vi_ * x[ra];
                    }
                    Hc[p] += vi_;
                }
            }
        }
    }
    *nll_out = total;
    *eta_max_out = nan ? NAN : emax;
}

/* an optional C-contiguous float64 vector of length n (None: NULL) */
static int vector_arg(PyObject *o, Py_buffer *view, Py_ssize_t n, const char *name)
{
    if (o == Py_None) {
        view->obj = NULL;
        view->buf = NULL;
        return 0;
    }
    if (th_get_float64_buffer(o, view) < 0) {
        return -1;
    }
    if (view->len != n * (Py_ssize_t)sizeof(double)) {
        PyErr_Format(PyExc_ValueError, "glm_pass: %s has %zd values, expected %zd", name,
                     view->len / (Py_ssize_t)sizeof(double), n);
        PyBuffer_Release(view);
        view->obj = NULL;
        return -1;
    }
    return 0;
}

/* an optional 1-d float64 vector of n values at a positive stride (None: NULL) */
static int rows_arg(PyObject *o, Py_buffer *view, Py_ssize_t n, const char *name)
{
    if (o == Py_None) {
        view->obj = NULL;
        view->buf = NULL;
        return 0;
    }
    if (PyObject_GetBuffer(o, view, PyBUF_STRIDES | PyBUF_FORMAT) < 0) {
        view->obj = NULL;
        return -1;
    }
    if (view->ndim != 1 || !th_is_float64(view) ||
        (view->shape[0] > 1 && (view->strides[0] <= 0 || view->strides[0] % 8 != 0))) {
        PyErr_Format(PyExc_TypeError, "glm_pass: %s must be a 1-d float64 array", name);
    } else if (view->shape[0] != n) {
        PyErr_Format(PyExc_ValueError, "glm_pass: %s has %zd values, expected %zd", name,
                     view->shape[0], n);
    } else {
        return 0;
    }
    PyBuffer_Release(view);
    view->obj = NULL;
    return -1;
}

PyObject *th_glm_pass(PyObject *self, PyObject *args)
{
    int family, fi, flags;
    double b;
    Py_ssize_t lo, hi;
    PyObject *xo, *yo, *wo, *oo, *co, *mo, *go, *ho, *so;
    int part = -1;
    if (!PyArg_ParseTuple(args, "iOOOOOOdpinnOOO|i", &family, &xo, &yo, &wo, &oo, &co, &mo, &b,
                          &fi, &flags, &lo, &hi, &go, &ho, &so, &part)) {
        return NULL;
    }
    dsyrk_t dsyrk = NULL;
    dgemm_t dgemm = NULL;
    if (PyTuple_Check(so)) { /* packed: (dsyrk, dgemm) */
        if (PyTuple_GET_SIZE(so) != 2) {
            PyErr_SetString(PyExc_TypeError, "glm_pass: packed needs (dsyrk, dgemm) capsules");
            return NULL;
        }
        if ((dsyrk = th_dsyrk_from(PyTuple_GET_ITEM(so, 0))) == NULL ||
            (dgemm = th_dgemm_from(PyTuple_GET_ITEM(so, 1))) == NULL) {
            return NULL;
        }
    } else if (so != Py_None && (dsyrk = th_dsyrk_from(so)) == NULL) {
        return NULL;
    }
    if (part < -1 || part > 1 || (part >= 0 && dgemm == NULL)) {
        PyErr_SetString(PyExc_ValueError, "glm_pass: part is -1, 0 or 1, and only packed");
        return NULL;
    }
    if (family != 0 && family != 1) {
        PyErr_SetString(PyExc_ValueError, "glm_pass: family must be 0 (logistic) or 1 (Poisson)");
        return NULL;
    }
    Py_buffer xv, yv, wv, ov, cv, mv, gv, hv;
    Py_buffer *all[] = {&yv, &wv, &ov, &cv, &mv, &gv, &hv};
    for (int q = 0; q < 7; q++) {
        all[q]->obj = NULL;
    }
    if (PyObject_GetBuffer(xo, &xv, PyBUF_STRIDES | PyBUF_FORMAT) < 0) {
        return NULL;
    }
    PyObject *out = NULL;
    double *cbuf = NULL, *zbuf = NULL;
    if (xv.ndim != 2 || !th_is_float64(&xv) ||
        (xv.shape[1] > 1 && xv.strides[1] != 8) ||
        (xv.shape[1] > 0 && (xv.strides[0] <= 0 || xv.strides[0] % 8 != 0))) {
        PyErr_SetString(PyExc_TypeError,
                        "glm_pass: X must be a 2-d float64 array with contiguous rows");
        goto done;
    }
    const Py_ssize_t n = xv.shape[0], p = xv.shape[1], k = p + (fi ? 1 : 0);
    if (p >= INT_MAX) {
        PyErr_Format(PyExc_ValueError, "glm_pass: X has %zd columns, BLAS's limit is 2^31", p);
        goto done;
    }
    if (lo < 0 || hi > n || lo > hi) {
        PyErr_Format(PyExc_ValueError, "glm_pass: rows %zd:%zd outside 0:%zd", lo, hi, n);
        goto done;
    }
    if (rows_arg(yo, &yv, n, "y") < 0 || rows_arg(wo, &wv, n, "w") < 0 ||
        rows_arg(oo, &ov, n, "offset") < 0 || vector_arg(co, &cv, p, "coef") < 0 ||
        vector_arg(mo, &mv, p, "centre") < 0 || vector_arg(go, &gv, k, "g") < 0 ||
        vector_arg(ho, &hv, dgemm ? k * (k + 1) / 2 : k * k, "H") < 0) {
        goto done;
    }
    if (yv.buf == NULL || cv.buf == NULL) {
        PyErr_SetString(PyExc_TypeError, "glm_pass: y and coef are required");
        goto done;
    }
    if ((gv.buf && gv.readonly) || (hv.buf && hv.readonly)) {
        PyErr_SetString(PyExc_ValueError, "glm_pass: g and H must be writable");
        goto done;
    }
    glm_t a = {
        .X = (const char *)xv.buf, .rs = xv.strides[0], .p = p, .k = k,
        .y = yv.buf, .w = wv.buf, .off = ov.buf,
        .ys = yv.buf ? yv.strides[0] : 0, .ws = wv.buf ? wv.strides[0] : 0,
        .os = ov.buf ? ov.strides[0] : 0, .coef = cv.buf, .centre = mv.buf,
        .b = b, .fi = fi, .family = family,
        .want_nll = (flags & 1) != 0, .want_grad = (flags & 2) && gv.buf,
        .want_hess = (flags & 4) && hv.buf, .g = gv.buf, .H = hv.buf, .cbuf = NULL,
        .dsyrk = NULL, .dgemm = NULL, .part = part, .zbuf = NULL,
    };
    /* the scaled block for BLAS: packed, GLM_FROWS rows of k values; else GLM_ZROWS of p */
    const int packed = dgemm != NULL;
    if (dsyrk != NULL && a.want_hess && (packed ? k : p) > 0) {
        zbuf = PyMem_RawMalloc(sizeof(double) * (packed ? GLM_FROWS * (size_t)k
                                                         : GLM_ZROWS * (size_t)p));
        if (zbuf == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        a.dsyrk = dsyrk;
        a.dgemm = dgemm;
        a.zbuf = zbuf;
    }
    a.tp = a.dsyrk == NULL && p <= GLM_TP;
    if (mv.buf != NULL && p > 0 && !a.tp) { /* (transposed blocks are centred as copied) */
        cbuf = PyMem_RawMalloc(sizeof(double) * GLM_BLOCK * (size_t)p);
        if (cbuf == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        a.cbuf = cbuf;
    }
    double nll = 0.0, emax = 0.0;
    Py_BEGIN_ALLOW_THREADS
    glm_rows(&a, lo, hi, &nll, &emax);
    Py_END_ALLOW_THREADS
    out = Py_BuildValue("(dd)", nll, emax);
done:
    PyMem_RawFree(cbuf);
    PyMem_RawFree(zbuf);
    for (int q = 0; q < 7; q++) {
        if (all[q]->obj != NULL) {
            PyBuffer_Release(all[q]);
        }
    }
    PyBuffer_Release(&xv);
    return out;
}

#endif /* __GNUC__ */
