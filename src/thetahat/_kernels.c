/*
 * thetahat._kernels: optional compiled single-pass kernels for the hottest loops.
 *
 * The package works without this module (numpy fallbacks in thetahat._fastpath);
 * it is built when a C compiler is available and tested to agree with the
 * fallbacks. Every kernel reads a C-contiguous float64 buffer once, releases
 * the GIL while it runs, and returns plain Python numbers.
 *
 * count_stats(x) -> (first_bad, total, sum_log_factorial)
 *     For count data (Poisson, Geometric, ...): first_bad is the index of the
 *     first value that is not a finite non-negative integer, or -1 when every
 *     value is valid; total = sum(x); sum_log_factorial = sum(log(x!)).
 *     Blocks of counts below 16 (most count data) are checked and summed by
 *     four-lane vectors, branch-free, with sum(log x!) from a byte-counter histogram;
 *     blocks of counts below TABLE use a table of log(k!) per value; larger counts
 *     (and any block holding a bad value) the scalar loop, Stirling's series beyond TABLE.
 *     Sums are accumulated in blocks (four independent accumulators inside a
 *     block of BLOCK values, blocks added to a running total), so the rounding
 *     error grows with n / BLOCK + BLOCK / 4 rather than with n.
 *
 * centred_sums(x, c) -> (s, m2)
 *     s = sum(x - c) and m2 = sum((x - c)^2) in one read of x, without the
 *     temporary array numpy needs (the corrected two-pass method's sums about a
 *     provisional centre c; see thetahat.stats.chunk_moments). Eight partial sums
 *     (GCC/Clang vector extensions: SSE2 or NEON) inside blocks of 256 values; the
 *     block sums are added with Neumaier's compensation, so the error is about 40
 *     roundings whatever n is. A NaN or
 *     inf in x makes s or m2 non-finite, which the caller checks.
 *
 * syrk_add: a GLM pass's Hessian block added in place by BLAS dsyrk without the GIL
 *     (_kernels_blas.c).
 *
 * t_sums, weibull_moments, beta_sums: fused passes for the iterative families,
 *     in _kernels_fit.c (GCC/Clang only: they use vector extensions).
 */
#include "_kernels.h"

#include <stdint.h>
#include <string.h>

#define TABLE TH_LOG_FACT_TABLE
#define BLOCK 1020 /* a multiple of 4, and 255 values per lane (count_block_hist) */
#define MAGIC 4503599627370496.0 /* 2^52 */
#define MAGIC_BITS 0x4330000000000000ULL

static double log_fact[TABLE];
const double *const th_log_fact = log_fact; /* (filled at import, read-only after) */

/* log(v!) for counts v >= TABLE by Stirling's series for log Gamma(z), z = v + 1:
   (z - 1/2) log z - z + log(2 pi) / 2 + 1/(12 z) - 1/(360 z^3) + 1/(1260 z^5).
   For z > 4096 the first omitted term, 1/(1680 z^7), is below 1e-28, far under
   one rounding; unlike lgamma it touches no global state (glibc's lgamma writes
   signgam), so worker threads may call it. The table below TABLE uses lgamma at
   import, under the GIL. */
static double log_factorial_large(double v)
{
    const double z = v + 1.0, r = 1.0 / z, r2 = r * r;
    const double series = r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0)));
    return (z - 0.5) * log(z) - z + 0.91893853320467274178 + series;
}

/* 1 when v is a finite non-negative integer. NaN fails every comparison. */
static int is_count(double v)
{
    return v >= 0.0 && v < INFINITY && floor(v) == v;
}

#if defined(__GNUC__)
/* log(v!) = log Gamma(v + 1) for any v >= 0: the table, Stirling's series for larger
   counts, lgamma_r (reentrant: worker threads call this) for non-integers. For the GLM
   pass (_kernels_glm.c, through _kernels.h's th_log_factorial), which GCC and Clang
   build. */
double th_log_factorial_any(double v)
{
    if (is_count(v)) {
        return v < TABLE ? log_fact[(int)v] : log_factorial_large(v);
    }
    int sign;
    return lgamma_r(v + 1.0, &sign);
}
#endif

