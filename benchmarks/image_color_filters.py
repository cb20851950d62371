"""Colour, filter and noise augmenters: multiaug against kornia.augmentation, torchvision v2 and Albumentations.

Every op runs with p=1 on a batch of 3x224x224 images (B = 32 and 128), in one process, the libraries
interleaved call by call, several repeats, medians. multiaug and kornia get float32 batches with per-sample
parameters; multiaug also gets the same images as uint8; torchvision v2 gets the float32 batch and draws one
set of parameters for the whole batch (that is what it does); Albumentations gets uint8 HWC arrays, one call
per image. One thread per library (``torch.set_num_threads(1)``, ``cv2.setNumThreads(1)``): per-core numbers.

    python benchmarks/image_color_filters.py            # B = 32 and 128, 7 repeats
    python benchmarks/image_color_filters.py --quick    # B = 32 only, 3 repeats
    python benchmarks/image_color_filters.py --ops Hue,MedianBlur --batch 32

The table is printed and written to ``benchmarks/results/image_color_filters.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import multiaug.image as mi  # noqa: E402

MALLOC = "glibc defaults"
LOAD = ""
RESULTS = Path(__file__).resolve().parent / "results" / "image_color_filters.md"


def _peers() -> dict[str, Any]:
    mods: dict[str, Any] = {}
    try:
        import kornia.augmentation as K

        mods["K"] = K
    except ImportError:
        pass
    try:
        import torchvision.transforms.v2 as T

        mods["T"] = T
    except ImportError:
        pass
    try:
        import albumentations as A
        import cv2

        cv2.setNumThreads(1)
        mods["A"] = A
    except ImportError:
        pass
    return mods


MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def ops(P: dict[str, Any]) -> dict[str, dict[str, Callable[[], Any]]]:
    """Per op: constructors of multiaug's augmenter and of each peer's closest equivalent (or None)."""
    K, T, A = P.get("K"), P.get("T"), P.get("A")

    def k(fn: Callable[[], Any]) -> Callable[[], Any] | None:
        return fn if K is not None else None

    def t(fn: Callable[[], Any]) -> Callable[[], Any] | None:
        return fn if T is not None else None

    def a(fn: Callable[[], Any]) -> Callable[[], Any] | None:
        return fn if A is not None else None

    return {
        "Brightness": {
            "ours": lambda: mi.Brightness(0.2, p=1.0),
            "kornia": k(lambda: K.RandomBrightness((0.8, 1.2), p=1.0)),
            "tv": t(lambda: T.ColorJitter(brightness=0.2)),
            "albu": a(lambda: A.RandomBrightnessContrast(0.2, 0.0, p=1.0)),
        },
        "Contrast": {
            "ours": lambda: mi.Contrast(0.2, p=1.0),
            "kornia": k(lambda: K.RandomContrast((0.8, 1.2), p=1.0)),
            "tv": t(lambda: T.ColorJitter(contrast=0.2)),
            "albu": a(lambda: A.RandomBrightnessContrast(0.0, 0.2, p=1.0)),
        },
        "Saturation": {
            "ours": lambda: mi.Saturation(0.2, p=1.0),
            "kornia": k(lambda: K.RandomSaturation((0.8, 1.2), p=1.0)),
            "tv": t(lambda: T.ColorJitter(saturation=0.2)),
            "albu": a(lambda: A.ColorJitter(1.0, 1.0, (0.8, 1.2), 0.0, p=1.0)),
        },
        "Hue": {
            "ours": lambda: mi.Hue(0.05, p=1.0),
            "kornia": k(lambda: K.RandomHue((-0.05, 0.05), p=1.0)),
            "tv": t(lambda: T.ColorJitter(hue=0.05)),
            "albu": a(lambda: A.ColorJitter(1.0, 1.0, 1.0, (-0.05, 0.05), p=1.0)),
        },
        "ColorJitter": {
            "ours": lambda: mi.ColorJitter(0.2, 0.2, 0.2, 0.05, p=1.0),
            "kornia": k(lambda: K.ColorJitter(0.2, 0.2, 0.2, 0.05, p=1.0)),
            "tv": t(lambda: T.ColorJitter(0.2, 0.2, 0.2, 0.05)),
            "albu": a(lambda: A.ColorJitter(0.2, 0.2, 0.2, 0.05, p=1.0)),
        },
        "RGBShift": {
            "ours": lambda: mi.RGBShift(0.08, 0.08, 0.08, p=1.0),
            "kornia": k(lambda: K.RandomRGBShift(0.08, 0.08, 0.08, p=1.0)),
            "tv": None,
            "albu": a(lambda: A.RGBShift(20, 20, 20, p=1.0)),
        },
        "ChannelShuffle": {
            "ours": lambda: mi.ChannelShuffle(p=1.0),
            "kornia": k(lambda: K.RandomChannelShuffle(p=1.0)),
            "tv": t(lambda: T.RandomChannelPermutation()),
            "albu": a(lambda: A.ChannelShuffle(p=1.0)),
        },
        "ToGray": {
            "ours": lambda: mi.ToGray(p=1.0),
            "kornia": k(lambda: K.RandomGrayscale(p=1.0)),
            "tv": t(lambda: T.RandomGrayscale(p=1.0)),
            "albu": a(lambda: A.ToGray(p=1.0)),
        },
        "Gamma": {
            "ours": lambda: mi.Gamma((0.8, 1.25), p=1.0),
            "kornia": k(lambda: K.RandomGamma((0.8, 1.25), p=1.0)),
            "tv": None,
            "albu": a(lambda: A.RandomGamma((80, 125), p=1.0)),
        },
        "Solarize": {
            "ours": lambda: mi.Solarize((0.4, 0.6), p=1.0),
            "kornia": k(lambda: K.RandomSolarize(thresholds=0.1, additions=0.0, p=1.0)),
            "tv": t(lambda: T.RandomSolarize(0.5, p=1.0)),
            "albu": a(lambda: A.Solarize(threshold_range=(0.4, 0.6), p=1.0)),
        },
        "Posterize": {
            "ours": lambda: mi.Posterize((4, 8), p=1.0),
            "kornia": k(lambda: K.RandomPosterize(bits=4, p=1.0)),
            "tv": t(lambda: T.RandomPosterize(4, p=1.0)),
            "albu": a(lambda: A.Posterize((4, 8), p=1.0)),
        },
        "Equalize": {
            "ours": lambda: mi.Equalize(p=1.0),
            "kornia": k(lambda: K.RandomEqualize(p=1.0)),
            "tv": t(lambda: T.RandomEqualize(p=1.0)),
            "albu": a(lambda: A.Equalize(mode="pil", p=1.0)),
        },
        "AutoContrast": {
            "ours": lambda: mi.AutoContrast(p=1.0),
            "kornia": k(lambda: K.RandomAutoContrast(p=1.0)),
            "tv": t(lambda: T.RandomAutocontrast(p=1.0)),
            "albu": a(lambda: A.AutoContrast(method="pil", p=1.0)),
        },
        "Invert": {
            "ours": lambda: mi.Invert(p=1.0),
            "kornia": k(lambda: K.RandomInvert(p=1.0)),
            "tv": t(lambda: T.RandomInvert(p=1.0)),
            "albu": a(lambda: A.InvertImg(p=1.0)),
        },
        "Normalize": {
            "ours": lambda: mi.Normalize(MEAN, STD),
            "kornia": k(lambda: K.Normalize(torch.tensor(MEAN), torch.tensor(STD))),
            "tv": t(lambda: T.Normalize(MEAN, STD)),
            "albu": a(lambda: A.Normalize(MEAN, STD, p=1.0)),
        },
        "GaussianBlur": {
            "ours": lambda: mi.GaussianBlur(5, sigma=(0.1, 2.0), p=1.0),
            "kornia": k(lambda: K.RandomGaussianBlur((5, 5), (0.1, 2.0), p=1.0)),
            "tv": t(lambda: T.GaussianBlur(5, (0.1, 2.0))),
            "albu": a(lambda: A.GaussianBlur((5, 5), (0.1, 2.0), p=1.0)),
        },
        "BoxBlur": {
            "ours": lambda: mi.BoxBlur(5, p=1.0),
            "kornia": k(lambda: K.RandomBoxBlur((5, 5), p=1.0)),
            "tv": None,
            "albu": a(lambda: A.Blur((5, 5), p=1.0)),
        },
        "MotionBlur": {
            "ours": lambda: mi.MotionBlur(7, angle=90.0, direction=(-1.0, 1.0), p=1.0),
            "kornia": k(lambda: K.RandomMotionBlur(7, 90.0, (-1.0, 1.0), p=1.0)),
            "tv": None,
            "albu": a(lambda: A.MotionBlur((7, 7), p=1.0)),
        },
        "MedianBlur": {
            "ours": lambda: mi.MedianBlur(5, p=1.0),
            "kornia": k(lambda: K.RandomMedianBlur((5, 5), p=1.0)),
            "tv": None,
            "albu": a(lambda: A.MedianBlur((5, 5), p=1.0)),
        },
        "Sharpen": {
            "ours": lambda: mi.Sharpen(p=1.0),
            "kornia": k(lambda: K.RandomSharpness(0.5, p=1.0)),
            "tv": t(lambda: T.RandomAdjustSharpness(2.0, p=1.0)),
            "albu": a(lambda: A.Sharpen(p=1.0)),
        },
        "GaussianNoise": {
            "ours": lambda: mi.GaussianNoise(std=(0.02, 0.1), p=1.0),
            "kornia": k(lambda: K.RandomGaussianNoise(std=0.05, p=1.0)),
            "tv": t(lambda: T.GaussianNoise(sigma=0.05)),
            "albu": a(lambda: A.GaussNoise(std_range=(0.02, 0.1), p=1.0)),
        },
    }


NOTES = {
    "Brightness": "kornia adds the factor (Szeliski); multiaug, torchvision multiply; Albumentations adds",
    "Contrast": "kornia multiplies only (no mean); multiaug, torchvision: blend with the mean grey level",
    "Hue": "multiaug rotates in YIQ (one 3x3 matrix); the peers shift HSV hue",
    "ColorJitter": "multiaug: YIQ hue, one clamp; peers: HSV hue, a clamp per step",
    "Sharpen": "kornia and torchvision: PIL's smoothing-kernel sharpness, a different filter",
    "Posterize": "kornia draws bits in (4, 8]; torchvision fixed 4 bits",
    "Solarize": "torchvision: fixed threshold 0.5",
    "MotionBlur": "kernels differ in how the line is drawn",
}


MIN_SAMPLE_S = 0.1
"""Each timing sample repeats a call until it spans at least this long (several scheduler time slices)."""


def _timed(fn: Callable[[], Any], calls: int) -> float:
    """Seconds per call, averaged over ``calls`` back-to-back calls."""
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def run(batch: int, repeats: int, names: list[str], P: dict[str, Any]) -> list[dict[str, Any]]:
    gen = torch.Generator().manual_seed(0)
    # smooth, natural-ish content: blurred noise plus gradients
    base = torch.rand((batch, 3, 56, 56), generator=gen)
    xf = torch.nn.functional.interpolate(
        base, size=(224, 224), mode="bilinear", align_corners=False
    ).contiguous()
    xu = (xf * 255).round().to(torch.uint8)
    np_images = [np.ascontiguousarray(img.permute(1, 2, 0).numpy()) for img in xu]
    table = ops(P)
    rows = []
    for name in names:
        spec = table[name]
        calls: dict[str, Callable[[], Any]] = {}
        ours = spec["ours"]()
        seed = iter(range(10**6))
        calls["ours f32"] = lambda ours=ours, seed=seed: ours(xf, seed=next(seed))
        calls["ours u8"] = lambda ours=ours, seed=seed: ours(xu, seed=next(seed))
        if spec.get("kornia"):
            kaug = spec["kornia"]()
            calls["kornia f32"] = lambda kaug=kaug: kaug(xf)
        if spec.get("tv"):
            taug = spec["tv"]()
            calls["tv f32"] = lambda taug=taug: taug(xf)
        if spec.get("albu"):
            aaug = spec["albu"]()
            calls["albu u8"] = lambda aaug=aaug: [aaug(image=im)["image"] for im in np_images]
        # warm-up, and the number of calls that makes one timing sample last MIN_SAMPLE_S
        inner = {key: max(1, round(MIN_SAMPLE_S / max(_timed(fn, 1), 1e-6))) for key, fn in calls.items()}
        times: dict[str, list[float]] = {k: [] for k in calls}
        keys = list(calls)
        for rep in range(repeats):
            # rotate the order so that no library always runs right after the same other one
            for key in keys[rep % len(keys) :] + keys[: rep % len(keys)]:
                times[key].append(_timed(calls[key], inner[key]))
        row: dict[str, Any] = {"op": name, "batch": batch}
        for key, ts in times.items():
            row[key] = batch / statistics.median(ts)
        # ratios: median over repeats of the paired ratio (same repeat, adjacent calls), robust to load drift
        for ratio, (num, den) in (
            ("ratio kornia", ("kornia f32", "ours f32")),
            ("ratio albu", ("albu u8", "ours u8")),
        ):
            if num in times:
                row[ratio] = statistics.median(a / b for a, b in zip(times[num], times[den]))
        rows.append(row)
        print(_format_row(row), flush=True)
    return rows


COLUMNS = ["ours f32", "kornia f32", "tv f32", "ours u8", "albu u8"]


def _format_row(row: dict[str, Any]) -> str:
    cells = [row["op"], str(row["batch"])]
    for key in COLUMNS:
        cells.append(f"{row[key]:,.0f}" if key in row else "-")
    ratio_k = row.get("ratio kornia")
    ratio_a = row.get("ratio albu")
    cells.append(f"{ratio_k:.2f}x" if ratio_k else "-")
    cells.append(f"{ratio_a:.2f}x" if ratio_a else "-")
    cells.append(NOTES.get(row["op"], ""))
    return "| " + " | ".join(cells) + " |"


def markdown(rows: list[dict[str, Any]], command: str) -> str:
    import kornia
    import torchvision

    versions = [
        f"torch {torch.__version__}",
        f"kornia {kornia.__version__}",
        f"torchvision {torchvision.__version__}",
    ]
    try:
        import albumentations
        import cv2

        versions += [f"albumentations {albumentations.__version__}", f"opencv {cv2.__version__}"]
    except ImportError:
        pass
    head = [
        "# Colour, filter and noise augmenters: throughput (images/s, one core)",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"{', '.join(versions)}.",
        f"Command: `{command}`. Batches of 3x224x224, p=1, one thread per library, medians of interleaved "
        f"repeats, each repeat timing back-to-back calls for at least {MIN_SAMPLE_S} s. multiaug and kornia draw per-sample parameters; torchvision v2 draws once per batch; "
        "Albumentations runs per image on uint8 HWC arrays. Ratios: multiaug f32 / kornia f32 (same float "
        f"input) and multiaug u8 / Albumentations u8, each the median over repeats of the ratio of adjacent "
        f"calls. Allocator: {MALLOC}, the same for every library. Load average at the end: {LOAD} (other "
        "processes shared the machine: absolute numbers are noisy, the paired ratios less so).",
        "",
        "| op | B | multiaug f32 | kornia f32 | torchvision f32 | multiaug u8 | Albumentations u8 | vs kornia "
        "| vs Albumentations | semantics notes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    return "\n".join(head + [_format_row(r) for r in rows]) + "\n"


def tune_malloc() -> bool:
    """Keep freed memory in glibc's heap (no mmap, no trimming) so big buffers are reused, not page-faulted.

    With glibc's defaults every allocation above 32 MB (and often smaller ones) gets fresh pages that are
    faulted in on first touch; which library pays for that depends on the order of calls, which makes
    pointwise ops erratic by 10x. The setting is process-wide, so it applies to every library alike.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name:
        return False
    libc = ctypes.CDLL(name)
    m_trim_threshold, m_mmap_max = -1, -4
    return bool(libc.mallopt(m_mmap_max, 0)) and bool(libc.mallopt(m_trim_threshold, 2**30))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="B = 32 only, 3 repeats")
    parser.add_argument("--batch", type=int, nargs="*", help="batch sizes (default 32 128)")
    parser.add_argument("--repeats", type=int, help="timed repeats per library (default 7, quick 3)")
    parser.add_argument("--ops", help="comma-separated op names (default: all)")
    parser.add_argument("--no-write", action="store_true", help="do not write the results file")
    parser.add_argument(
        "--default-malloc", action="store_true", help="keep glibc's default mmap/trim thresholds (erratic)"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    global MALLOC
    MALLOC = "glibc defaults" if args.default_malloc or not tune_malloc() else "no mmap, no trim (mallopt)"
    peers = _peers()
    names = list(ops(peers)) if not args.ops else [n.strip() for n in args.ops.split(",")]
    batches = args.batch or ([32] if args.quick else [32, 128])
    repeats = args.repeats or (3 if args.quick else 7)
    print("| op | B | " + " | ".join(COLUMNS) + " | vs kornia | vs albu | notes |")
    rows = []
    for b in batches:
        rows += run(b, repeats, names, peers)
    command = "python benchmarks/image_color_filters.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    global LOAD
    LOAD = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(markdown(rows, command.strip()))
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
