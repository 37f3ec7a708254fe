/*
 * Order statistics of small and medium samples without branch mispredictions.
 *
 * multi_select(src, m, ks, nk, vals, a, b, levels) -> the order statistics of ranks
 *     ks[0] < ... < ks[nk - 1] of src[0..m) (src is not changed, a and b are scratch of
 *     m doubles each; the values must not be NaN), one partition tree for all of them.
 *     src may be b itself: it is read only by the first partition, into a.
 * t_start(x) -> (median, MAD, lo, hi, min, max), or None when a value is not finite
 *     StudentT._robust_start's robust statistics of unweighted data in one call
 *     (selection instead of sorts): the median, the median absolute deviation from
 *     it, the (n // 100)-th smallest and largest values (0-based ranks n // 100 and
 *     n - 1 - n // 100: the smallest and largest below 100 values), and the smallest
 *     and largest value.
 *
 * Why not quickselect: its partition loop branches on every comparison with the
 * pivot, and on fresh data the branch goes either way at random. On this project's
 * machine that cost about 20 ns a value (a median of 1,000 values 12-20 us), and
 * Student t's robust start (four selections) took 69-83 us on fresh samples of 1,000
 * values; repeating one sample hid most of it (21-47 us), since the predictor learns
 * the comparisons of a sample it has seen. Here each level partitions from one buffer
 * into the other, four values at a time without a branch: the comparison's mask picks
 * a permutation that moves the values below the pivot to the front and the rest to
 * the back, stored whole at both ends of the output (AVX2, chosen at run time;
 * elsewhere the same partition one value at a time, with the branch turned into
 * arithmetic). The pivot is taken from 16 evenly spaced values at the k-th value's
 * expected rank (for a single rank, one past it on its side of the middle, so that
 * its part is the smaller one: about 1.7 m values visited). Ties: when nothing is
 * below the pivot (it is the smallest value), the values equal to it are split off
 * instead, so every level makes progress; should pivots keep missing (an adversarial
 * order), the rest is sorted.
 */
#include "_kernels.h"
#include "_vecmath.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>


#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define TH_SELECT_X86 1
#endif

#define SELECT_SMALL 32 /* subarrays of at most this many values: insertion sort */
#define SAMPLE 16

/* sorts v[0..m) (m small) */
static void insertion_sort(double *v, Py_ssize_t m)
{
    for (Py_ssize_t i = 1; i < m; i++) {
        const double t = v[i];
        Py_ssize_t j = i;
        while (j > 0 && v[j - 1] > t) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = t;
    }
}

/* the pivot for the k-th of src[0..m): among 16 evenly spaced values, the one at k's
   expected rank; with lean, one past it on k's side of the middle (so that k's part
   is the smaller one) */
static double pick_pivot(const double *src, Py_ssize_t m, Py_ssize_t k, int lean)
{
    double s[SAMPLE];
    for (Py_ssize_t j = 0; j < SAMPLE; j++) {
        s[j] = src[(Py_ssize_t)(((double)j + 0.5) * (double)m / SAMPLE)];
    }
    insertion_sort(s, SAMPLE);
    const double t = ((double)k + 0.5) * SAMPLE / (double)m;
    Py_ssize_t r = !lean ? (Py_ssize_t)t : (2 * k < m ? (Py_ssize_t)t + 1 : (Py_ssize_t)t - 1);
    r = r < 0 ? 0 : (r > SAMPLE - 1 ? SAMPLE - 1 : r);
    return s[r];
}

/* dst[0..lo) the values of src[0..m) below the pivot (at or below it with le),
   dst[lo..m) the others; returns lo. One value at a time, without a branch. */
static Py_ssize_t partition_scalar(const double *src, double *dst, Py_ssize_t m, double pivot,
                                   int le)
{
    Py_ssize_t lo = 0, hi = m;
    for (Py_ssize_t i = 0; i < m; i++) {
        const double x = src[i];
        const Py_ssize_t left = le ? x <= pivot : x < pivot;
        /* written at both ends of the unfilled middle dst[lo..hi): the end whose
           counter moves keeps it, the other copy is overwritten later */
        dst[lo] = x;
        dst[hi - 1] = x;
        lo += left;
        hi -= 1 - left;
    }
    return lo;
}

#ifdef TH_SELECT_X86
/* PERM[mask]: the 32-bit lane indices that move the 64-bit lanes set in the 4-bit mask
   to the front, in order, and the others after them */
