/*
 * Four-lane double vectors (GCC/Clang vector extensions) with exp and log.
 *
 * The compiler maps a 32-byte vector to one AVX register, or to two SSE2/NEON
 * registers; on x86-64 Linux the kernels are also compiled for x86-64-v3 (AVX2 +
 * FMA) and picked at load time (target_clones). vexp and vlog are the classic
 * argument reductions (Cody-Waite for exp, fdlibm's log), written lane-wise so
 * they vectorise; both are within about one ulp over the ranges the kernels use,
 * which the tests check against numpy. They assume round-to-nearest and finite
 * arguments in range; callers route other values to a scalar path.
 */
#ifndef THETAHAT_VECMATH_H
#define THETAHAT_VECMATH_H

#include <stdint.h>
#include <string.h>

typedef double vd __attribute__((vector_size(32)));
typedef long long vi __attribute__((vector_size(32)));

#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define TH_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define TH_CLONES
#endif
#define TH_INLINE static inline __attribute__((always_inline))

TH_INLINE vd vsplat(double a)
{
    return (vd){a, a, a, a};
}

TH_INLINE vd vload(const double *p)
{
    vd v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* lanes of a where the mask m is set (all ones), else lanes of b */
TH_INLINE vd vsel(vi m, vd a, vd b)
{
    return (vd)((m & (vi)a) | (~m & (vi)b));
}

TH_INLINE double vsum(vd v)
{
    return (v[0] + v[1]) + (v[2] + v[3]);
}

/* 1 when any lane of the mask is set */
TH_INLINE int vany(vi m)
{
    return (m[0] | m[1] | m[2] | m[3]) != 0;
}

/* exp(x) for finite x <= 709; lanes below -708 give 0 (the true value is under 3e-308).
   n = round(x / log 2) by the 1.5 * 2^52 shift, r = x - n log 2 in two parts
   (|r| <= log(2) / 2), exp(r) by its Taylor series to r^13 (truncation below 1e-17
   relative; Estrin's scheme), and 2^n added to the exponent bits. */
TH_INLINE vd vexp(vd x)
{
    const vd shift = vsplat(6755399441055744.0);
    const vd kd = x * vsplat(1.4426950408889634) + shift;
    const vd n = kd - shift;
    const vd r = (x - n * vsplat(6.93147180369123816490e-01)) - n * vsplat(1.90821492927058770002e-10);
    /* Estrin's scheme: a dependency chain of 5 multiply-adds instead of Horner's 13 */
    const vd r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    const vd q0 = vsplat(1.0) + r;
    const vd q1 = vsplat(0.5) + r * vsplat(1.0 / 6.0);
    const vd q2 = vsplat(1.0 / 24.0) + r * vsplat(1.0 / 120.0);
    const vd q3 = vsplat(1.0 / 720.0) + r * vsplat(1.0 / 5040.0);
    const vd q4 = vsplat(1.0 / 40320.0) + r * vsplat(1.0 / 362880.0);
    const vd q5 = vsplat(1.0 / 3628800.0) + r * vsplat(1.0 / 39916800.0);
    const vd q6 = vsplat(1.0 / 479001600.0) + r * vsplat(1.0 / 6227020800.0);
    const vd u0 = q0 + q1 * r2, u1 = q2 + q3 * r2, u2 = q4 + q5 * r2;
    const vd v0 = u0 + u1 * r4, v1 = u2 + q6 * r4;
    const vd p = v0 + v1 * r8;
    const vi e = ((vi)kd - (vi)shift) << 52;
    const vd y = (vd)((vi)p + e);
    const vi under = (vi)(x < vsplat(-708.0));
    return (vd)(~under & (vi)y);
}

/* log(x) for normal positive finite x (fdlibm's __ieee754_log, lane-wise):
   x = 2^e m with m in [sqrt(1/2), sqrt(2)), f = m - 1 (exact), s = f / (2 + f),
   log m = f - (f^2/2 - s (f^2/2 + R(s^2))) with fdlibm's minimax R. */
TH_INLINE vd vlog(vd x)
{
    const vi bits = (vi)x;
    const vi mant = (vi){0x000fffffffffffffLL, 0x000fffffffffffffLL, 0x000fffffffffffffLL,
                         0x000fffffffffffffLL};
    const vi one = (vi){0x3ff0000000000000LL, 0x3ff0000000000000LL, 0x3ff0000000000000LL,
                        0x3ff0000000000000LL};
    const vi magic = (vi){0x4330000000000000LL, 0x4330000000000000LL, 0x4330000000000000LL,
                          0x4330000000000000LL};
    vd m = (vd)((bits & mant) | one);
    vd e = (vd)((bits >> 52) | magic) - vsplat(4503599627371519.0); /* 2^52 + 1023 */
    const vi big = (vi)(m > vsplat(1.4142135623730951));
    m = vsel(big, m * vsplat(0.5), m);
    e = vsel(big, e + vsplat(1.0), e);
    const vd f = m - vsplat(1.0);
    const vd s = f / (vsplat(2.0) + f);
    const vd z = s * s;
    const vd w = z * z;
    const vd t1 = w * (vsplat(3.999999999940941908e-01) +
                       w * (vsplat(2.222219843214978396e-01) + w * vsplat(1.531383769920937332e-01)));
    const vd t2 = z * (vsplat(6.666666666666735130e-01) +
                       w * (vsplat(2.857142874366239149e-01) +
                            w * (vsplat(1.818357216161805012e-01) + w * vsplat(1.479819860511658591e-01))));
    const vd hfsq = vsplat(0.5) * f * f;
    return e * vsplat(6.93147180369123816490e-01) -
           ((hfsq - (s * (hfsq + (t1 + t2)) + e * vsplat(1.90821492927058770002e-10))) - f);
}

#endif
