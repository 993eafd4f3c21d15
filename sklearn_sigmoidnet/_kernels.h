/* The elementwise kernels of the compiled step, in C so that they vectorise.
 *
 * numpy picks SIMD code for the CPU it runs on; these kernels do the same. On
 * x86-64 with GCC each kernel is compiled three times, for AVX-512 (the
 * x86-64-v4 level), AVX2 with FMA (x86-64-v3) and the SSE2 baseline, into one
 * table of function pointers a variant; the module chooses the best variant
 * that the CPU runs when it loads, or the one it is told to (``_step.pyx``
 * says how), and every call goes through the chosen table. Elsewhere only
 * the baseline is built. The loops vectorise only when the compiler may
 * evaluate both sides of their selects, which it may not while floating-point
 * traps are honoured: the extension is built with -fno-trapping-math (see
 * meson.build), and nothing here reads the floating-point flags.
 *
 * libm's exp does not vectorise, so e^x is computed here as
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

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 && defined(__x86_64__)
#define SIGMOIDNET_X86_VARIANTS 1
#endif

/* e^x is inlined into every variant's loop: GCC inlines across targets only
 * when told to */
#if defined(__GNUC__)
#define SIGMOIDNET_INLINE static inline __attribute__((always_inline))
#else
#define SIGMOIDNET_INLINE static inline
#endif

/* e^x for double: beyond these bounds it is 0 (below, where it would be
 * subnormal) or inf (above, a little before the largest double: 2^k must stay
 * a normal number). Within them no step can overflow, and beyond them the
 * result is replaced, so x is not clamped first. */
#define SIGMOIDNET_EXP_MIN (-708.39)
#define SIGMOIDNET_EXP_MAX 709.43

SIGMOIDNET_INLINE double exp_double(double x)
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

SIGMOIDNET_INLINE float exp_float(float x)
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
 * times σ'(r) = a (1 - a) and tanh'(r) = (1 - a)(1 + a), from the outputs a;
 * y += α x (the L2 term, without the BLAS's threads); y += x (a row of W
 * looked up by a category code, or a δ added into the row's gradient); and
 * Adam's update of θ (as _optimizers.Adam.step, with the sums m / (1 - β₁)
 * and v / (1 - β₂), and every scalar factor folded into η), for one dtype,
 * named with the variant V and compiled for the instruction set TARGET. */
