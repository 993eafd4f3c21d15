"""Which of the compiled step's kernels vectorise, read from the generated code.

Compiles ``sklearn_sigmoidnet/_kernels.h`` with gcc, -O3, the C standard of
``meson.build`` and the C flags that ``sklearn_sigmoidnet/meson.build`` gives
the extension, disassembles it with objdump, and counts per kernel function
the instructions on 256-bit (ymm) and 512-bit (zmm) registers, and the fused
multiply-adds: a loop that vectorised for AVX2 works on ymm registers, one for
AVX-512 on zmm registers. Prints a table and exits 1 when an avx2 kernel has
no ymm instruction or an avx512 kernel no zmm one, or when a kernel that
evaluates e^x's polynomial has no fused multiply-add (in ISO C mode GCC fuses
none unless told to by -ffp-contract=fast).

    python tools/vectorised_kernels.py [--flags="-fno-math-errno ..."]
"""

import argparse
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ROOT / "sklearn_sigmoidnet" / "_kernels.h"
MESON = ROOT / "sklearn_sigmoidnet" / "meson.build"
# the polynomial's kernels: e^x, and σ and tanh through it
POLYNOMIAL = re.compile(r"(exp|sigmoid|tanh)_(double|float)s?_avx")


def meson_flags():
    """The flags of the extension's ``get_supported_arguments(...)`` in meson.build."""
    text = MESON.read_text()
    arguments = re.search(r"get_supported_arguments\(([^)]*)\)", text).group(1)
    return re.findall(r"'([^']+)'", arguments)


def meson_standard():
    """``-std=`` of the project's ``c_std`` default option (ISO C: no contraction by default)."""
    return "-std=" + re.search(r"'c_std=(\w+)'", (ROOT / "meson.build").read_text()).group(1)


def register_counts(flags):
    """{kernel function: Counter of "ymm", "zmm" and "fma" instructions}."""
    with tempfile.TemporaryDirectory() as folder:
        source, obj = Path(folder, "kernels.c"), Path(folder, "kernels.o")
        # the table of variants refers to every kernel, so that each is compiled
        source.write_text(
            f'#include "{HEADER}"\nconst void *variants(void) {{ return sigmoidnet_variants; }}\n'
        )
        command = ["gcc", "-O3", meson_standard(), *flags, "-c", str(source), "-o", str(obj)]
        subprocess.run(command, check=True)
        listing = subprocess.run(
            ["objdump", "-d", "--no-show-raw-insn", str(obj)],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    counts, function = {}, None
    for line in listing.splitlines():
        header = re.match(r"[0-9a-f]+ <(\w+)>:", line)
        if header:
            function = header.group(1)
            counts[function] = Counter()
        elif function is not None:
            for register in ("ymm", "zmm"):
                if register in line:
                    counts[function][register] += 1
            if re.search(r"\svfn?m(add|sub)", line):
                counts[function]["fma"] += 1
    return {name: count for name, count in counts.items() if name.endswith(("_avx2", "_avx512"))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flags", help="C flags instead of meson.build's, as one string")
    args = parser.parse_args(argv)
    flags = meson_flags() if args.flags is None else args.flags.split()
    counts = register_counts(flags)
    print(f"gcc -O3 {meson_standard()} {' '.join(flags)}\n")
    print("| kernel | ymm | zmm | fma | vectorised |\n|---|---:|---:|---:|---|")
    missing, unfused = [], []
    for name, count in sorted(counts.items()):
        wide = "zmm" if name.endswith("_avx512") else "ymm"
        ok = count[wide] > 0
        if not ok:
            missing.append(name)
        if POLYNOMIAL.match(name) and not count["fma"]:
            unfused.append(name)
        print(f"| {name} | {count['ymm']} | {count['zmm']} | {count['fma']} | "
              f"{'yes' if ok else 'NO'} |")  # fmt: skip
    if missing:
        print(f"\nnot vectorised: {', '.join(missing)}")
    if unfused:
        print(f"\nno fused multiply-add: {', '.join(unfused)}")
    return 1 if missing or unfused or not counts else 0


if __name__ == "__main__":
    sys.exit(main())