int th_is_float64(const Py_buffer *view)
{
    const char *fmt = view->format;
    /* native byte order only: '@', '=' or the explicit marker of this machine's order */
#if PY_LITTLE_ENDIAN
    const char native = '<';
#else
    const char native = '>';
#endif
    if (fmt != NULL && (fmt[0] == native || fmt[0] == '=' || fmt[0] == '@')) {
        fmt++;
    }
    return view->itemsize == 8 && fmt != NULL && strcmp(fmt, "d") == 0;
}

int th_get_float64_buffer(PyObject *obj, Py_buffer *view)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        return -1;
    }
    if (!th_is_float64(view)) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_TypeError, "expected a C-contiguous float64 buffer");
        return -1;
    }
    return 0;
}

#if defined(__GNUC__)
#include "_vecmath.h"

/* Checks and sums of the first len - len % 4 values of a block by four-lane vectors,
   branch-free: for 0 <= v < 2^52, t = v + 2^52 holds v in its low mantissa bits, so
   (t - 2^52) - v is +0 exactly for integers (NaN, inf and fractions leave bits set),
   and idx = bits(t) - bits(2^52) is the count, below 2^b iff no bit from b up is set
   (negative values wrap to huge). A bad value is only noticed at the end of the block,
   which then returns 0 having added nothing (the caller takes the scalar path). */
#define VEC_CHECK_SETUP                                                                 \
    const vd magic = vsplat(MAGIC);                                                    \
    const vi magic_bits = (vi){(long long)MAGIC_BITS, (long long)MAGIC_BITS,           \
                               (long long)MAGIC_BITS, (long long)MAGIC_BITS};          \
    vi bad = {0, 0, 0, 0}, seen = {0, 0, 0, 0}, isum = {0, 0, 0, 0};                    \
    const Py_ssize_t m = len - len % 4
#define VEC_CHECK_STEP                                                                  \
    const vd v = vload(x + i);                                                          \
    const vd t = v + magic;                                                             \
    bad |= (vi)((t - magic) - v);                                                       \
    const vi idx = (vi)t - magic_bits;                                                  \
    seen |= idx;                                                                        \
    isum += idx

/* Counts below 16 (len <= BLOCK): a histogram in byte counters instead of a table
   lookup per value; lane k of lo counts the values 0..7 of its column in byte v, hi the
   values 8..15 (255 values per lane at most: no byte overflows). sum(log v!) is then
   16 products per lane. Returns the values taken, or 0 (a bad or larger value). */
TH_CLONES
static Py_ssize_t count_block_hist(const double *x, Py_ssize_t len, double *total, double *lf)
{
    VEC_CHECK_SETUP;
    const vi one = {1, 1, 1, 1}, c63 = {63, 63, 63, 63}, c8 = {8, 8, 8, 8};
    vi lo = {0, 0, 0, 0}, hi = {0, 0, 0, 0};
    for (Py_ssize_t i = 0; i < m; i += 4) {
        VEC_CHECK_STEP;
        const vi inc = one << ((idx << 3) & c63);
        const vi small = (vi)(idx < c8);
        lo += inc & small;
        hi += inc & ~small;
    }
    if (vany(bad | (seen >> 4))) {
        return 0;
    }
    double l = 0.0;
    for (int k = 0; k < 4; k++) {
        for (int b = 0; b < 8; b++) {
            l += (double)((lo[k] >> (8 * b)) & 255) * log_fact[b] +
                 (double)((hi[k] >> (8 * b)) & 255) * log_fact[b + 8];
        }
    }
    *total += (double)((isum[0] + isum[1]) + (isum[2] + isum[3]));
    *lf += l;
    return m;
}

#if defined(__x86_64__)
#include <immintrin.h>
/* count_block_hist with AVX2 intrinsics, picked at run time where the CPU has AVX2.
   The histogram is kept in 4-bit counters (bin v in bits 4v..4v+3 of a lane: one
   vpsllvq of 1 by 4 v per four values, where the byte version needed two shifts, a
   subtraction and two adds), flushed into byte counters every 15 steps before a nibble
   can overflow (bins 0, 2, ..., 14 and 1, 3, ..., 15 into two registers; a lane's byte
   takes 255 values, a block's most). A bad value's shift (4 v of 64 or more, or a
   negative v wrapped to huge) gives 0 and is caught by the checks. The sum of the
   values comes from the histogram. 10 vector operations per four values (was 13). */