static const int32_t PERM[16][8] = {
    {0, 1, 2, 3, 4, 5, 6, 7},
    {0, 1, 2, 3, 4, 5, 6, 7},
    {2, 3, 0, 1, 4, 5, 6, 7},
    {0, 1, 2, 3, 4, 5, 6, 7},
    {4, 5, 0, 1, 2, 3, 6, 7},
    {0, 1, 4, 5, 2, 3, 6, 7},
    {2, 3, 4, 5, 0, 1, 6, 7},
    {0, 1, 2, 3, 4, 5, 6, 7},
    {6, 7, 0, 1, 2, 3, 4, 5},
    {0, 1, 6, 7, 2, 3, 4, 5},
    {2, 3, 6, 7, 0, 1, 4, 5},
    {0, 1, 2, 3, 6, 7, 4, 5},
    {4, 5, 6, 7, 0, 1, 2, 3},
    {0, 1, 4, 5, 6, 7, 2, 3},
    {2, 3, 4, 5, 6, 7, 0, 1},
    {0, 1, 2, 3, 4, 5, 6, 7},
};

__attribute__((target("avx2"))) static Py_ssize_t partition_avx2(const double *src, double *dst,
                                                                  Py_ssize_t m, double pivot,
                                                                  int le)
{
    /* PERM[mask] puts the values below the pivot first and the others last: the
       permuted four are stored whole at both ends of the unfilled middle dst[lo..hi),
       and each end keeps its lanes (the other lanes land in the middle, to be
       overwritten). While the middle holds at least 8 values neither store can reach
       the lanes the other keeps; the last values go one at a time. */
    const __m256d p = _mm256_set1_pd(pivot);
    Py_ssize_t lo = 0, hi = m, i = 0;
    for (; i + 8 <= m; i += 4) {
        const __m256d x = _mm256_loadu_pd(src + i);
        const __m256d c = le ? _mm256_cmp_pd(x, p, _CMP_LE_OQ) : _mm256_cmp_pd(x, p, _CMP_LT_OQ);
        const int mask = _mm256_movemask_pd(c);
        const int nl = __builtin_popcount((unsigned)mask);
        const __m256i perm = _mm256_loadu_si256((const __m256i *)PERM[mask]);
        const __m256d y = _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(x), perm));
        _mm256_storeu_pd(dst + lo, y);
        _mm256_storeu_pd(dst + hi - 4, y);
        lo += nl;
        hi -= 4 - nl;
    }
    return lo + partition_scalar(src + i, dst + lo, m - i, pivot, le);
}
#endif

static Py_ssize_t partition(const double *src, double *dst, Py_ssize_t m, double pivot, int le)
{
#ifdef TH_SELECT_X86
    if (__builtin_cpu_supports("avx2")) {
        return partition_avx2(src, dst, m, pivot, le);
    }
#endif
    return partition_scalar(src, dst, m, pivot, le);
}

/* partitioning levels before the rest is sorted: a level keeps about 9/16 of the
   values at worst on random input, so only an adversarial order runs out */
static int max_levels(Py_ssize_t m)
{
    int levels = 8;
    for (Py_ssize_t r = m; r > 1; r /= 2) {
        levels += 2;
    }
    return levels;
}

static int cmp_double(const void *p, const void *q)
{
    const double x = *(const double *)p, y = *(const double *)q;
    return (x > y) - (x < y);
}

/* The order statistics of ranks ks[0] < ks[1] < ... < ks[nk - 1] of src[0..m), into
   vals (at most 8 ranks); out and spare are scratch of m doubles, and src may be spare
   (as it is in the recursion). Each level partitions src into out and goes on in each
   part that holds a rank, the part's next output at the same offsets of the other
   buffer, so the parts never overlap. The pivot is at the middle rank's expected
   value; for a single rank it leans so that the rank's part is the smaller one (about
   1.7 m values visited in all). The median and the trimming bounds of t_start cost one
   partition of all values and then one of each half, where separate selections
   partitioned all values three times. After ``levels`` partitions (only an
   adversarial order gets there) the rest is sorted: O(m log m) at worst. */
static void multi_select(const double *src, Py_ssize_t m, const Py_ssize_t *ks, int nk,
                         double *vals, double *out, double *spare, int levels)
{
    if (nk == 0) {
        return;
    }
    if (m <= SELECT_SMALL || levels < 0) {
        memcpy(out, src, (size_t)m * sizeof(double));
        if (m <= SELECT_SMALL) {
            insertion_sort(out, m);
        } else {
            qsort(out, (size_t)m, sizeof(double), cmp_double);
        }
        for (int j = 0; j < nk; j++) {
            vals[j] = out[ks[j]];
        }
        return;
    }
    const double pivot = pick_pivot(src, m, ks[nk / 2], nk == 1);
    Py_ssize_t lo = partition(src, out, m, pivot, 0);
    int j = 0;
    if (lo == 0) { /* the pivot is the smallest value: the values equal to it first */
        lo = partition(src, out, m, pivot, 1);
        for (; j < nk && ks[j] < lo; j++) {
            vals[j] = pivot;
        }
    } else {
        while (j < nk && ks[j] < lo) {
            j++;
        }
        multi_select(out, lo, ks, j, vals, spare, out, levels - 1);
    }
    Py_ssize_t right[8];
    const int nr = nk - j;
    for (int i = 0; i < nr; i++) {
        right[i] = ks[j + i] - lo;
    }
    multi_select(out + lo, m - lo, right, nr, vals + j, spare + lo, out + lo, levels - 1);
}

