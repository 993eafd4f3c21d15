"""The training step compiled: forward pass, loss, back-propagation, the L2 term
and the optimiser's update of θ, for a whole epoch of mini-batches in one call.

It computes what ``Network.loss_and_gradient`` and the optimisers in
``_optimizers.py`` compute, the numpy reference that the tests hold it to, on
the same flat θ and gradient and the same optimiser state vectors. The matrix
products go to the BLAS through ``scipy.linalg.cython_blas``; the elementwise
work runs in loops that need no temporary arrays, the exponentials in the
vectorised kernels of ``_kernels.h``. No Python object is touched between the
first and the last batch, so the GIL is released for the epoch: threads train
several networks at once.

Arrays are row-major, rows are samples (as in ``_network.py``); the BLAS is
column-major, so each product is asked for transposed: R = A W is Rᵀ = Wᵀ Aᵀ.

X's last columns may be category codes (``_network.py`` says how): the first
layer's product then runs on X's dense columns only, a sub-block that the BLAS
reads in place with X's full width as its leading dimension, and each code
adds one row of W[0], contiguous in θ, to the sample's r; the gradient adds
the sample's δ into that row of dW[0]. The codes are checked once per call,
in Python (``check_category_codes``), and trusted by the loops.

X may also come as ``InputColumns`` (``_input_columns.py``): its numbers' columns
where they lie and its codes, each batch encoded as it is gathered
(``encoded_rows``), so that training holds no encoded copy of X.
"""

from cython cimport floating
from libc.math cimport fabs, log, pow, sqrt
from libc.stdint cimport int8_t, int16_t, int32_t, int64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy, memset
from scipy.linalg.cython_blas cimport dgemm, dgemv, sgemm, sgemv

import os

import numpy as np

cdef extern from "_kernels.h" nogil:
    int sigmoidnet_n_variants
    int sigmoidnet_can_run(int variant)
    const char *sigmoidnet_variant_name(int variant)
    const char *sigmoidnet_chosen_name()
    void sigmoidnet_choose(int variant)
    void sigmoid_double(double *r, Py_ssize_t n, Py_ssize_t width, const double *b)
    void sigmoid_float(float *r, Py_ssize_t n, Py_ssize_t width, const float *b)
    void tanh_double(double *r, Py_ssize_t n, Py_ssize_t width, const double *b)
    void tanh_float(float *r, Py_ssize_t n, Py_ssize_t width, const float *b)
    void exp_doubles(double *r, Py_ssize_t n, Py_ssize_t width, const double *b)
    void exp_floats(float *r, Py_ssize_t n, Py_ssize_t width, const float *b)
    void sigmoid_derivative_double(const double *a, double *delta, Py_ssize_t n)
    void sigmoid_derivative_float(const float *a, float *delta, Py_ssize_t n)
    void tanh_derivative_double(const double *a, double *delta, Py_ssize_t n)
    void tanh_derivative_float(const float *a, float *delta, Py_ssize_t n)
    void add_scaled_double(double *y, const double *x, Py_ssize_t n, double alpha)
    void add_scaled_float(float *y, const float *x, Py_ssize_t n, float alpha)
    void add_double(double *y, const double *x, Py_ssize_t n)
    void add_float(float *y, const float *x, Py_ssize_t n)
    void adam_double(double *theta, const double *grad, double *m_sum, double *v_sum,
                     Py_ssize_t n, double beta_1, double beta_2, double eta, double epsilon)
    void adam_float(float *theta, const float *grad, float *m_sum, float *v_sum,
                    Py_ssize_t n, float beta_1, float beta_2, float eta, float epsilon)


# ---------------------------------------------------------------------------
# the kernels' variants: which one runs, and choosing one


def kernel_variants():
    """The variants of the elementwise kernels that this CPU runs, the fastest first."""
    return [sigmoidnet_variant_name(i).decode() for i in range(sigmoidnet_n_variants)
            if sigmoidnet_can_run(i)]


def kernel_variant():
    """The variant of the elementwise kernels in use: "avx512", "avx2" or "baseline"."""
    return sigmoidnet_chosen_name().decode()


def use_kernel_variant(name):
    """Run the kernels of variant ``name`` from now on, in every thread; return
    the variant used before. Raises a ValueError for a variant not built or
    not run by this CPU."""
    built = [sigmoidnet_variant_name(i).decode() for i in range(sigmoidnet_n_variants)]
    if name not in built:
        raise ValueError(f"no kernel variant {name!r}: this build has {', '.join(built)}")
    variant = built.index(name)
    if not sigmoidnet_can_run(variant):
        raise ValueError(
            f"this CPU cannot run the {name} kernels; it runs {', '.join(kernel_variants())}"
        )
    before = kernel_variant()
    sigmoidnet_choose(variant)
    return before


def _choose_at_import():
    """The fastest variant that the CPU runs, or the one that SIGMOIDNET_KERNELS names."""
    forced = os.environ.get("SIGMOIDNET_KERNELS", "")
    try:
        use_kernel_variant(forced or kernel_variants()[0])
    except ValueError as error:
        raise ImportError(f"SIGMOIDNET_KERNELS={forced}: {error}") from None


_choose_at_import()


def times_derivative_kernel(activation, const floating[::1] a, floating[::1] delta):
    """delta ← delta σ'(r) in place, from the outputs a = σ(r): the backward
    pass's kernel, for the tests and benchmarks of each variant."""
    if a.shape[0] != delta.shape[0]:
        raise ValueError(f"{a.shape[0]} outputs for {delta.shape[0]} deltas")
    cdef int code = ACTIVATIONS[activation]
    if a.shape[0]:
        with nogil:
            times_derivative(code, <floating *>&a[0], &delta[0], a.shape[0])


def add_scaled_kernel(floating[::1] y, const floating[::1] x, alpha):
    """y ← y + α x in place: the L2 term's kernel."""
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"{x.shape[0]} values to add to {y.shape[0]}")
    if y.shape[0]:
        add_scaled(&y[0], &x[0], y.shape[0], <floating>alpha)


