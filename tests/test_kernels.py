"""The elementwise kernels' CPU variants: each one this CPU runs computes what
numpy computes, the variants agree with each other, and the variant can be
seen and chosen (``_step.kernel_variant``, ``SIGMOIDNET_KERNELS``).

Their speed is measured by benchmarks/bench_kernels.py, not here.
"""

import importlib.util
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit

import sklearn_sigmoidnet
from sklearn_sigmoidnet import _step
from sklearn_sigmoidnet._activations import ACTIVATIONS, DERIVATIVES
from sklearn_sigmoidnet._optimizers import Adam

DTYPES = [np.float64, np.float32]
# e^x from the kernels' polynomial: a few units in the last place (_kernels.h)
ULPS = 8


def inputs(dtype, shape=(37, 29)):
    """Rows of products r with the values where e^x under- and overflows, NaN and ±inf."""
    rng = np.random.default_rng(0)
    r = rng.normal(scale=5, size=shape)
    r.flat[:12] = [0, -0.0, 1e-30, -745, -710, -90, 88, 90, 709, 710, np.inf, -np.inf]
    r.flat[12] = np.nan
    return r.astype(dtype), rng.normal(size=shape[1]).astype(dtype)


def in_variant(variant, function, *args):
    before = _step.use_kernel_variant(variant)
    try:
        return function(*args)
    finally:
        _step.use_kernel_variant(before)


def activated(variant, activation, r, b):
    out = r.copy()
    in_variant(variant, _step.activate_layer, activation, out, b)
    return out


