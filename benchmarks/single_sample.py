"""One sample per call, as in a Dataset's ``__getitem__``: multiaug against torchvision v2, kornia, Albumentations
(images) and audiomentations (audio).

The batch benchmarks measure what multiaug is built for; this one measures the fixed cost of a call, which
dominates when a data loader augments one image or one clip at a time. Every contender augments the same single
3x224x224 image (float32 for multiaug, torchvision and kornia, which takes a batch of one; also uint8 for multiaug
and torchvision; Albumentations gets the uint8 HWC array) or the same 3 s clip at 16 kHz (audiomentations gets its
NumPy array), 20 calls back to back per timing (a loader's loop over 20 samples), interleaved with the other
contenders, several repeats, medians. Ops are built as in ``image_ops.py``, ``image_color_filters.py`` and
``audio_ops.py``, with p=1 unless the name says p=0.5. One thread per library.

    python benchmarks/single_sample.py            # 7 repeats
    python benchmarks/single_sample.py --quick    # 3 repeats
    python benchmarks/single_sample.py --ops Gain,chain

The table is printed and written to ``benchmarks/results/single_sample.md``.
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

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    add_malloc_flag,
    command_line,
    image_peers,
    interleaved,
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
from image_color_filters import ops as color_ops  # noqa: E402
from image_ops import chain  # noqa: E402
from image_ops import ops as geometric_ops  # noqa: E402

import multiaug.audio as ma  # noqa: E402

CALLS = 20  # samples per timing: a loader's loop
IMAGE_OPS = ["HorizontalFlip", "Rotate", "RandomResizedCrop", "ColorJitter", "Brightness", "GaussianBlur",
             "RandomErasing", "chain"]  # fmt: skip
AUDIO_OPS = ["Gain", "Gain p=0.5", "Shift", "TimeMask", "AddGaussianNoise", "AddGaussianSNR", "LowPassFilter",
             "TimeStretch", "PitchShift"]  # fmt: skip
AM_ARGS = {"Shift": {"fade_duration": 0.0}, "TimeMask": {"fade_duration": 0.0}}  # multiaug does not fade
IMAGE_COLUMNS = ["ours f32", "tv f32", "kornia f32", "ours u8", "tv u8", "albu u8"]


def _image() -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    """One smooth 3x224x224 image: float32, uint8 and uint8 HWC."""
    gen = torch.Generator().manual_seed(0)
    base = torch.rand((1, 3, 56, 56), generator=gen)
    xf = torch.nn.functional.interpolate(base, size=(224, 224), mode="bilinear", align_corners=False)[0]
    xf = xf.contiguous()
    xu = (xf * 255).round().to(torch.uint8)
    return xf, xu, np.ascontiguousarray(xu.permute(1, 2, 0).numpy())


def _image_contenders(name: str, peers: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    specs = {**geometric_ops(peers), **color_ops(peers), "chain": chain(peers)}
    spec = specs[name]
    xf, xu, hwc = _image()
    seeds = iter(range(10**9))
    ours = spec["ours"]()
    calls: dict[str, Callable[[], Any]] = {
        "ours f32": lambda: ours(xf, seed=next(seeds)),
        "ours u8": lambda: ours(xu, seed=next(seeds)),
    }
    if spec.get("tv"):
        tv = spec["tv"]()
        calls["tv f32"] = lambda: tv(xf)
        calls["tv u8"] = lambda: tv(xu)
    if spec.get("kornia"):
        kornia = spec["kornia"]()
        one = xf[None]
        calls["kornia f32"] = lambda: kornia(one)
    if spec.get("albu"):
        albu = spec["albu"]()
        calls["albu u8"] = lambda: albu(image=hwc)["image"]
    return calls


def _audio_contenders(name: str) -> dict[str, Callable[[], Any]]:
    import audiomentations as am

    sr = 16000
    clip = torch.sin(torch.arange(3 * sr) * (2 * torch.pi * 440 / sr))[None] * 0.5
    clip = clip + 0.05 * torch.randn(clip.shape, generator=torch.Generator().manual_seed(0))
    samples = clip[0].numpy()
    p = 0.5 if name.endswith("p=0.5") else 1.0
    base = name.split(" ")[0]
    ours = getattr(ma, base)(p=p)
    theirs = getattr(am, base)(p=p, **AM_ARGS.get(base, {}))
    seeds = iter(range(10**9))
    return {
        "ours": lambda: ours(clip, sample_rate=sr, seed=next(seeds)),
        "audiomentations": lambda: theirs(samples=samples, sample_rate=sr),
    }


def _time(calls: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """Median seconds per sample of each contender."""
    warm_up(calls, 3)
    timers = {key: partial(wall_per_call, fn, CALLS) for key, fn in calls.items()}
    return medians(interleaved(timers, repeats, rotate=True))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats")
    parser.add_argument("--repeats", type=int, help="timed repeats (default 7, quick 3)")
    parser.add_argument("--ops", help="comma-separated op names (default: all)")
    parser.add_argument("--no-write", action="store_true", help="do not write the results file")
    add_malloc_flag(parser)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    malloc = malloc_mode(args)
    repeats = args.repeats or (3 if args.quick else 7)
    wanted = None if not args.ops else {n.strip() for n in args.ops.split(",")}
    peers = image_peers()
    lines = [
        "# One sample per call (a Dataset's `__getitem__`): samples per second, one core",
        "",
        f"Command: `{command_line('single_sample.py', argv)}`. Machine: {machine()}, torch {torch.__version__}, "
        f"allocator: {malloc}. {CALLS} calls back to back per timing, {repeats} interleaved repeats, medians. "
        "Ratios are multiaug's throughput over the peer's on the same input type (> 1: multiaug is faster).",
        "",
        "## One 3x224x224 image",
        "",
        table_row(["op", *IMAGE_COLUMNS, "vs tv f32", "vs kornia f32", "vs tv u8", "vs albu u8"]),
        "|---|" + "---:|" * (len(IMAGE_COLUMNS) + 4),
    ]
    for name in IMAGE_OPS:
        if wanted is not None and name not in wanted:
            continue
        times = _time(_image_contenders(name, peers), repeats)
        rate = {key: 1.0 / t for key, t in times.items()}
        cells = [name, *(rate_cell(rate.get(c)) for c in IMAGE_COLUMNS)]
        cells += [
            ratio_cell(rate["ours f32"], rate.get("tv f32")),
            ratio_cell(rate["ours f32"], rate.get("kornia f32")),
            ratio_cell(rate["ours u8"], rate.get("tv u8")),
            ratio_cell(rate["ours u8"], rate.get("albu u8")),
        ]
        lines.append(table_row(cells))
        print(lines[-1], flush=True)
    lines += [
        "",
        "## One 3 s clip at 16 kHz",
        "",
        table_row(["op", "multiaug clips/s", "audiomentations clips/s", "ratio"]),
        "|---|---:|---:|---:|",
    ]
    for name in AUDIO_OPS:
        if wanted is not None and name not in wanted:
            continue
        times = _time(_audio_contenders(name), repeats)
        ours, theirs = 1.0 / times["ours"], 1.0 / times["audiomentations"]
        lines.append(table_row([name, rate_cell(ours), rate_cell(theirs), ratio_cell(ours, theirs)]))
        print(lines[-1], flush=True)
    if not args.no_write:
        write_results(
            Path(__file__).resolve().parent / "results" / "single_sample.md", "\n".join(lines) + "\n"
        )


if __name__ == "__main__":
    main()
