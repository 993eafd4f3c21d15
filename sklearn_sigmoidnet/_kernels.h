/* The elementwise kernels of the compiled step, in C so that they vectorise.
 *
 * numpy picks SIMD code for the CPU it runs on; these kernels do the same with
 * GCC's target_clones on x86-64 Linux (AVX-512, AVX2 or the SSE2 baseline,
 * chosen once when the module loads), and are built for the baseline
 * elsewhere. libm's exp does not vectorise, so e^x is computed here as
 * 2^k e^f, k = round(x / ln 2), |f| <= ln(2) / 2, with e^f from its Taylor
 * polynomial (to f^13 for double, f^7 for float): a relative error of a few
 * units in the last place.
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

/* e^x for double: beyond these bounds it is 0 (below, where it would be
 * subnormal) or inf (above, a little before the largest double: 2^k must stay
 * a normal number). */
#define SIGMOIDNET_EXP_MIN (-708.39)
#define SIGMOIDNET_EXP_MAX 709.43

static inline double exp_double(double x)
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

/* e^x for float, the same way in single precision, to f^7 */
#define SIGMOIDNET_EXPF_MIN (-87.3f)
#define SIGMOIDNET_EXPF_MAX 88.37f

static inline float exp_float(float x)
{
    const float shifter = 12582912.0f; /* 1.5 * 2^23 */
    float clamped = x < SIGMOIDNET_EXPF_MIN ? SIGMOIDNET_EXPF_MIN : x;
    clamped = clamped > SIGMOIDNET_EXPF_MAX ? SIGMOIDNET_EXPF_MAX : clamped;
    float shifted = clamped * 1.44269504f + shifter;
    float k = shifted - shifter;
    float f = (clamped - k * 0.693359375f) - k * -2.12194440e-4f;
    float p = 1.0f / 5040.0f;
    p = p * f + 1.0f / 720.0f;
    p = p * f + 1.0f / 120.0f;
    p = p * f + 1.0f / 24.0f;
    p = p * f + 1.0f / 6.0f;
    p = p * f + 0.5f;
    p = p * f + 1.0f;
    p = p * f + 1.0f;
    uint32_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    uint32_t scale_bits = (bits + 127) << 23;
    float scale;
    memcpy(&scale, &scale_bits, sizeof scale);
    float y = p * scale;
    y = x < SIGMOIDNET_EXPF_MIN ? 0.0f : y;
    return x > SIGMOIDNET_EXPF_MAX ? INFINITY : y;
}

/* σ(r) = 1 / (1 + e^-r), tanh(r) = 2 σ(2r) - 1 and e^r, in place, for n rows of
 * ``width`` products a W to which each adds the biases b first; a delta
 * times σ'(r) = a (1 - a) and tanh'(r) = 1 - a², from the outputs a; and Adam's
 * update of θ (as _optimizers.Adam.step, with the sums m / (1 - β₁) and
 * v / (1 - β₂), and every scalar factor folded into η), for one dtype. */
#define SIGMOIDNET_KERNELS(T, SQRT)                                                       \
    SIGMOIDNET_CLONES static void sigmoid_##T(T *restrict r, ptrdiff_t n, ptrdiff_t width, \
                                              const T *restrict b)                        \
    {                                                                                     \
        for (ptrdiff_t i = 0; i < n; i++, r += width)                                     \
            for (ptrdiff_t j = 0; j < width; j++)                                         \
                r[j] = (T)1 / ((T)1 + exp_##T(-(r[j] + b[j])));                           \
    }                                                                                     \
    SIGMOIDNET_CLONES static void tanh_##T(T *restrict r, ptrdiff_t n, ptrdiff_t width,    \
                                           const T *restrict b)                           \
    {                                                                                     \
        for (ptrdiff_t i = 0; i < n; i++, r += width)                                     \
            for (ptrdiff_t j = 0; j < width; j++)                                         \
                r[j] = (T)2 / ((T)1 + exp_##T((T)-2 * (r[j] + b[j]))) - (T)1;             \
    }                                                                                     \
    SIGMOIDNET_CLONES static void exp_##T##s(T *restrict r, ptrdiff_t n, ptrdiff_t width,  \
                                             const T *restrict b)                         \
    {                                                                                     \
        if (b == NULL) { /* no biases to add */                                           \
            for (ptrdiff_t i = 0; i < n * width; i++)                                     \
                r[i] = exp_##T(r[i]);                                                     \
            return;                                                                       \
        }                                                                                 \
        for (ptrdiff_t i = 0; i < n; i++, r += width)                                     \
            for (ptrdiff_t j = 0; j < width; j++)                                         \
                r[j] = exp_##T(r[j] + b[j]);                                              \
    }                                                                                     \
    SIGMOIDNET_CLONES static void sigmoid_derivative_##T(const T *restrict a,               \
                                                         T *restrict delta, ptrdiff_t n)  \
    {                                                                                     \
        for (ptrdiff_t i = 0; i < n; i++)                                                 \
            delta[i] = delta[i] * a[i] * ((T)1 - a[i]);                                   \
    }                                                                                     \
    SIGMOIDNET_CLONES static void tanh_derivative_##T(const T *restrict a,                  \
                                                      T *restrict delta, ptrdiff_t n)     \
    {                                                                                     \
        for (ptrdiff_t i = 0; i < n; i++)                                                 \
            delta[i] = delta[i] * ((T)1 - a[i] * a[i]);                                   \
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