def assert_ulps(got, expected, dtype, atol=0):
    with np.errstate(invalid="ignore"):  # inf - inf where both are inf
        np.testing.assert_allclose(got, expected, rtol=ULPS * np.finfo(dtype).eps, atol=atol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", ["exp", "sigmoid", "tanh", "softmax", "relu", "identity"])
def test_every_variant_activates_as_numpy(kernel_variant, activation, dtype):
    r, b = inputs(dtype)
    if activation == "softmax":  # a row of NaN or inf is the caller's; keep the rows finite
        r = np.nan_to_num(r, nan=1.0, posinf=700, neginf=-700)
    with np.errstate(over="ignore", invalid="ignore"):
        expected = ACTIVATIONS[activation]((r + b).astype(np.float64))
    got = activated(kernel_variant, activation, r, b)
    assert got.dtype == dtype
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    with np.errstate(over="ignore"):
        expected = expected.astype(dtype)
    if activation in ("sigmoid", "tanh", "softmax"):  # |error| below a few ulps of 1
        np.testing.assert_allclose(got, expected, rtol=0, atol=ULPS * np.finfo(dtype).eps)
    else:  # e^x is 0 where it would be subnormal
        assert_ulps(got, expected, dtype, atol=np.finfo(dtype).tiny)


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_sigmoid_is_expit_and_saturates_exactly(kernel_variant, dtype):
    r, b = inputs(dtype)
    got = activated(kernel_variant, "sigmoid", r, np.zeros_like(b))
    np.testing.assert_allclose(got, expit(r), rtol=4 * np.finfo(dtype).eps, atol=0)
    saturated = activated(kernel_variant, "sigmoid", np.array([[-1e4, 1e4]], dtype), b[:2] * 0)
    np.testing.assert_array_equal(saturated, [[0, 1]])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_every_variant_takes_the_derivative_as_numpy(kernel_variant, activation, dtype):
    r, _ = inputs(dtype)
    with np.errstate(over="ignore"):
        a = ACTIVATIONS[activation](np.nan_to_num(r.ravel()))
    delta = np.random.default_rng(1).normal(size=a.size).astype(dtype)
    expected = delta.copy()
    DERIVATIVES[activation](a, expected, np.empty_like(a))
    in_variant(kernel_variant, _step.times_derivative_kernel, activation, a, delta)
    assert_ulps(delta, expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_variant_adds_the_l2_term_and_steps_adam_as_numpy(kernel_variant, dtype):
    rng = np.random.default_rng(2)
    n = 1001  # not a multiple of any vector width: the loops' tails run too
    theta, grad, y = (rng.normal(size=n).astype(dtype) for _ in range(3))
    expected = y + theta * dtype(0.25)
    in_variant(kernel_variant, _step.add_scaled_kernel, y, theta, 0.25)
    assert_ulps(y, expected, dtype)

    adam = Adam(n, dtype, learning_rate=0.01)
    reference, got = theta.copy(), theta.copy()
    m_sum, v_sum = np.zeros(n, dtype), np.zeros(n, dtype)
    for t in (1, 2, 3):
        adam.step(reference, grad * t)
        # the factors that Adam.step folds into η and ε, for step t
        b1, b2 = adam.beta_1, adam.beta_2
        eta = 0.01 * np.sqrt(1 - b2**t) / (1 - b1**t) * (1 - b1) / np.sqrt(1 - b2)
        args = got, grad * t, m_sum, v_sum, b1, b2, eta, adam.epsilon / np.sqrt(1 - b2)
        in_variant(kernel_variant, _step.adam_kernel, *args)
    assert_ulps(got, reference, dtype)
    assert_ulps(m_sum, adam._m_sum, dtype)
    assert_ulps(v_sum, adam._v_sum, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", ["exp", "sigmoid", "tanh", "softmax"])
def test_the_variants_agree_with_the_baseline(activation, dtype):
    r, b = inputs(dtype, shape=(64, 67))
    r = np.nan_to_num(r, nan=0.5, posinf=700, neginf=-700)
    baseline = activated("baseline", activation, r, b)
    for variant in _step.kernel_variants():
        got = activated(variant, activation, r, b)
        if activation == "tanh":  # 2 σ(2r) - 1 is exact to ulps of 1, not of tanh(r) near 0
            np.testing.assert_allclose(got, baseline, rtol=0, atol=ULPS * np.finfo(dtype).eps)
        else:
            assert_ulps(got, baseline, dtype)


def test_the_fastest_variant_the_cpu_runs_is_chosen_unless_one_is_forced():
    variants = _step.kernel_variants()
    assert variants[-1] == "baseline"
    assert set(variants) <= {"avx512", "avx2", "baseline"}
    expected = os.environ.get("SIGMOIDNET_KERNELS") or variants[0]
    assert sklearn_sigmoidnet.kernel_variant() == _step.kernel_variant() == expected


def _import_with(value):
    env = {**os.environ, "SIGMOIDNET_KERNELS": value}
    code = "import sklearn_sigmoidnet as s; print(s.kernel_variant())"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("variant", _step.kernel_variants())
def test_sigmoidnet_kernels_forces_a_variant_at_import(variant):
    done = _import_with(variant)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == variant


def test_a_variant_that_is_not_built_is_an_import_error_naming_it():
    done = _import_with("avx1024")
    assert done.returncode != 0
    assert "SIGMOIDNET_KERNELS=avx1024" in done.stderr and "no kernel variant" in done.stderr


def test_use_kernel_variant_refuses_unknown_names_and_keeps_the_variant():
    before = _step.kernel_variant()
    with pytest.raises(ValueError, match="no kernel variant 'sse9'"):
        _step.use_kernel_variant("sse9")
    assert _step.kernel_variant() == before


def _load_tool(name):
    path = Path(__file__).resolve().parent.parent / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    platform.machine() != "x86_64" or not (shutil.which("gcc") and shutil.which("objdump")),
    reason="the AVX2 and AVX-512 variants are built by gcc on x86-64 only",
)
def test_every_avx2_and_avx512_kernel_has_a_vectorised_loop_with_fused_multiply_adds(capsys):
    tool = _load_tool("vectorised_kernels")
    assert tool.main([]) == 0, capsys.readouterr().out
    # the check sees what the build flags change: without -fno-trapping-math the
    # exponential kernels do not vectorise for AVX2, without -ffp-contract=fast
    # they vectorise without fusing a multiply and an add
    assert tool.main(["--flags=-fno-math-errno -ffp-contract=fast"]) == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("not vectorised") and "sigmoid_double_avx2" in last
    assert tool.main(["--flags=-fno-math-errno -fno-trapping-math"]) == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("no fused multiply-add") and "sigmoid_double_avx2" in last