__attribute__((target("avx2"))) static Py_ssize_t count_block_hist_avx2(const double *x,
                                                                         Py_ssize_t len,
                                                                         double *total, double *lf)
{
    const __m256d magic = _mm256_set1_pd(MAGIC);
    const __m256i magic_bits = _mm256_set1_epi64x((long long)MAGIC_BITS);
    const __m256i one = _mm256_set1_epi64x(1);
    const __m256i nib = _mm256_set1_epi64x(0x0F0F0F0F0F0F0F0FLL);
    __m256i bad = _mm256_setzero_si256(), seen = bad, even = bad, odd = bad;
    const Py_ssize_t m = len - len % 4;
    Py_ssize_t i = 0;
    while (i < m) {
        const Py_ssize_t stop = (m - i < 4 * 15) ? m : i + 4 * 15;
        __m256i h = _mm256_setzero_si256();
        for (; i < stop; i += 4) {
            const __m256d v = _mm256_loadu_pd(x + i);
            const __m256d t = _mm256_add_pd(v, magic);
            bad = _mm256_or_si256(bad,
                                  _mm256_castpd_si256(_mm256_sub_pd(_mm256_sub_pd(t, magic), v)));
            const __m256i idx = _mm256_sub_epi64(_mm256_castpd_si256(t), magic_bits);
            seen = _mm256_or_si256(seen, idx);
            h = _mm256_add_epi64(h, _mm256_sllv_epi64(one, _mm256_slli_epi64(idx, 2)));
        }
        even = _mm256_add_epi64(even, _mm256_and_si256(h, nib));
        odd = _mm256_add_epi64(odd, _mm256_and_si256(_mm256_srli_epi64(h, 4), nib));
    }
    const __m256i any = _mm256_or_si256(bad, _mm256_srli_epi64(seen, 4));
    if (!_mm256_testz_si256(any, any)) {
        return 0;
    }
    long long ce[4], co[4];
    _mm256_storeu_si256((__m256i *)ce, even);
    _mm256_storeu_si256((__m256i *)co, odd);
    long long s = 0;
    double l = 0.0;
    for (int k = 0; k < 4; k++) {
        for (int b = 0; b < 8; b++) {
            const long long a = (ce[k] >> (8 * b)) & 255, c = (co[k] >> (8 * b)) & 255;
            s += a * (2 * b) + c * (2 * b + 1);
            l += (double)a * log_fact[2 * b] + (double)c * log_fact[2 * b + 1];
        }
    }
    *total += (double)s;
    *lf += l;
    return m;
}
static int have_avx2 = 0;
#define COUNT_BLOCK_HIST(x, len, total, lf)                                                  \
    (have_avx2 ? count_block_hist_avx2(x, len, total, lf) : count_block_hist(x, len, total, lf))
#else
#define COUNT_BLOCK_HIST count_block_hist
#endif

/* Counts below TABLE: one table lookup of log(v!) per value (the index masked, so a bad
   value reads in bounds before the block is rejected). Returns the values taken or 0. */
TH_CLONES
static Py_ssize_t count_block_table(const double *x, Py_ssize_t len, double *total, double *lf)
{
    VEC_CHECK_SETUP;
    const vi mask = (vi){TABLE - 1, TABLE - 1, TABLE - 1, TABLE - 1};
    double l0 = 0.0, l1 = 0.0, l2 = 0.0, l3 = 0.0;
    for (Py_ssize_t i = 0; i < m; i += 4) {
        VEC_CHECK_STEP;
        const vi j = idx & mask;
        l0 += log_fact[j[0]];
        l1 += log_fact[j[1]];
        l2 += log_fact[j[2]];
        l3 += log_fact[j[3]];
    }
    if (vany(bad | (seen >> 12))) {
        return 0;
    }
    *total += (double)((isum[0] + isum[1]) + (isum[2] + isum[3]));
    *lf += (l0 + l1) + (l2 + l3);
    return m;
}
#endif

