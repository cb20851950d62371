"""Mixup and CutMix: multiaug against torchvision v2, kornia and the classic plain-torch code.

Each library mixes a float32 batch of 3x224x224 images and its integer labels (B = 32 and 128) with alpha = 1,
every batch mixed, in one process, the libraries interleaved call by call, several repeats, medians. What each
call does:

- multiaug: ``Mixup(1.0).mix(x, y)`` / ``CutMix(1.0).mix(x, y)``: new batch + ``MixedTargets`` (one lam per batch).
- torchvision v2: ``MixUp(alpha=1.0, num_classes=1000)(x, y)`` / ``CutMix(...)``: new batch + one-hot soft labels.
- kornia: ``RandomMixUpV2(data_keys=["input", "class"])`` / ``RandomCutMixV2(..., use_correct_lambda=True)``.
- plain torch: the classic training-loop code (``torch.randperm``, ``np.random.beta``, ``x * lam +
  x[idx] * (1 - lam)``; CutMix pastes into ``x.clone()``, since pasting into the caller's batch would modify it).

One thread (``torch.set_num_threads(1)``): per-core numbers. ``--threads 2`` gives the 2-core numbers.

    python benchmarks/mixing.py            # B = 32 and 128, 9 repeats
    python benchmarks/mixing.py --quick    # B = 32 only, 3 repeats

The table is printed and written to ``benchmarks/results/mixing.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

warnings.filterwarnings("ignore")

import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    add_malloc_flag,
    interleaved,
    load_average,
    machine,
    malloc_mode,
    medians,
    rate_cell,
    ratio_cell,
    table_row,
    wall_per_call,
    warm_up,
    write_results,
)

import multiaug.image as mi  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "mixing.md"
NUM_CLASSES = 1000


def _rand_bbox(size: torch.Size, lam: float) -> tuple[int, int, int, int]:
    """The classic box: ``size[2]`` and ``size[3]`` as the code names them (here, rows and columns)."""
    rows, cols = size[2], size[3]
    cut_rat = np.sqrt(1.0 - lam)
    cut_r, cut_c = int(rows * cut_rat), int(cols * cut_rat)
    cr, cc = np.random.randint(rows), np.random.randint(cols)
    r1, c1 = np.clip(cr - cut_r // 2, 0, rows), np.clip(cc - cut_c // 2, 0, cols)
    r2, c2 = np.clip(cr + cut_r // 2, 0, rows), np.clip(cc + cut_c // 2, 0, cols)
    return int(r1), int(c1), int(r2), int(c2)


def plain_mixup(data: torch.Tensor, targets: torch.Tensor, alpha: float) -> tuple[torch.Tensor, list[Any]]:
    indices = torch.randperm(data.size(0))
    lam = float(np.random.beta(alpha, alpha))
    data = data * lam + data[indices] * (1 - lam)
    return data, [targets, targets[indices], lam]


def plain_cutmix(data: torch.Tensor, targets: torch.Tensor, alpha: float) -> tuple[torch.Tensor, list[Any]]:
    indices = torch.randperm(data.size(0))
    lam = float(np.random.beta(alpha, alpha))
    r1, c1, r2, c2 = _rand_bbox(data.size(), lam)
    out = data.clone()
    out[:, :, r1:r2, c1:c2] = data[indices, :, r1:r2, c1:c2]
    lam = 1 - (r2 - r1) * (c2 - c1) / (data.size(-1) * data.size(-2))
    return out, [targets, targets[indices], lam]


def contestants() -> dict[str, dict[str, Callable[[torch.Tensor, torch.Tensor], Any]]]:
    """Per op, per library: a function of (images, labels) that mixes them."""
    out: dict[str, dict[str, Callable[[torch.Tensor, torch.Tensor], Any]]] = {"Mixup": {}, "CutMix": {}}
    mixup, cutmix = mi.Mixup(1.0), mi.CutMix(1.0)
    out["Mixup"]["multiaug"] = mixup.mix
    out["CutMix"]["multiaug"] = cutmix.mix
    try:
        import torchvision.transforms.v2 as T

        tv_mixup, tv_cutmix = (
            T.MixUp(alpha=1.0, num_classes=NUM_CLASSES),
            T.CutMix(alpha=1.0, num_classes=NUM_CLASSES),
        )
        out["Mixup"]["torchvision"] = tv_mixup
        out["CutMix"]["torchvision"] = tv_cutmix
    except ImportError:
        pass
    try:
        import kornia.augmentation as K

        k_mixup = K.RandomMixUpV2(data_keys=["input", "class"])
        k_cutmix = K.RandomCutMixV2(data_keys=["input", "class"], use_correct_lambda=True)
        out["Mixup"]["kornia"] = k_mixup
        out["CutMix"]["kornia"] = k_cutmix
    except ImportError:
        pass
    out["Mixup"]["plain torch"] = lambda x, y: plain_mixup(x, y, 1.0)
    out["CutMix"]["plain torch"] = lambda x, y: plain_cutmix(x, y, 1.0)
    return out


def measure(batch: int, repeats: int, calls: int) -> dict[str, dict[str, float]]:
    """Median images/s per op and library, the libraries interleaved call by call."""
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(batch, 3, 224, 224, generator=gen)
    y = torch.randint(0, NUM_CLASSES, (batch,), generator=gen)
    results: dict[str, dict[str, float]] = {}
    for op, libs in contestants().items():
        mixes = {name: partial(fn, x, y) for name, fn in libs.items()}
        warm_up(mixes)
        times = interleaved(
            {name: partial(wall_per_call, mix, calls) for name, mix in mixes.items()}, repeats
        )
        results[op] = {name: batch / median for name, median in medians(times).items()}
    return results


def table(all_results: dict[int, dict[str, dict[str, float]]], threads: int) -> str:
    lines = [
        f"Mixup / CutMix, float32 3x224x224, images/s (median), {threads} thread(s); ratio = multiaug / library.",
        "",
        "| op | B | library | images/s | multiaug / library |",
        "|---|---|---|---|---|",
    ]
    for batch, results in all_results.items():
        for op, libs in results.items():
            ours = libs["multiaug"]
            for name, rate in sorted(libs.items(), key=lambda kv: -kv[1]):
                lines.append(table_row([op, str(batch), name, rate_cell(rate), ratio_cell(ours, rate)]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="B = 32 only, 3 repeats")
    parser.add_argument("--batch", type=int, nargs="*", help="batch sizes (default 32 128)")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-write", action="store_true", help="print only")
    add_malloc_flag(parser)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    malloc = malloc_mode(args)
    batches = args.batch or ([32] if args.quick else [32, 128])
    repeats = args.repeats or (3 if args.quick else 9)
    all_results = {b: measure(b, repeats, calls=5 if b <= 32 else 2) for b in batches}
    text = table(all_results, args.threads)
    header = (
        f"Machine: {machine()}, {os.cpu_count()} cores (load average {load_average()} at the "
        f"end: other work shares the machine, so compare ratios, not absolute rates); torch {torch.__version__}. "
        f"Command: `python benchmarks/mixing.py{' --quick' if args.quick else ''}"
        f"{f' --threads {args.threads}' if args.threads != 1 else ''}"
        f"{' --default-malloc' if args.default_malloc else ''}`. Allocator: {malloc}, the same for every library "
        "(with glibc's defaults each fresh 19-77 MB temporary is page-faulted anew, which charges a library per "
        "temporary it allocates, erratically)."
    )
    print(text)
    if not args.no_write:
        write_results(RESULTS, f"## Mixing (Mixup, CutMix)\n\n{header}\n\n{text}\n")


if __name__ == "__main__":
    main()