def adam_kernel(floating[::1] theta, const floating[::1] grad, floating[::1] m_sum,
                floating[::1] v_sum, beta_1, beta_2, eta, epsilon):
    """Adam's kernel in place: m_sum ← β₁ m_sum + g, v_sum ← β₂ v_sum + g²,
    θ ← θ − η m_sum / (√v_sum + ε), with η and ε already folded (``step``)."""
    cdef Py_ssize_t n = theta.shape[0]
    if not grad.shape[0] == m_sum.shape[0] == v_sum.shape[0] == n:
        raise ValueError("θ, the gradient and the two sums differ in length")
    if n:
        adam(&theta[0], &grad[0], &m_sum[0], &v_sum[0], n, <floating>beta_1, <floating>beta_2,
             <floating>eta, <floating>epsilon)


cdef enum Activation:
    IDENTITY, SIGMOID, TANH, RELU, EXP, SOFTMAX

ACTIVATIONS = {
    "identity": IDENTITY, "sigmoid": SIGMOID, "logistic": SIGMOID, "tanh": TANH,
    "relu": RELU, "exp": EXP, "softmax": SOFTMAX,
}

cdef enum Loss:
    SQUARED_ERROR, ABSOLUTE_ERROR, HUBER, QUANTILE, POISSON, LOG_LOSS, BINARY_LOG_LOSS

LOSSES = {
    "squared_error": SQUARED_ERROR, "absolute_error": ABSOLUTE_ERROR, "huber": HUBER,
    "quantile": QUANTILE, "poisson": POISSON, "log_loss": LOG_LOSS,
    "binary_log_loss": BINARY_LOG_LOSS,
}


cdef struct Layers:
    # the network's shape, and where each layer's parts lie in θ and in the buffers
    int n_layers
    Py_ssize_t n_members  # the ensemble's members, side by side (``_network.py``)
    Py_ssize_t *sizes  # n_layers + 1 unit counts of a member, the inputs first
    int *activations  # one per layer, the output layer's last
    Py_ssize_t *weights_at  # offset of W in θ; b follows it
    Py_ssize_t *units_before  # hidden and output units of earlier layers, all members'
    Py_ssize_t n_units  # all of them: a row's share of the output and delta buffers
    Py_ssize_t n_params  # θ's entries
    Py_ssize_t x_width  # X's columns: the dense ones, then the category codes
    Py_ssize_t n_dense  # X's columns before the codes, and W[0]'s rows before the categories'


cdef struct Objective:
    int loss
    double l2  # the coefficient of ½‖W‖²
    double quantile_level
    double tiny  # the dtype's smallest normal number, and its ε, for the clipping
    double eps


cdef struct Optimizer:
    bint adam
    double learning_rate, momentum, beta_1, beta_2, epsilon
    bint nesterov
    long t  # Adam's step count


# ---------------------------------------------------------------------------
# the BLAS and the kernels, for either dtype: the only code that tells them apart