static PyObject *count_stats(PyObject *self, PyObject *arg)
{
    Py_buffer view;
    if (th_get_float64_buffer(arg, &view) < 0) {
        return NULL;
    }
    const double *x = (const double *)view.buf;
    const Py_ssize_t n = view.len / 8;
    Py_ssize_t bad = -1;
    double total = 0.0, lf_total = 0.0;
    int skip = 0, backoff = 0;
    (void)skip;
    (void)backoff;

    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t start = 0; start < n && bad < 0; start += BLOCK) {
        const Py_ssize_t stop = (n - start < BLOCK) ? n : start + BLOCK;
        double s[4] = {0.0, 0.0, 0.0, 0.0};
        double l[4] = {0.0, 0.0, 0.0, 0.0};
        uint64_t si = 0;
        Py_ssize_t i = start;
#if defined(__GNUC__)
        /* small counts by histogram, else the table; after a block the histogram could
           not take, it is tried again only after 1, 3, 7, ... 63 blocks (rare large
           counts cost a block now and then, data of large counts about 1/64 more) */
        Py_ssize_t took = 0;
        if (skip == 0) {
            took = COUNT_BLOCK_HIST(x + start, stop - start, &total, &lf_total);
            backoff = took ? 0 : (backoff < 32 ? 2 * backoff + 1 : 63);
            skip = backoff;
        } else {
            skip--;
        }
        if (took == 0) {
            took = count_block_table(x + start, stop - start, &total, &lf_total);
        }
        i += took;
#endif
        for (; i + 4 <= stop; i += 4) {
            /* fast path: four small counts. For 0 <= v < 2^52, t = v + 2^52 holds round(v)
               in its low mantissa bits; t - 2^52 == v tests integrality (and NaN). */
            uint64_t idx[4];
            int ok = 1;
            for (int k = 0; k < 4; k++) {
                const double v = x[i + k];
                const double t = v + MAGIC;
                uint64_t bits;
                memcpy(&bits, &t, sizeof bits);
                idx[k] = bits - MAGIC_BITS;
                ok &= (idx[k] < (uint64_t)TABLE) & ((t - MAGIC) == v);
            }
            if (ok) {
                si += (idx[0] + idx[1]) + (idx[2] + idx[3]);
                for (int k = 0; k < 4; k++) {
                    l[k] += log_fact[idx[k]];
                }
                continue;
            }
            for (int k = 0; k < 4; k++) {
                const double v = x[i + k];
                if (!is_count(v)) {
                    bad = i + k;
                    break;
                }
                s[k] += v;
                l[k] += (v < TABLE) ? log_fact[(int)v] : log_factorial_large(v);
            }
            if (bad >= 0) {
                break;
            }
        }
        for (; bad < 0 && i < stop; i++) {
            const double v = x[i];
            if (!is_count(v)) {
                bad = i;
                break;
            }
            s[0] += v;
            l[0] += (v < TABLE) ? log_fact[(int)v] : log_factorial_large(v);
        }
        total += (double)si + ((s[0] + s[1]) + (s[2] + s[3]));
        lf_total += (l[0] + l[1]) + (l[2] + l[3]);
    }
    Py_END_ALLOW_THREADS

    PyBuffer_Release(&view);
    return Py_BuildValue("(ndd)", bad, total, lf_total);
}

#if defined(__GNUC__)
typedef double v2d __attribute__((vector_size(16)));
#endif

static PyObject *centred_sums(PyObject *self, PyObject *args)
{
    PyObject *obj;
    double c;
    if (!PyArg_ParseTuple(args, "Od", &obj, &c)) {
        return NULL;
    }
    Py_buffer view;
    if (th_get_float64_buffer(obj, &view) < 0) {
        return NULL;
    }
    const double *x = (const double *)view.buf;
    const Py_ssize_t n = view.len / 8;
    kahan_t s_tot = {0.0, 0.0}, q_tot = {0.0, 0.0};

    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t start = 0; start < n; start += 256) {
        const Py_ssize_t stop = (n - start < 256) ? n : start + 256;
        double sb = 0.0, qb = 0.0;
        Py_ssize_t i = start;
#if defined(__GNUC__)
        /* eight partial sums in four two-lane vectors (SSE2 / NEON) */
        const v2d cc = {c, c};
        v2d s0 = {0.0, 0.0}, s1 = s0, s2 = s0, s3 = s0, q0 = s0, q1 = s0, q2 = s0, q3 = s0;
        for (; i + 8 <= stop; i += 8) {
            v2d a, b, e, f;
            memcpy(&a, x + i, sizeof a);
            memcpy(&b, x + i + 2, sizeof b);
            memcpy(&e, x + i + 4, sizeof e);
            memcpy(&f, x + i + 6, sizeof f);
            a -= cc;
            b -= cc;
            e -= cc;
            f -= cc;
            s0 += a;
            s1 += b;
            s2 += e;
            s3 += f;
            q0 += a * a;
            q1 += b * b;
            q2 += e * e;
            q3 += f * f;
        }
        const v2d st = (s0 + s1) + (s2 + s3), qt = (q0 + q1) + (q2 + q3);
        sb = st[0] + st[1];
        qb = qt[0] + qt[1];
#endif
        for (; i < stop; i++) {
            const double d = x[i] - c;
            sb += d;
            qb += d * d;
        }
        kahan_add(&s_tot, sb);
        kahan_add(&q_tot, qb);
    }
    Py_END_ALLOW_THREADS

    PyBuffer_Release(&view);
    return Py_BuildValue("(dd)", s_tot.sum + s_tot.comp, q_tot.sum + q_tot.comp);
}

