/* The elementwise kernels of the compiled step, in C so that they vectorise.
 *
 * numpy picks SIMD code for the CPU it runs on; these kernels do the same with
 * GCC's target_clones on x86-64 Linux (AVX-512, AVX2 or the SSE2 baseline,
 * chosen once when the module loads), and are built for the baseline
 * elsewhere. libm's exp does not vectorise, so e^x is computed here as
 * 2^k e^f, k = round(x / ln 2), |f| <= ln(2) / 2, with e^f from its Taylor
 * polynomial to f^13: a relative error of a few units in the last place.
 * float32 arrays go through the same double-precision e^x and are rounded once.
 */
#ifndef SIGMOIDNET_KERNELS_H
#define SIGMOIDNET_KERNELS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11 && defined(__x86_64__) && \
    defined(__GLIBC__)
#define SIGMOIDNET_CLONES \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SIGMOIDNET_CLONES
#endif

/* Beyond these, e^x is 0 (below, where it would be subnormal) or inf (above,
 * a little before the largest double: 2^k must stay a normal number). */
#define SIGMOIDNET_EXP_MIN (-708.39)
#define SIGMOIDNET_EXP_MAX 709.43

static inline double sigmoidnet_exp(double x)
{
    const double shifter = 6755399441055744.0; /* 1.5 * 2^52: adding it rounds to an integer */
    double clamped = x < SIGMOIDNET_EXP_MIN ? SIGMOIDNET_EXP_MIN : x;
    clamped = clamped > SIGMOIDNET_EXP_MAX ? SIGMOIDNET_EXP_MAX : clamped;
    double shifted = clamped * 1.4426950408889634 + shifter; /* k, in the low bits */
    double k = shifted - shifter;
    /* ln 2 in two parts, so that f = x - k ln 2 keeps its low bits */
    double f = (clamped - k * 0.6931471803691238) - k * 1.9082149292705877e-10;
    double p = 1.0 / 6227020800.0;
    p = p * f + 1.0 / 479001600.0;
    p = p * f + 1.0 / 39916800.0;
    p = p * f + 1.0 / 3628800.0;
    p = p * f + 1.0 / 362880.0;
    p = p * f + 1.0 / 40320.0;
    p = p * f + 1.0 / 5040.0;
    p = p * f + 1.0 / 720.0;
    p = p * f + 1.0 / 120.0;
    p = p * f + 1.0 / 24.0;
    p = p * f + 1.0 / 6.0;
    p = p * f + 0.5;
    p = p * f + 1.0;
    p = p * f + 1.0;
    uint64_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    uint64_t scale_bits = (bits + 1023) << 52; /* the exponent field of 2^k */
    double scale;
    memcpy(&scale, &scale_bits, sizeof scale);
    double y = p * scale;
    y = x < SIGMOIDNET_EXP_MIN ? 0.0 : y;
    return x > SIGMOIDNET_EXP_MAX ? INFINITY : y; /* NaN passes through as NaN */
}

/* σ(r) = 1 / (1 + e^-r), tanh(r) = 2 σ(2r) - 1 and e^r, in place; and Adam's
 * update of θ (as _optimizers.Adam.step, with the sums m / (1 - β₁) and
 * v / (1 - β₂), and every scalar factor folded into η), for one dtype. */
#define SIGMOIDNET_KERNELS(T, SQRT)                                                       \
    SIGMOIDNET_CLONES static void sigmoid_##T(T *restrict r, ptrdiff_t n)                 \
    {                                                                                     \
        for (ptrdiff_t i = 0; i < n; i++)                                                 \
            r[i] = (T)(1.0 / (1.0 + sigmoidnet_exp(-(double)r[i])));                      \
    }                                                                                     \
    SIGMOIDNET_CLONES static void tanh_##T(T *restrict r, ptrdiff_t n)                    \
    {                                                                                     \
        for (ptrdiff_t i = 0; i < n; i++)                                                 \
            r[i] = (T)(2.0 / (1.0 + sigmoidnet_exp(-2.0 * (double)r[i])) - 1.0);          \
    }                                                                                     \
    SIGMOIDNET_CLONES static void exp_##T(T *restrict r, ptrdiff_t n)                     \
    {                                                                                     \
        for (ptrdiff_t i = 0; i < n; i++)                                                 \
            r[i] = (T)sigmoidnet_exp((double)r[i]);                                       \
    }                                                                                     \
    SIGMOIDNET_CLONES static void adam_##T(T *restrict theta, const T *restrict grad,     \
                                           T *restrict m_sum, T *restrict v_sum,          \
                                           ptrdiff_t n, T beta_1, T beta_2, T eta,        \
                                           T epsilon)                                     \
    {                                                                                     \
        for (ptrdiff_t i = 0; i < n; i++) {                                               \
            T g = grad[i];                                                                \
            T m = m_sum[i] * beta_1 + g;                                                  \
            T v = v_sum[i] * beta_2 + g * g;                                              \
            m_sum[i] = m;                                                                 \
            v_sum[i] = v;                                                                 \
            theta[i] -= m / (SQRT(v) + epsilon) * eta;                                    \
        }                                                                                 \
    }

SIGMOIDNET_KERNELS(double, sqrt)
SIGMOIDNET_KERNELS(float, sqrtf)

#endif
