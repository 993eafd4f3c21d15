/* The elementwise kernels of the compiled step, in C so that they vectorise.
 *
 * numpy picks SIMD code for the CPU it runs on; these kernels do the same with
 * GCC's target_clones on x86-64 Linux (AVX-512, AVX2 or the SSE2 baseline,
 * chosen once when the module loads), and are built for the baseline
 * elsewhere. libm's exp does not vectorise, so e^x is computed here as
 * 2^k e^f, k = round(x / ln 2), |f| <= ln(2) / 2, with e^f from the
 * polynomial that interpolates it at the Chebyshev nodes of that interval
 * (degree 11 for double, 6 for float; coefficients computed in 50-digit
 * arithmetic): a relative error of a few units in the last place.
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
 * a normal number). Within them no step can overflow, and beyond them the
 * result is replaced, so x is not clamped first. */
#define SIGMOIDNET_EXP_MIN (-708.39)
#define SIGMOIDNET_EXP_MAX 709.43

static inline double exp_double(double x)
{
    const double shifter = 6755399441055744.0; /* 1.5 * 2^52: adding it rounds to an integer */
    double shifted = x * 1.4426950408889634 + shifter; /* k, in the low bits */
    double k = shifted - shifter;
    /* ln 2 in two parts, so that f = x - k ln 2 keeps its low bits */
    double f = (x - k * 0.6931471803691238) - k * 1.9082149292705877e-10;
    double p = 2.5110037605963777e-08;
    p = p * f + 2.763263963904103e-07;
    p = p * f + 2.755724091857897e-06;
    p = p * f + 2.4801485482328494e-05;
    p = p * f + 0.00019841269890047113;
    p = p * f + 0.0013888888952314775;
    p = p * f + 0.008333333333319601;
    p = p * f + 0.0416666666664881;
    p = p * f + 0.1666666666666668;
    p = p * f + 0.5000000000000019;
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

/* e^x for float, the same way in single precision */
#define SIGMOIDNET_EXPF_MIN (-87.3f)
#define SIGMOIDNET_EXPF_MAX 88.37f

static inline float exp_float(float x)
{
    const float shifter = 12582912.0f; /* 1.5 * 2^23 */
    float shifted = x * 1.44269504f + shifter;
    float k = shifted - shifter;
    float f = (x - k * 0.693359375f) - k * -2.12194440e-4f;
    float p = 0.0013941108481958508f;
    p = p * f + 0.00837512593716383f;
    p = p * f + 0.04166635125875473f;
    p = p * f + 0.16666415333747864f;
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
 * times σ'(r) = a (1 - a) and tanh'(r) = 1 - a², from the outputs a; y += α x
 * (the L2 term, without the BLAS's threads); y += x (a row of W looked up by a
 * category code, or a δ added into the row's gradient); and Adam's
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
    SIGMOIDNET_CLONES static void add_scaled_##T(T *restrict y, const T *restrict x,       \
                                                 ptrdiff_t n, T alpha)                    \
    {                                                                                     \
        for (ptrdiff_t i = 0; i < n; i++)                                                 \
            y[i] += x[i] * alpha;                                                         \
    }                                                                                     \
    SIGMOIDNET_CLONES static void add_##T(T *restrict y, const T *restrict x, ptrdiff_t n) \
    {                                                                                     \
        for (ptrdiff_t i = 0; i < n; i++)                                                 \
            y[i] += x[i];                                                                 \
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