static PyMethodDef methods[] = {
    {"syrk_add", th_syrk_add, METH_VARARGS,
     "syrk_add(dsyrk_capsule, Z, H_t, rows, p, k) -> None: H[:p, :p] += Z[:rows]' Z[:rows], "
     "upper triangle, GIL released (see _kernels_blas.c)."},
    {"count_stats", count_stats, METH_O,
     "count_stats(x) -> (first_bad, total, sum_log_factorial) for float64 count data."},
    {"centred_sums", centred_sums, METH_VARARGS,
     "centred_sums(x, c) -> (sum(x - c), sum((x - c)**2)) for float64 data."},
#if defined(__GNUC__)
    {"glm_pass", th_glm_pass, METH_VARARGS,
     "glm_pass(family, X, y, w, offset, coef, centre, intercept, fit_intercept, flags, lo, hi, "
     "g, H, dsyrk) -> (nll, eta_max): a logistic or Poisson GLM's fused pass (see "
     "_kernels_glm.c)."},
    {"t_sums", th_t_sums, METH_VARARGS,
     "t_sums(x, w, nu, loc, scale) -> the Student t score/Hessian sums (see _kernels_fit.c)."},
    {"t_newton", th_t_newton, METH_VARARGS,
     "t_newton(x, w, n, log_2pi, z0, free, fixed, xtol, tol, nu_cap, maxiter) -> a small "
     "Student t fit's Newton solve (see _kernels_newton.c)."},
    {"t_start", th_t_start, METH_O,
     "t_start(x) -> (median, MAD, (n // 100)-th smallest and largest, min, max) (see "
     "_kernels_select.c)."},
    {"weibull_profile", th_weibull_profile, METH_VARARGS,
     "weibull_profile(lx, n, ltop, k, max_passes) -> the exact passes of a small Weibull "
     "fit's profile Newton (see _kernels_newton.c)."},
    {"weibull_moments", th_weibull_moments, METH_VARARGS,
     "weibull_moments(x, w, ltop, k, logged=False) -> the Weibull shape moments "
     "(see _kernels_fit.c)."},
    {"beta_sums", th_beta_sums, METH_VARARGS,
     "beta_sums(x, w) -> (first_bad, sum w log x, sum w log(1 - x))."},
    {"gamma_walk", th_gamma_walk, METH_VARARGS,
     "gamma_walk(y, a, c, cut, F, S) -> None: P(a, y) and Q(a, y) at sorted y from anchors "
     "(see _kernels_fit.c)."},
    {"edf_stats", th_edf_stats, METH_VARARGS,
     "edf_stats(u, s) -> (ks, cvm, ad) of sorted cdf values (see _kernels_fit.c)."},
#endif
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_kernels", "Optional compiled kernels for thetahat.", -1, methods,
};

PyMODINIT_FUNC PyInit__kernels(void)
{
#if defined(__GNUC__) && defined(__x86_64__)
    __builtin_cpu_init();
    have_avx2 = __builtin_cpu_supports("avx2");
#endif
    for (int k = 0; k < TABLE; k++) {
        log_fact[k] = lgamma((double)k + 1.0);
    }
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && PyModule_AddIntConstant(m, "TABLE", TABLE) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
