"""Augmentation inside the autograd graph (DiffAugment, adversarial inputs): forward and backward through
multiaug, kornia and torchvision v2.

Each contender augments a float32 batch of 3x224x224 images that requires grad, then back-propagates the sum of
the output to the input: one call is ``aug(x).sum().backward()`` (the gradient is reset between calls). Ops are
built as in ``image_ops.py`` and ``image_color_filters.py`` (p=1 unless the chain says otherwise; multiaug and
kornia draw per-sample parameters, torchvision v2 one set per batch). One thread per library, several
interleaved repeats, medians of the process's CPU time. The forward pass alone without grad is timed for multiaug
too, to show what the gradient path costs over the fast kernels.

    python benchmarks/gradients.py            # B = 32, 5 repeats
    python benchmarks/gradients.py --quick    # 3 repeats
    python benchmarks/gradients.py --ops Rotate,chain --batch 8

The table is printed and written to ``benchmarks/results/gradients.md``.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
warnings.filterwarnings("ignore")

import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    add_malloc_flag,
    command_line,
    cpu_per_call,
    image_inputs,
    image_parser,
    image_versions,
    interleaved,
    machine,
    malloc_mode,
    medians,
    rate_cell,
    ratio_cell,
    table_row,
    warm_up,
    write_results,
)
from image_color_filters import ops as color_ops  # noqa: E402
from image_ops import chain  # noqa: E402
from image_ops import ops as geometric_ops  # noqa: E402

OPS = ["HorizontalFlip", "RandomCrop", "Rotate", "Affine", "Perspective", "Resize", "RandomResizedCrop",
       "Brightness", "Contrast", "Saturation", "ColorJitter", "Gamma", "GaussianBlur", "BoxBlur", "MotionBlur",
       "Sharpness", "GaussianNoise", "RandomErasing", "chain"]  # fmt: skip
COLUMNS = ["ours fwd+bwd", "kornia fwd+bwd", "tv fwd+bwd", "ours fwd, no grad"]


def _backward(aug: Callable[[torch.Tensor], Any], x: torch.Tensor) -> Callable[[], None]:
    def call() -> None:
        x.grad = None
        aug(x).sum().backward()

    return call


def _contenders(spec: dict[str, Any], batch: int) -> dict[str, Callable[[], Any]]:
    xf, _, _ = image_inputs(batch)
    leaf = xf.clone().requires_grad_(True)
    seeds = iter(range(10**6))
    ours = spec["ours"]()
    calls: dict[str, Callable[[], Any]] = {
        "ours fwd+bwd": _backward(lambda x: ours(x, seed=next(seeds)), leaf),
        "ours fwd, no grad": lambda: ours(xf, seed=next(seeds)),
    }
    if spec.get("kornia"):
        calls["kornia fwd+bwd"] = _backward(spec["kornia"](), leaf)
    if spec.get("tv"):
        calls["tv fwd+bwd"] = _backward(spec["tv"](), leaf)
    return calls


def main(argv: list[str] | None = None) -> None:
    parser = image_parser(__doc__)
    add_malloc_flag(parser)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    malloc = malloc_mode(args)
    from harness import image_peers

    peers = image_peers()
    specs = {**geometric_ops(peers), **color_ops(peers), "chain": chain(peers)}
    names = OPS if not args.ops else [n.strip() for n in args.ops.split(",")]
    batches = args.batch or [32]
    repeats = args.repeats or (3 if args.quick else 5)
    lines = [
        "# Forward and backward through the augmentation (images/s, one core)",
        "",
        f"Machine: {machine()}; {', '.join(image_versions()[:3])}. Command: `{command_line('gradients.py', argv)}`. "
        f"Float32 batches of 3x224x224 that require grad; one call is `aug(x).sum().backward()`; {repeats} "
        f"interleaved repeats, medians of CPU time; allocator: {malloc}. Ratios: multiaug's throughput over the "
        "peer's (> 1: multiaug is faster). 'ours fwd, no grad' is multiaug's fast path on the same batch without "
        "grad, for scale.",
        "",
        table_row(["op", "B", *COLUMNS, "vs kornia", "vs torchvision", "notes"]),
        "|---|---:|" + "---:|" * (len(COLUMNS) + 2) + "---|",
    ]
    for batch in batches:
        for name in names:
            calls = _contenders(specs[name], batch)
            failed = warm_up(calls, 2, drop_failures=True)
            timers = {key: (lambda fn=fn: cpu_per_call(fn)) for key, fn in calls.items()}
            rates = {
                key: batch / sec for key, sec in medians(interleaved(timers, repeats, rotate=True)).items()
            }
            row = [name, str(batch), *(rate_cell(rates.get(c)) for c in COLUMNS)]
            row += [ratio_cell(rates.get("ours fwd+bwd"), rates.get("kornia fwd+bwd"))]
            row += [ratio_cell(rates.get("ours fwd+bwd"), rates.get("tv fwd+bwd"))]
            row += ["; ".join(f"{key.split()[0]} raised {error}" for key, error in failed.items())]
            lines.append(table_row(row))
            print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    if not args.no_write:
        write_results(Path(__file__).resolve().parent / "results" / "gradients.md", text)


if __name__ == "__main__":
    main()