cdef inline void blas_gemm(char *transa, char *transb, int *m, int *n, int *k, floating *alpha,
                           floating *a, int *lda, floating *b, int *ldb, floating *beta,
                           floating *c, int *ldc) noexcept nogil:
    if floating is double:
        dgemm(transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    else:
        sgemm(transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)


cdef inline void blas_gemv(char *trans, int *m, int *n, floating *alpha, floating *a, int *lda,
                           floating *x, int *incx, floating *beta, floating *y,
                           int *incy) noexcept nogil:
    if floating is double:
        dgemv(trans, m, n, alpha, a, lda, x, incx, beta, y, incy)
    else:
        sgemv(trans, m, n, alpha, a, lda, x, incx, beta, y, incy)


cdef inline void sigmoid(floating *r, Py_ssize_t n, Py_ssize_t width,
                         const floating *b) noexcept nogil:
    if floating is double:
        sigmoid_double(r, n, width, b)
    else:
        sigmoid_float(r, n, width, b)


cdef inline void tanh(floating *r, Py_ssize_t n, Py_ssize_t width,
                      const floating *b) noexcept nogil:
    if floating is double:
        tanh_double(r, n, width, b)
    else:
        tanh_float(r, n, width, b)


cdef inline void exp(floating *r, Py_ssize_t n, Py_ssize_t width,
                     const floating *b) noexcept nogil:
    if floating is double:
        exp_doubles(r, n, width, b)
    else:
        exp_floats(r, n, width, b)


cdef inline void sigmoid_derivative(const floating *a, floating *delta,
                                    Py_ssize_t n) noexcept nogil:
    if floating is double:
        sigmoid_derivative_double(a, delta, n)
    else:
        sigmoid_derivative_float(a, delta, n)


cdef inline void tanh_derivative(const floating *a, floating *delta,
                                 Py_ssize_t n) noexcept nogil:
    if floating is double:
        tanh_derivative_double(a, delta, n)
    else:
        tanh_derivative_float(a, delta, n)


cdef inline void add_scaled(floating *y, const floating *x, Py_ssize_t n,
                            floating alpha) noexcept nogil:
    if floating is double:
        add_scaled_double(y, x, n, alpha)
    else:
        add_scaled_float(y, x, n, alpha)


cdef inline void add(floating *y, const floating *x, Py_ssize_t n) noexcept nogil:
    if floating is double:
        add_double(y, x, n)
    else:
        add_float(y, x, n)


cdef inline void adam(floating *theta, const floating *grad, floating *m_sum, floating *v_sum,
                      Py_ssize_t n, floating beta_1, floating beta_2, floating eta,
                      floating epsilon) noexcept nogil:
    if floating is double:
        adam_double(theta, grad, m_sum, v_sum, n, beta_1, beta_2, eta, epsilon)
    else:
        adam_float(theta, grad, m_sum, v_sum, n, beta_1, beta_2, eta, epsilon)


# ---------------------------------------------------------------------------
# products, activations, losses


cdef inline void gemm(char transa, char transb, int m, int n, int k, floating *a, int lda,
                      floating *b, int ldb, floating beta, floating *c, int ldc) noexcept nogil:
    """C = op(A) op(B) + beta C, column-major, op(A) m × k and op(B) k × n."""
    cdef floating one = 1
    cdef int i, j, a_step, b_step, rows, columns
    cdef char trans
    if k == 1 and beta == 0:  # an outer product (a single output's delta): loops, faster here
        a_step = 1 if transa == c'N' else lda
        b_step = ldb if transb == c'N' else 1
        for j in range(n):
            for i in range(m):
                c[i + j * ldc] = a[i * a_step] * b[j * b_step]
        return
    if m == 1:  # one row of C (a single output): Cᵀ = op(B)ᵀ op(A)ᵀ, a matrix-vector product
        a_step = lda if transa == c'N' else 1
        trans, rows, columns = (c'T', k, n) if transb == c'N' else (c'N', n, k)
        blas_gemv(&trans, &rows, &columns, &one, b, &ldb, a, &a_step, &beta, c, &ldc)
        return
    blas_gemm(&transa, &transb, &m, &n, &k, &one, a, &lda, b, &ldb, &beta, c, &ldc)


cdef void activate(int activation, floating *r, Py_ssize_t n, Py_ssize_t width,
                   const floating *b) noexcept nogil:
    """a = σ(r + b) in place, for n rows of ``width`` units: r holds a W."""
    cdef Py_ssize_t i, j
    if activation == SIGMOID:
        sigmoid(r, n, width, b)
        return
    if activation == TANH:
        tanh(r, n, width, b)
        return
    if activation == EXP:
        exp(r, n, width, b)
        return
    for i in range(n):
        for j in range(width):
            r[i * width + j] += b[j]
    if activation == RELU:
        for i in range(n * width):
            if r[i] < 0:  # NaN stays NaN, for the divergence check to see
                r[i] = 0
    elif activation == SOFTMAX:
        softmax(r, n, width)


cdef void softmax(floating *r, Py_ssize_t n, Py_ssize_t width) noexcept nogil:
    """e^r / Σ e^r in place, over each of n rows of ``width``."""
    cdef Py_ssize_t i, j
    cdef floating top, total
    for i in range(n):  # e^r cannot overflow after the shift by the row's largest r
        top = r[i * width]
        for j in range(1, width):
            if r[i * width + j] > top:
                top = r[i * width + j]
        for j in range(width):
            r[i * width + j] -= top
    exp(r, n, width, <const floating *>NULL)
    for i in range(n):
        total = 0
        for j in range(width):
            total += r[i * width + j]
        for j in range(width):
            r[i * width + j] /= total


cdef void times_derivative(int activation, floating *a, floating *delta,
                           Py_ssize_t size) noexcept nogil:
    """delta ← delta σ'(r), with σ' written in the layer's output a."""
    cdef Py_ssize_t i
    if activation == SIGMOID:  # σ' = a (1 − a)
        sigmoid_derivative(a, delta, size)
    elif activation == TANH:  # tanh' = 1 − a²
        tanh_derivative(a, delta, size)
    elif activation == RELU:
        for i in range(size):
            if a[i] == 0:
                delta[i] = 0


cdef double output_delta(Objective *objective, floating *y_hat, floating *y, floating *weights,
                         Py_ssize_t n, Py_ssize_t width, Py_ssize_t members,
                         floating *delta) noexcept nogil:
    """Write ∂L/∂r of every output into ``delta``, weighted and divided by the
    batch's total weight and the members; return the batch's weighted mean loss,
    the mean of the members'. A row of ŷ holds each member's ``width`` outputs
    in turn, all of them predicting that row of y."""
    cdef Py_ssize_t i, j, m, at
    cdef double e, loss, sample_loss, p, target, weight, total = 0, total_weight = 0
    cdef double level = objective.quantile_level
    cdef int kind = objective.loss
    for i in range(n):
        sample_loss = 0
        for m in range(members):  # each member predicts the same row of y
            for j in range(width):
                at = (i * members + m) * width + j
                p = y_hat[at]
                target = y[i * width + j]
                e = p - target
                if kind == SQUARED_ERROR:
                    loss = 0.5 * e * e
                elif kind == ABSOLUTE_ERROR:
                    loss = fabs(e)
                    e = (e > 0) - (e < 0) if e == e else e
                elif kind == HUBER:
                    loss = 0.5 * e * e if fabs(e) <= 1 else fabs(e) - 0.5
                    e = 1 if e > 1 else (-1 if e < -1 else e)
                elif kind == QUANTILE:
                    loss = level * -e if e <= 0 else (level - 1) * -e
                    e = (e > 0) - level if e == e else e
                elif kind == POISSON:  # the half deviance, zero at ŷ = y; NaN stays NaN
                    p = objective.tiny if p < objective.tiny else p
                    loss = p - target
                    if target != 0:
                        loss += target * log(target / p)
                elif kind == LOG_LOSS:
                    loss = -target * log(clip(p, objective.eps)) if target != 0 else 0
                else:  # BINARY_LOG_LOSS: 1 - |e| is the probability of the 0/1 outcome
                    loss = -log(clip(1 - fabs(e), objective.eps))
                sample_loss += loss
                delta[at] = <floating>e
        weight = 1 if weights == NULL else weights[i]
        total += weight * sample_loss
        total_weight += weight
    total_weight *= members  # the mean over the members, too
    for i in range(n):
        weight = 1 if weights == NULL else weights[i]
        for j in range(i * members * width, (i + 1) * members * width):
            delta[j] = <floating>(delta[j] * weight / total_weight)
    return total / total_weight


cdef inline double clip(double p, double eps) noexcept nogil:
    return eps if p < eps else (1 - eps if p > 1 - eps else p)


cdef void first_product(const floating *W, Py_ssize_t fan_out, const floating *X, Py_ssize_t n,
                        Py_ssize_t width, Py_ssize_t n_dense, floating *r) noexcept nogil:
    """r = X W for the first layer: X's dense columns times W's first rows, plus
    for each category code the row of W it names (one-hot x times W)."""
    cdef Py_ssize_t i, j, code
    if n_dense:
        gemm(c'N', c'N', fan_out, n, n_dense, W, fan_out, X, width, 0, r, fan_out)
    else:
        memset(r, 0, n * fan_out * sizeof(floating))
    for i in range(n):
        for j in range(n_dense, width):
            code = <Py_ssize_t>X[i * width + j]
            if code >= 0:  # −1: no category
                add(r + i * fan_out, W + code * fan_out, fan_out)


cdef void first_gradient(floating *dW, Py_ssize_t fan_in, Py_ssize_t fan_out, const floating *X,
                         Py_ssize_t n, Py_ssize_t width, Py_ssize_t n_dense,
                         const floating *delta) noexcept nogil:
    """dW = Xᵀ δ for the first layer, X's category columns one-hot: the dense
    rows' product, and each sample's δ added into every row it looked up."""
    cdef Py_ssize_t i, j, code
    if n_dense:
        gemm(c'N', c'T', fan_out, n_dense, n, delta, fan_out, X, width, 0, dW, fan_out)
    memset(dW + n_dense * fan_out, 0, (fan_in - n_dense) * fan_out * sizeof(floating))
    for i in range(n):
        for j in range(n_dense, width):
            code = <Py_ssize_t>X[i * width + j]
            if code >= 0:
                add(dW + code * fan_out, delta + i * fan_out, fan_out)


# ---------------------------------------------------------------------------
# one batch: forward, loss, backward


cdef double batch_loss(Layers *net, Objective *objective, floating *theta, floating *grad,
                       floating *X, floating *Y, floating *weights, Py_ssize_t n,
                       floating *outputs, floating *deltas, bint backward) noexcept nogil:
    """The batch's weighted mean data loss; with ``backward``, its gradient in ``grad``.

    The first layer is one product for all members; each later layer is one
    product per member, of the member's columns of the layer below (read in
    place, the full row as the leading dimension) and the member's block of W.
    A row of the output layer holds each member's outputs in turn: the
    softmax normalises each member's.
    """
    cdef int layer, last = net.n_layers - 1
    cdef Py_ssize_t i, j, m, fan_in, fan_out, in_width, out_width, n_weights, size
    cdef Py_ssize_t k = net.n_members
    cdef double loss
    cdef floating *W
    cdef floating *b
    cdef floating *r
    cdef floating *a_in = X
    cdef floating *delta
    cdef floating *below
    cdef floating *dW
    cdef floating *db
    cdef floating l2 = <floating>objective.l2
    for layer in range(net.n_layers):  # r = a W + b, a = σ(r)
        fan_in, fan_out = net.sizes[layer], net.sizes[layer + 1]
        W = theta + net.weights_at[layer]
        r = outputs + n * net.units_before[layer]
        if layer == 0:  # all members' first units side by side: one product
            out_width = k * fan_out
            if net.n_dense < net.x_width:  # X ends in category codes
                first_product(W, out_width, X, n, net.x_width, net.n_dense, r)
            else:
                gemm(c'N', c'N', out_width, n, fan_in, W, out_width, a_in, fan_in, 0, r,
                     out_width)
        else:
            for m in range(k):
                gemm(c'N', c'N', fan_out, n, fan_in, W + m * fan_in * fan_out, fan_out,
                     a_in + m * fan_in, k * fan_in, 0, r + m * fan_out, k * fan_out)
        b = W + k * fan_in * fan_out
        if net.activations[layer] == SOFTMAX:
            activate(IDENTITY, r, n, k * fan_out, b)
            softmax(r, n * k, fan_out)
        else:
            activate(net.activations[layer], r, n, k * fan_out, b)
        a_in = r
    size = n * net.units_before[last]
    loss = output_delta(objective, outputs + size, Y, weights, n, net.sizes[last + 1], k,
                        deltas + size)
    if not backward:
        return loss
    for layer in range(last, -1, -1):
        fan_in, fan_out = net.sizes[layer], net.sizes[layer + 1]
        in_width = fan_in if layer == 0 else k * fan_in  # a row of the layer's input
        out_width = fan_out * k
        n_weights = k * fan_in * fan_out
        W = theta + net.weights_at[layer]
        dW = grad + net.weights_at[layer]
        db = dW + n_weights
        delta = deltas + n * net.units_before[layer]
        a_in = X if layer == 0 else outputs + n * net.units_before[layer - 1]
        if layer == 0 and net.n_dense < net.x_width:
            first_gradient(dW, fan_in, out_width, X, n, net.x_width, net.n_dense, delta)
        elif layer == 0:
            gemm(c'N', c'T', out_width, fan_in, n, delta, out_width, a_in, fan_in, 0, dW,
                 out_width)
        else:
            for m in range(k):
                gemm(c'N', c'T', fan_out, fan_in, n, delta + m * fan_out, out_width,
                     a_in + m * fan_in, in_width, 0, dW + m * fan_in * fan_out, fan_out)
        memset(db, 0, out_width * sizeof(floating))
        for i in range(n):  # Σ over the batch's rows
            for j in range(out_width):
                db[j] += delta[i * out_width + j]
        if l2 != 0:  # ½ l2 ‖W‖² adds l2 W
            add_scaled(dW, W, n_weights, l2)
        if layer:  # the delta of the layer below: (δ Wᵀ) σ'
            below = deltas + n * net.units_before[layer - 1]
            for m in range(k):
                gemm(c'T', c'N', fan_in, n, fan_out, W + m * fan_in * fan_out, fan_out,
                     delta + m * fan_out, out_width, 0, below + m * fan_in, in_width)
            times_derivative(net.activations[layer - 1], a_in, below, n * in_width)
    return loss


cdef void step(Optimizer *optimizer, floating *theta, floating *grad, floating *state_1,
               floating *state_2, Py_ssize_t n_params) noexcept nogil:
    """One update of θ, as ``SGD.step`` and ``Adam.step`` make it."""
    cdef Py_ssize_t i
    cdef floating eta_g, v
    cdef floating eta = <floating>optimizer.learning_rate
    cdef floating momentum = <floating>optimizer.momentum
    cdef double b1 = optimizer.beta_1, b2 = optimizer.beta_2, adam_eta
    if optimizer.adam:
        optimizer.t += 1
        adam_eta = (optimizer.learning_rate * sqrt(1 - pow(b2, optimizer.t))
                    / (1 - pow(b1, optimizer.t)) * (1 - b1) / sqrt(1 - b2))
        adam(theta, grad, state_1, state_2, n_params, <floating>b1, <floating>b2,
             <floating>adam_eta, <floating>(optimizer.epsilon / sqrt(1 - b2)))
    elif momentum == 0:
        for i in range(n_params):
            theta[i] -= grad[i] * eta
    else:  # state_1 is the velocity
        for i in range(n_params):
            eta_g = grad[i] * eta
            v = state_1[i] * momentum - eta_g
            state_1[i] = v
            if optimizer.nesterov:
                theta[i] = theta[i] - eta_g + v * momentum
            else:
                theta[i] += v


cdef floating *rows_of(const floating[:, :] A, const Py_ssize_t *order, Py_ssize_t start,
                       Py_ssize_t n, floating *buffer) noexcept nogil:
    """Rows start … start + n − 1 of A (of A[order] when given), row-major:
    A's own memory when it is that already, else gathered into ``buffer``."""
    cdef Py_ssize_t i, j, row, width = A.shape[1]
    cdef bint rows_contiguous = A.strides[1] == sizeof(floating)
    if order == NULL and rows_contiguous and (A.strides[0] == width * sizeof(floating) or n == 1):
        return <floating *>&A[start, 0]
    for i in range(n):
        row = start + i if order == NULL else order[start + i]
        if rows_contiguous:
            memcpy(buffer + i * width, &A[row, 0], width * sizeof(floating))
        else:
            for j in range(width):
                buffer[i * width + j] = A[row, j]
    return buffer


cdef struct Columns:
    # a dense X as ``InputColumns`` holds it, read where it lies
    Py_ssize_t n_numbers, n_indicated, n_fillable, n_codes
    const Py_ssize_t *addresses  # each number's column: its first row's address
    const Py_ssize_t *strides  # and the bytes from one of its rows to the next
    const Py_ssize_t *indicated  # the numbers whose missingness is an input
    const Py_ssize_t *fillable  # the numbers that may be missing, and filled
    const char *codes  # a row of n_codes codes per sample, code_size bytes each
    Py_ssize_t code_size
    bint side_by_side  # the numbers of a row lie next to each other: a row-major block
    const void *shift  # per number, of the training dtype: x̃ = (x − shift) / scale,
    const void *scale  # a missing x̃ = filled
    const void *filled


cdef inline Py_ssize_t code_at(const Columns *X, Py_ssize_t row, Py_ssize_t k) noexcept nogil:
    cdef const char *at = X.codes + (row * X.n_codes + k) * X.code_size
    if X.code_size == 1:
        return (<const int8_t *>at)[0]
    if X.code_size == 2:
        return (<const int16_t *>at)[0]
    if X.code_size == 4:
        return (<const int32_t *>at)[0]
    return (<const int64_t *>at)[0]


cdef floating *encoded_rows(const Columns *X, const Py_ssize_t *order, Py_ssize_t start,
                            Py_ssize_t n, Py_ssize_t width, floating *buffer) noexcept nogil:
    """Rows start … start + n − 1 of X (of X[order] when given) encoded into
    ``buffer`` as ``InputColumns[rows]`` encodes them: each number x as
    (x − shift) / scale, a missing one as ``filled``; the indicators; the codes."""
    cdef Py_ssize_t i, j, k, row, n_dense = X.n_numbers + X.n_indicated
    cdef const floating *shift = <const floating *>X.shift
    cdef const floating *scale = <const floating *>X.scale
    cdef const floating *filled = <const floating *>X.filled
    cdef floating *out
    for i in range(n):
        row = start + i if order == NULL else order[start + i]
        out = buffer + i * width
        if X.side_by_side:
            memcpy(out, <const char *>X.addresses[0] + row * X.strides[0],
                   X.n_numbers * sizeof(floating))
        else:
            for k in range(X.n_numbers):
                out[k] = (<const floating *>(<const char *>X.addresses[k] + row * X.strides[k]))[0]
        for k in range(X.n_indicated):
            j = X.indicated[k]
            out[X.n_numbers + k] = out[j] != out[j]
        for k in range(X.n_codes):
            out[n_dense + k] = <floating>code_at(X, row, k)
    for i in range(n):  # then standardised, a NaN staying NaN
        out = buffer + i * width
        for k in range(X.n_numbers):
            out[k] = (out[k] - shift[k]) / scale[k]
        for k in range(X.n_fillable):  # and filled, where it may be
            j = X.fillable[k]
            if out[j] != out[j]:
                out[j] = filled[j]
    return buffer


cdef class ColumnsReader:
    """The parts of an ``InputColumns`` that the loops read, checked once: the
    addresses of its columns, kept alive with it, and its typed encoding."""

    cdef Columns columns
    cdef object of, addresses, strides, indicated, fillable, codes, shift, scale, filled

    def __cinit__(self, X, dtype, Py_ssize_t n_inputs):
        cdef Py_ssize_t[::1] view
        dtype = np.dtype(dtype)
        n = X.shape[0]
        for column in X.numbers:
            if column.dtype != dtype or column.shape != (n,) or not column.flags.aligned:
                raise ValueError(f"the number columns must be {n} aligned values of {dtype}")
        self.of = X  # its columns live as long as the reader
        self.addresses = np.array([c.__array_interface__["data"][0] for c in X.numbers], np.intp)
        self.strides = np.array([c.strides[0] for c in X.numbers], np.intp)
        self.indicated = np.ascontiguousarray(X.indicated, dtype=np.intp)
        self.fillable = np.ascontiguousarray(X.fillable, dtype=np.intp)
        for which in (self.indicated, self.fillable):
            if which.size and (which.min() < 0 or which.max() >= len(X.numbers)):
                raise ValueError("the indicated and fillable columns must be among the numbers")
        self.codes = np.ascontiguousarray(X.codes)
        if self.codes.dtype.kind != "i" or self.codes.shape[0] != n:
            raise ValueError(f"the codes must be signed integers, a row for each of {n}")
        n_dense = len(X.numbers) + len(self.indicated)
        _check_codes(self.codes, n_dense, n_inputs)
        self.shift, self.scale, self.filled = (
            np.ascontiguousarray(v, dtype=dtype) for v in (X.shift, X.scale, X.filled)
        )
        if not self.shift.shape == self.scale.shape == self.filled.shape == (len(X.numbers),):
            raise ValueError("shift, scale and fill need one entry per number column")
        self.columns.n_numbers = len(X.numbers)
        self.columns.n_indicated = len(self.indicated)
        self.columns.n_fillable = len(self.fillable)
        self.columns.n_codes = self.codes.shape[1]
        self.columns.addresses = <const Py_ssize_t *>NULL
        self.columns.strides = <const Py_ssize_t *>NULL
        self.columns.indicated = <const Py_ssize_t *>NULL
        self.columns.fillable = <const Py_ssize_t *>NULL
        self.columns.codes = <const char *>NULL
        if self.columns.n_numbers:
            view = self.addresses
            self.columns.addresses = &view[0]
            view = self.strides
            self.columns.strides = &view[0]
        if self.columns.n_indicated:
            view = self.indicated
            self.columns.indicated = &view[0]
        if self.columns.n_fillable:
            view = self.fillable
            self.columns.fillable = &view[0]
        self.columns.code_size = self.codes.dtype.itemsize
        self.columns.shift = <const void *><Py_ssize_t>self.shift.__array_interface__["data"][0]
        self.columns.scale = <const void *><Py_ssize_t>self.scale.__array_interface__["data"][0]
        self.columns.filled = <const void *><Py_ssize_t>self.filled.__array_interface__["data"][0]
        next_to = self.addresses - self.addresses[:1] == dtype.itemsize * np.arange(len(X.numbers))
        self.columns.side_by_side = bool(
            len(X.numbers) and next_to.all() and (self.strides == self.strides[0]).all()
        )
        if self.codes.size:
            self.columns.codes = <const char *><Py_ssize_t>self.codes.__array_interface__["data"][0]


# ---------------------------------------------------------------------------
# what the Python side calls


cdef class CompiledStep:
    """The compiled step of one fit: the network's layout, the objective and
    the buffers, made once. Each call then gets θ, the gradient, the rows and
    the optimiser's settings and vectors as typed arguments, and reads no
    Python object's fields.

    ``activations`` names one activation per layer, the output layer's last;
    X has ``x_width`` columns, its last ``n_category_columns`` of them category
    codes (``_network.py``); the penalty is ½ ``l2`` ‖W‖². ``layer_sizes`` are
    a member's, of ``n_members`` side by side (``_network.py``'s layout of θ).
    """

    cdef Layers layers
    cdef Objective objective
    cdef object dtype
    cdef Py_ssize_t n_buffered  # rows the buffers hold
    cdef object outputs, deltas, X_rows, Y_rows, weight_rows
    cdef ColumnsReader reader  # of the last InputColumns read: the calls of a fit reuse it

    def __cinit__(self, layer_sizes, activations, Py_ssize_t x_width,
                  Py_ssize_t n_category_columns, dtype, loss, double l2, quantile_level,
                  Py_ssize_t n_members=1):
        cdef int n_layers = len(layer_sizes) - 1
        cdef Py_ssize_t before = 0, weights_at = 0
        if len(activations) != n_layers:
            raise ValueError(f"{len(activations)} activations for {n_layers} layers")
        if n_members < 1 or (n_members > 1 and n_layers < 2):
            raise ValueError(f"{n_members} members need a hidden layer, and at least one member")
        # the dense columns' product reads W[0]'s first rows; without codes, all of them
        n_dense = x_width - n_category_columns
        fits = 0 <= n_dense <= layer_sizes[0] if n_category_columns else n_dense == layer_sizes[0]
        if not fits:
            raise ValueError(
                f"X's {x_width} columns, {n_category_columns} of them category codes, do not "
                f"fit a first layer of {layer_sizes[0]} inputs"
            )
        self.dtype = np.dtype(dtype)
        self.layers.x_width = x_width
        self.layers.n_dense = n_dense
        self.layers.n_layers = n_layers
        self.layers.n_members = n_members
        self.layers.sizes = <Py_ssize_t *>malloc((n_layers + 1) * sizeof(Py_ssize_t))
        self.layers.activations = <int *>malloc(n_layers * sizeof(int))
        self.layers.weights_at = <Py_ssize_t *>malloc(n_layers * sizeof(Py_ssize_t))
        self.layers.units_before = <Py_ssize_t *>malloc(n_layers * sizeof(Py_ssize_t))
        if not (self.layers.sizes and self.layers.activations and self.layers.weights_at
                and self.layers.units_before):
            raise MemoryError()
        for layer, size in enumerate(layer_sizes):
            self.layers.sizes[layer] = size
        for layer in range(n_layers):
            self.layers.activations[layer] = ACTIVATIONS[activations[layer]]
            self.layers.weights_at[layer] = weights_at
            self.layers.units_before[layer] = before
            fan_in, fan_out = layer_sizes[layer], layer_sizes[layer + 1]
            # W of the first layer, or the members' blocks; their biases
            weights_at += n_members * (fan_in * fan_out + fan_out)
            before += n_members * fan_out
        self.layers.n_units = before
        self.layers.n_params = weights_at
        finfo = np.finfo(self.dtype)
        self.objective = Objective(
            loss=LOSSES[loss], l2=l2, tiny=finfo.tiny, eps=finfo.eps,
            quantile_level=0 if quantile_level is None else quantile_level,
        )
        self.n_buffered = 0

    def __dealloc__(self):
        free(self.layers.sizes)
        free(self.layers.activations)
        free(self.layers.weights_at)
        free(self.layers.units_before)

    cdef tuple buffers(self, Py_ssize_t n):
        """Each layer's outputs and deltas for n rows, and room to gather n rows
        of X, Y and the sample weights: made for the most rows asked for yet."""
        if n > self.n_buffered:
            units = n * self.layers.n_units
            y_width = self.layers.sizes[self.layers.n_layers]
            self.outputs, self.deltas = np.empty(units, self.dtype), np.empty(units, self.dtype)
            self.X_rows = np.empty((n, self.layers.x_width), self.dtype)
            self.Y_rows = np.empty((n, y_width), self.dtype)
            self.weight_rows = np.empty((n, 1), self.dtype)
            self.n_buffered = n
        return self.outputs, self.deltas, self.X_rows, self.Y_rows, self.weight_rows

    def run_epoch(self, theta, grad, X, Y, sample_weight, Py_ssize_t batch_size, order,
                  bint adam, double learning_rate, double momentum, bint nesterov,
                  double beta_1, double beta_2, double epsilon, long t, state_1, state_2):
        """One pass over (X, Y) in mini-batches, over its rows in ``order`` (any
        of them, in that order) when given,
        updating θ and the optimiser's vectors in place: ``state_1`` is SGD's
        velocity or Adam's m / (1 − β₁), ``state_2`` Adam's v / (1 − β₂); Adam
        has taken ``t`` steps before. X is an array of the inputs, or
        ``InputColumns`` that each batch is encoded from as it is gathered.

        Returns the batches' data losses averaged with the batches' weights, the
        number of updates made, and the first batch's loss.
        """
        cdef Optimizer settings
        memset(&settings, 0, sizeof(settings))
        settings.adam, settings.learning_rate, settings.t = adam, learning_rate, t
        settings.momentum, settings.nesterov = momentum, nesterov
        settings.beta_1, settings.beta_2, settings.epsilon = beta_1, beta_2, epsilon
        read = self.check(theta, grad, X, Y, sample_weight)
        if order is not None:
            order = _checked_rows(order, X.shape[0])
        n = X.shape[0] if order is None else order.shape[0]
        return _epoch(self, settings, theta, grad, state_1, state_2, *read, Y,
                      _weight_column(sample_weight), order, n, batch_size,
                      *self.buffers(min(batch_size, n)))

    def loss_and_gradient(self, theta, grad, X, Y, sample_weight, rows=None,
                          Py_ssize_t start=0, n=None):
        """Fill ``grad`` with the gradient on (X, Y): on its rows ``start`` to
        ``start`` + n − 1 (all of them by default), or on those of ``rows``
        (indices) when given; return its mean data loss."""
        read = self.check(theta, grad, X, Y, sample_weight)
        available = X.shape[0] if rows is None else len(rows)
        n = available - start if n is None else min(n, available - start)
        if start < 0 or n < 0:
            raise ValueError(f"rows from {start} on: there are {available}")
        if rows is not None:  # only the block's indices checked: a pass of blocks is linear
            rows, start = _checked_rows(rows[start : start + n], X.shape[0]), 0
        return _full_batch(self, theta, grad, *read, Y, _weight_column(sample_weight), rows,
                           start, n, *self.buffers(n), True)

    def loss(self, theta, grad, X, Y, sample_weight, Py_ssize_t chunk_rows, rows=None):
        """The mean data loss on all of (X, Y), or on its ``rows`` (indices, in
        order) when given, ``chunk_rows`` rows at a time, without the penalty;
        ``grad`` is left as it was."""
        read = self.check(theta, grad, X, Y, sample_weight)
        weights = _weight_column(sample_weight)
        if rows is not None:
            rows = _checked_rows(rows, X.shape[0])
        n = X.shape[0] if rows is None else rows.shape[0]
        total, total_weight = 0.0, 0.0
        buffers = self.buffers(min(chunk_rows, n))
        for start in range(0, n, chunk_rows):
            m = min(chunk_rows, n - start)
            if weights is None:
                weight = m
            else:
                chunk = slice(start, start + m)
                weight = float(weights[chunk if rows is None else rows[chunk]].sum())
            if weight:
                total += weight * _full_batch(self, theta, grad, *read, Y, weights, rows, start,
                                              m, *buffers, False)
                total_weight += weight
        return total / total_weight

    cdef tuple check(self, theta, grad, X, Y, sample_weight):
        """Raise a ValueError for arrays that do not fit the layout: the loops trust
        them. Returns X as the loops read it: (the array, None), or (None, its
        ``ColumnsReader``)."""
        n_params = self.layers.n_params
        if theta.shape != (n_params,) or grad.shape != (n_params,):
            raise ValueError(f"θ and the gradient must have {n_params} entries")
        if X.shape[1] != self.layers.x_width or Y.shape != (X.shape[0], self.layers.sizes[
                self.layers.n_layers]):
            raise ValueError(f"X {X.shape} and Y {Y.shape} do not fit the network")
        if sample_weight is not None and sample_weight.shape[0] != X.shape[0]:
            raise ValueError(f"{sample_weight.shape[0]} sample weights for {X.shape[0]} rows")
        n_codes = self.layers.x_width - self.layers.n_dense
        if isinstance(X, np.ndarray):
            check_category_codes(X, n_codes, self.layers.sizes[0])
            return X, None
        if X.n_codes != n_codes:
            raise ValueError(f"X has {X.n_codes} category columns; the network takes {n_codes}")
        if self.reader is None or self.reader.of is not X:
            self.reader = ColumnsReader(X, self.dtype, self.layers.sizes[0])
        return None, self.reader


def _weight_column(sample_weight):
    return None if sample_weight is None else sample_weight.reshape(-1, 1)


def _checked_rows(rows, n_rows):
    """``rows`` as contiguous indices, each one of the n_rows: the loops trust them."""
    rows = np.ascontiguousarray(rows, dtype=np.intp)
    if rows.ndim != 1 or (rows.size and (rows.min() < 0 or rows.max() >= n_rows)):
        raise ValueError(f"row indices must be in [0, {n_rows})")
    return rows


def activate_layer(activation, floating[:, ::1] r, const floating[::1] b):
    """a = σ(r + b) in place, for the products r = a W of a layer's rows: a
    prediction's step between two products."""
    if b.shape[0] != r.shape[1]:
        raise ValueError(f"{b.shape[0]} biases for a layer of {r.shape[1]} units")
    if r.shape[0] == 0:
        return
    cdef int code = ACTIVATIONS[activation]
    with nogil:
        activate(code, &r[0, 0], r.shape[0], r.shape[1], &b[0])


def lookup_product(X, W, n_category_columns, out):
    """out = X W for a first layer whose X ends in ``n_category_columns`` columns
    of category codes, in ``out``'s dtype: prediction's first product, computed as
    in the training step."""
    check_category_codes(X, n_category_columns, W.shape[0])
    if out.shape != (X.shape[0], W.shape[1]):
        raise ValueError(f"out of shape {out.shape} for X {X.shape} times W {W.shape}")
    X = np.ascontiguousarray(X, dtype=out.dtype)
    W = np.ascontiguousarray(W, dtype=out.dtype)
    _lookup_product(X, W, X.shape[1] - n_category_columns, out)
    return out


def _lookup_product(const floating[:, ::1] X, const floating[:, ::1] W, Py_ssize_t n_dense,
                    floating[:, ::1] out):
    if out.shape[0] == 0 or out.shape[1] == 0:
        return
    with nogil:
        first_product(&W[0, 0], W.shape[1], &X[0, 0], X.shape[0], X.shape[1], n_dense,
                      &out[0, 0])


def check_category_codes(X, n_category_columns, n_inputs):
    """Raise a ValueError unless each code in X's last ``n_category_columns`` columns
    is −1 or a category row of W[0], from n_dense to ``n_inputs`` − 1 (the rows
    before are the dense columns'): the compiled loops index W with them unchecked."""
    if not n_category_columns:
        return
    if not isinstance(X, np.ndarray):
        raise ValueError("category columns need a dense X (a numpy array), not a sparse matrix")
    n_dense = X.shape[1] - n_category_columns
    if not 0 <= n_dense <= n_inputs:
        raise ValueError(
            f"X has {X.shape[1]} columns: {n_category_columns} category columns and "
            f"{n_dense} dense ones do not fit a first layer of {n_inputs} inputs"
        )
    _check_codes(X[:, n_dense:], n_dense, n_inputs)


def _check_codes(codes, n_dense, n_inputs):
    if codes.size == 0:
        return
    low, high = codes.min(), codes.max()  # NaN fails both comparisons below
    valid = low >= -1 and high < n_inputs
    if valid and low < n_dense:  # below the category rows only -1 may be: look at each code
        valid = bool(((codes >= n_dense) | (codes == -1)).all())
    if not valid:
        raise ValueError(
            f"category codes must be -1 or rows {n_dense} to {n_inputs - 1} of the first "
            f"layer's weights; X's category columns hold values from {low} to {high}"
        )


def _epoch(CompiledStep run, Optimizer settings, floating[::1] theta, floating[::1] grad,
           floating[::1] state_1, floating[::1] state_2, const floating[:, :] X,
           ColumnsReader reader, const floating[:, :] Y, const floating[:, :] weights,
           const Py_ssize_t[::1] order, Py_ssize_t n, Py_ssize_t batch_size,
           floating[::1] outputs, floating[::1] deltas, floating[:, ::1] X_rows,
           floating[:, ::1] Y_rows, floating[:, ::1] weight_rows):
    cdef Py_ssize_t batch, start, n_batch, i, n_updates = 0
    cdef Py_ssize_t n_params = theta.shape[0]
    cdef const Py_ssize_t *rows = NULL
    cdef floating *sw = NULL
    cdef floating *Xb
    cdef floating *Yb
    cdef floating *state_2_at = NULL if state_2 is None else &state_2[0]
    cdef double weight, loss, total_loss = 0, total_weight = 0, first_loss = np.nan
    cdef const Columns *columns = NULL if reader is None else &reader.columns
    cdef Py_ssize_t width = run.layers.x_width
    if order is not None:
        rows = &order[0]
    with nogil:
        for batch in range((n + batch_size - 1) // batch_size):
            start = batch * batch_size
            n_batch = min(batch_size, n - start)
            weight = n_batch
            if weights is not None:
                sw = rows_of(weights, rows, start, n_batch, &weight_rows[0, 0])
                weight = 0
                for i in range(n_batch):
                    weight += sw[i]
                if weight == 0:  # an all-zero-weight batch carries no information
                    continue
            if columns == NULL:
                Xb = rows_of(X, rows, start, n_batch, &X_rows[0, 0])
            else:
                Xb = encoded_rows(columns, rows, start, n_batch, width, &X_rows[0, 0])
            Yb = rows_of(Y, rows, start, n_batch, &Y_rows[0, 0])
            loss = batch_loss(&run.layers, &run.objective, &theta[0], &grad[0], Xb, Yb, sw,
                              n_batch, &outputs[0], &deltas[0], True)
            step(&settings, &theta[0], &grad[0], &state_1[0], state_2_at, n_params)
            if not n_updates:
                first_loss = loss
            total_loss += loss * weight
            total_weight += weight
            n_updates += 1
    return (total_loss / total_weight if total_weight else np.nan), n_updates, first_loss


def _full_batch(CompiledStep run, floating[::1] theta, floating[::1] grad, const floating[:, :] X,
                ColumnsReader reader, const floating[:, :] Y, const floating[:, :] weights, const Py_ssize_t[::1] order, Py_ssize_t start,
                Py_ssize_t n, floating[::1] outputs, floating[::1] deltas,
                floating[:, ::1] X_rows, floating[:, ::1] Y_rows, floating[:, ::1] weight_rows,
                bint backward):
    """The batch of X's rows ``start`` to ``start`` + n − 1, or of those in
    ``order[start : start + n]`` when given."""
    cdef floating *sw = NULL
    cdef const Py_ssize_t *rows = NULL
    cdef floating *Xb
    cdef double loss
    cdef const Columns *columns = NULL if reader is None else &reader.columns
    cdef Py_ssize_t width = run.layers.x_width
    if order is not None:
        rows = &order[0]
    with nogil:
        if weights is not None:
            sw = rows_of(weights, rows, start, n, &weight_rows[0, 0])
        if columns == NULL:
            Xb = rows_of(X, rows, start, n, &X_rows[0, 0])
        else:
            Xb = encoded_rows(columns, rows, start, n, width, &X_rows[0, 0])
        loss = batch_loss(&run.layers, &run.objective, &theta[0], &grad[0], Xb,
                          rows_of(Y, rows, start, n, &Y_rows[0, 0]), sw, n, &outputs[0],
                          &deltas[0], backward)
    return loss
