"""What a benchmark ran on: the CPU, the kernel variant, numpy's SIMD and the BLAS.

Every benchmark prints this line first, so that a table says which CPU and
which code paths its figures are from. An AVX2 machine can be imitated on an
AVX-512 one by forcing each library's AVX2 path before it is imported:

    SIGMOIDNET_KERNELS=avx2 NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR" \\
        OPENBLAS_CORETYPE=Haswell python benchmarks/...
"""

import os
import platform

import numpy as np
from threadpoolctl import threadpool_info

from sklearn_sigmoidnet import _step

FORCING = ("SIGMOIDNET_KERNELS", "NPY_DISABLE_CPU_FEATURES", "OPENBLAS_CORETYPE")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def numpy_simd():
    """The SIMD targets that numpy's dispatch uses on this CPU (and may be told not to)."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    return [target for target in __cpu_dispatch__ if __cpu_features__.get(target)]


def describe():
    blas = sorted(
        {
            f"{info['internal_api']} {info.get('version')} ({info.get('architecture')})"
            for info in threadpool_info()
            if info["user_api"] == "blas"
        }
    )
    forced = {name: os.environ[name] for name in FORCING if name in os.environ}
    return (
        f"CPU: {cpu_model()}, {os.cpu_count()} CPUs; kernels: {_step.kernel_variant()} "
        f"(this CPU runs {', '.join(_step.kernel_variants())}); numpy {np.__version__} SIMD: "
        f"{', '.join(numpy_simd()) or 'baseline'}; BLAS: {'; '.join(blas)}; "
        f"forced: {forced or 'nothing'}"
    )