#define SIGMOIDNET_KERNELS(T, SQRT, V, TARGET)                                             \
    TARGET static void sigmoid_##T##_##V(T *restrict r, ptrdiff_t n, ptrdiff_t width,      \
                                         const T *restrict b)                              \
    {                                                                                      \
        for (ptrdiff_t i = 0; i < n; i++, r += width)                                      \
            for (ptrdiff_t j = 0; j < width; j++)                                          \
                r[j] = (T)1 / ((T)1 + exp_##T(-(r[j] + b[j])));                            \
    }                                                                                      \
    TARGET static void tanh_##T##_##V(T *restrict r, ptrdiff_t n, ptrdiff_t width,         \
                                      const T *restrict b)                                 \
    {                                                                                      \
        for (ptrdiff_t i = 0; i < n; i++, r += width)                                      \
            for (ptrdiff_t j = 0; j < width; j++)                                          \
                r[j] = (T)2 / ((T)1 + exp_##T((T)-2 * (r[j] + b[j]))) - (T)1;              \
    }                                                                                      \
    TARGET static void exp_##T##s_##V(T *restrict r, ptrdiff_t n, ptrdiff_t width,         \
                                      const T *restrict b)                                 \
    {                                                                                      \
        if (b == NULL) { /* no biases to add */                                            \
            for (ptrdiff_t i = 0; i < n * width; i++)                                      \
                r[i] = exp_##T(r[i]);                                                      \
            return;                                                                        \
        }                                                                                  \
        for (ptrdiff_t i = 0; i < n; i++, r += width)                                      \
            for (ptrdiff_t j = 0; j < width; j++)                                          \
                r[j] = exp_##T(r[j] + b[j]);                                               \
    }                                                                                      \
    TARGET static void sigmoid_derivative_##T##_##V(const T *restrict a, T *restrict delta, \
                                                    ptrdiff_t n)                           \
    {                                                                                      \
        for (ptrdiff_t i = 0; i < n; i++)                                                  \
            delta[i] = delta[i] * a[i] * ((T)1 - a[i]);                                    \
    }                                                                                      \
    TARGET static void tanh_derivative_##T##_##V(const T *restrict a, T *restrict delta,   \
                                                 ptrdiff_t n)                              \
    {                                                                                      \
        for (ptrdiff_t i = 0; i < n; i++)                                                  \
            delta[i] = delta[i] * ((T)1 - a[i]) * ((T)1 + a[i]);                           \
    }                                                                                      \
    TARGET static void add_scaled_##T##_##V(T *restrict y, const T *restrict x, ptrdiff_t n, \
                                            T alpha)                                       \
    {                                                                                      \
        for (ptrdiff_t i = 0; i < n; i++)                                                  \
            y[i] += x[i] * alpha;                                                          \
    }                                                                                      \
    TARGET static void add_##T##_##V(T *restrict y, const T *restrict x, ptrdiff_t n)      \
    {                                                                                      \
        for (ptrdiff_t i = 0; i < n; i++)                                                  \
            y[i] += x[i];                                                                  \
    }                                                                                      \
    TARGET static void adam_##T##_##V(T *restrict theta, const T *restrict grad,           \
                                      T *restrict m_sum, T *restrict v_sum, ptrdiff_t n,   \
                                      T beta_1, T beta_2, T eta, T epsilon)                \
    {                                                                                      \
        for (ptrdiff_t i = 0; i < n; i++) {                                                \
            T g = grad[i];                                                                 \
            T m = m_sum[i] * beta_1 + g;                                                   \
            T v = v_sum[i] * beta_2 + g * g;                                               \
            m_sum[i] = m;                                                                  \
            v_sum[i] = v;                                                                  \
            theta[i] -= m / (SQRT(v) + epsilon) * eta;                                     \
        }                                                                                  \
    }