/* the smallest and largest of x[0..m) (m >= 1); returns 0 when every value is finite,
   else NaN (x * 0 summed: NaN for a NaN or an infinity) */
TH_CLONES
static double min_max(const double *x, Py_ssize_t m, double *lo, double *hi)
{
    vd vlo = vsplat(x[0]), vhi = vlo, probe = vsplat(0.0);
    Py_ssize_t i = 0;
    for (; i + 4 <= m; i += 4) {
        const vd v = vload(x + i);
        vlo = vsel((vi)(v < vlo), v, vlo);
        vhi = vsel((vi)(v > vhi), v, vhi);
        probe += v * vsplat(0.0);
    }
    double a = fmin(fmin(vlo[0], vlo[1]), fmin(vlo[2], vlo[3]));
    double b = fmax(fmax(vhi[0], vhi[1]), fmax(vhi[2], vhi[3]));
    double p = vsum(probe);
    for (; i < m; i++) {
        a = x[i] < a ? x[i] : a;
        b = x[i] > b ? x[i] : b;
        p += x[i] * 0.0;
    }
    *lo = a;
    *hi = b;
    return p;
}

/* out[i] = |x[i] - c| */
TH_CLONES
static void abs_dev(const double *x, Py_ssize_t m, double c, double *out)
{
    const vd vc = vsplat(c);
    const vi no_sign = {0x7fffffffffffffffLL, 0x7fffffffffffffffLL, 0x7fffffffffffffffLL,
                        0x7fffffffffffffffLL};
    Py_ssize_t i = 0;
    for (; i + 4 <= m; i += 4) {
        const vd d = vload(x + i) - vc;
        const vd r = (vd)((vi)d & no_sign);
        memcpy(out + i, &r, sizeof r);
    }
    for (; i < m; i++) {
        out[i] = fabs(x[i] - c);
    }
}

/* ------------------------------------------------------------ robust start */
PyObject *th_t_start(PyObject *self, PyObject *arg)
{
    Py_buffer xv;
    if (th_get_float64_buffer(arg, &xv) < 0) {
        return NULL;
    }
    const double *x = (const double *)xv.buf;
    const Py_ssize_t m = xv.len / 8;
    if (m < 1) {
        PyBuffer_Release(&xv);
        PyErr_SetString(PyExc_ValueError, "t_start needs at least one value");
        return NULL;
    }
    double xmin, xmax;
    if (min_max(x, m, &xmin, &xmax) != 0.0) { /* a NaN or infinity: the Python start decides */
        PyBuffer_Release(&xv);
        Py_RETURN_NONE;
    }
    /* a, b: the selections' scratch (the raw allocator, so tracemalloc counts it) */
    double *a = PyMem_RawMalloc(2 * (size_t)m * sizeof(double));
    if (a == NULL) {
        PyBuffer_Release(&xv);
        return PyErr_NoMemory();
    }
    double loc, mad, lo = xmin, hi = xmax;
    Py_BEGIN_ALLOW_THREADS
    double *b = a + m;
    /* the median (and the value below it for even m) and the (m // 100)-th smallest and
       largest values of x (the extremes themselves below 100 values) */
    const Py_ssize_t mid = m / 2, cut = m / 100, even = m % 2 == 0;
    Py_ssize_t ks[4];
    double vals[4];
    int nk = 0;
    if (cut > 0) {
        ks[nk++] = cut;
    }
    if (even) {
        ks[nk++] = mid - 1;
    }
    ks[nk++] = mid;
    if (cut > 0) {
        ks[nk++] = m - 1 - cut;
    }
    const int levels = max_levels(m);
    multi_select(x, m, ks, nk, vals, a, b, levels);
    const int at_mid = (cut > 0) + (int)even;
    loc = even ? 0.5 * (vals[at_mid - 1] + vals[at_mid]) : vals[at_mid];
    if (cut > 0) {
        lo = vals[0];
        hi = vals[nk - 1];
    }
    /* |x - loc| into b, then selected from b itself: multi_select reads its source
       only in its first partition (into a), before any deeper level writes to b */
    abs_dev(x, m, loc, b);
    nk = 0;
    if (even) {
        ks[nk++] = mid - 1;
    }
    ks[nk++] = mid;
    multi_select(b, m, ks, nk, vals, a, b, levels);
    mad = even ? 0.5 * (vals[0] + vals[1]) : vals[0];
    Py_END_ALLOW_THREADS
    PyMem_RawFree(a);
    PyBuffer_Release(&xv);
    return Py_BuildValue("(dddddd)", loc, mad, lo, hi, xmin, xmax);
}