/* One variant: the kernels of both dtypes, and its table of them. */
#define SIGMOIDNET_POINTERS(T)                                                       \
    void (*sigmoid_##T)(T *restrict, ptrdiff_t, ptrdiff_t, const T *restrict);       \
    void (*tanh_##T)(T *restrict, ptrdiff_t, ptrdiff_t, const T *restrict);          \
    void (*exp_##T##s)(T *restrict, ptrdiff_t, ptrdiff_t, const T *restrict);        \
    void (*sigmoid_derivative_##T)(const T *restrict, T *restrict, ptrdiff_t);       \
    void (*tanh_derivative_##T)(const T *restrict, T *restrict, ptrdiff_t);          \
    void (*add_scaled_##T)(T *restrict, const T *restrict, ptrdiff_t, T);            \
    void (*add_##T)(T *restrict, const T *restrict, ptrdiff_t);                      \
    void (*adam_##T)(T *restrict, const T *restrict, T *restrict, T *restrict, ptrdiff_t, T, \
                     T, T, T);

typedef struct {
    const char *name;
    SIGMOIDNET_POINTERS(double)
    SIGMOIDNET_POINTERS(float)
} sigmoidnet_variant;

#define SIGMOIDNET_ENTRIES(T, V)                                                        \
    sigmoid_##T##_##V, tanh_##T##_##V, exp_##T##s_##V, sigmoid_derivative_##T##_##V,    \
        tanh_derivative_##T##_##V, add_scaled_##T##_##V, add_##T##_##V, adam_##T##_##V

#define SIGMOIDNET_VARIANT(V, TARGET)       \
    SIGMOIDNET_KERNELS(double, sqrt, V, TARGET) \
    SIGMOIDNET_KERNELS(float, sqrtf, V, TARGET)

#ifdef SIGMOIDNET_X86_VARIANTS
SIGMOIDNET_VARIANT(avx512, __attribute__((target("arch=x86-64-v4"))))
SIGMOIDNET_VARIANT(avx2, __attribute__((target("arch=x86-64-v3"))))
#endif
SIGMOIDNET_VARIANT(baseline, )

/* The variants built, the fastest first. */
static const sigmoidnet_variant sigmoidnet_variants[] = {
#ifdef SIGMOIDNET_X86_VARIANTS
    {"avx512", SIGMOIDNET_ENTRIES(double, avx512), SIGMOIDNET_ENTRIES(float, avx512)},
    {"avx2", SIGMOIDNET_ENTRIES(double, avx2), SIGMOIDNET_ENTRIES(float, avx2)},
#endif
    {"baseline", SIGMOIDNET_ENTRIES(double, baseline), SIGMOIDNET_ENTRIES(float, baseline)},
};

static const int sigmoidnet_n_variants =
    (int)(sizeof sigmoidnet_variants / sizeof sigmoidnet_variants[0]);

/* The variant every call goes through: the baseline until the module chooses. */
static const sigmoidnet_variant *sigmoidnet_chosen =
    &sigmoidnet_variants[sizeof sigmoidnet_variants / sizeof sigmoidnet_variants[0] - 1];

/* Whether this CPU (and its operating system, which must save the wider
 * registers) runs variant i. */
static int sigmoidnet_can_run(int i)
{
#ifdef SIGMOIDNET_X86_VARIANTS
    __builtin_cpu_init();
    if (strcmp(sigmoidnet_variants[i].name, "avx512") == 0)
        return __builtin_cpu_supports("x86-64-v4") != 0;
    if (strcmp(sigmoidnet_variants[i].name, "avx2") == 0)
        return __builtin_cpu_supports("x86-64-v3") != 0;
#endif
    return i >= 0 && i < sigmoidnet_n_variants;
}

static const char *sigmoidnet_variant_name(int i) { return sigmoidnet_variants[i].name; }

static const char *sigmoidnet_chosen_name(void) { return sigmoidnet_chosen->name; }

/* Make variant i the one every call goes through; the caller checks that the
 * CPU runs it. */
static void sigmoidnet_choose(int i) { sigmoidnet_chosen = &sigmoidnet_variants[i]; }

/* The kernels by their names, through the chosen variant. */
#define SIGMOIDNET_CALLS(T)                                                                \
    static inline void sigmoid_##T(T *r, ptrdiff_t n, ptrdiff_t width, const T *b)         \
    {                                                                                      \
        sigmoidnet_chosen->sigmoid_##T(r, n, width, b);                                    \
    }                                                                                      \
    static inline void tanh_##T(T *r, ptrdiff_t n, ptrdiff_t width, const T *b)            \
    {                                                                                      \
        sigmoidnet_chosen->tanh_##T(r, n, width, b);                                       \
    }                                                                                      \
    static inline void exp_##T##s(T *r, ptrdiff_t n, ptrdiff_t width, const T *b)          \
    {                                                                                      \
        sigmoidnet_chosen->exp_##T##s(r, n, width, b);                                     \
    }                                                                                      \
    static inline void sigmoid_derivative_##T(const T *a, T *delta, ptrdiff_t n)           \
    {                                                                                      \
        sigmoidnet_chosen->sigmoid_derivative_##T(a, delta, n);                            \
    }                                                                                      \
    static inline void tanh_derivative_##T(const T *a, T *delta, ptrdiff_t n)              \
    {                                                                                      \
        sigmoidnet_chosen->tanh_derivative_##T(a, delta, n);                               \
    }                                                                                      \
    static inline void add_scaled_##T(T *y, const T *x, ptrdiff_t n, T alpha)              \
    {                                                                                      \
        sigmoidnet_chosen->add_scaled_##T(y, x, n, alpha);                                 \
    }                                                                                      \
    static inline void add_##T(T *y, const T *x, ptrdiff_t n)                              \
    {                                                                                      \
        sigmoidnet_chosen->add_##T(y, x, n);                                               \
    }                                                                                      \
    static inline void adam_##T(T *theta, const T *grad, T *m_sum, T *v_sum, ptrdiff_t n,  \
                                T beta_1, T beta_2, T eta, T epsilon)                      \
    {                                                                                      \
        sigmoidnet_chosen->adam_##T(theta, grad, m_sum, v_sum, n, beta_1, beta_2, eta,     \
                                    epsilon);                                              \
    }

SIGMOIDNET_CALLS(double)
SIGMOIDNET_CALLS(float)

#endif
