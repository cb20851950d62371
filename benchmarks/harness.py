"""Shared machinery of the benchmark scripts: interleaved timing, medians, throughput and ratio cells, the
Markdown results files, the peers' versions and the allocator setting.

Used by ``image_ops.py``, ``image_color_filters.py``, ``mixing.py`` and ``audio_ops.py``. A timer here is a
zero-argument function that runs the work and returns seconds (per call); :func:`interleaved` runs every
contender's timer once per repeat, so slow drifts in machine load hit every contender alike.

Example:
    >>> samples = interleaved({"a": lambda: 1.0, "b": lambda: 2.0}, repeats=3)
    >>> medians(samples), ratio_cell(2.0, 1.0), rate_cell(1234.5)
    ({'a': 1.0, 'b': 2.0}, '2.00x', '1,234')
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

Timer = Callable[[], float]


def wall_per_call(fn: Callable[[], Any], calls: int = 1) -> float:
    """Wall-clock seconds per call, averaged over ``calls`` back-to-back calls of ``fn``."""
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def cpu_per_call(fn: Callable[[], Any]) -> float:
    """CPU seconds of this process for one call: every library is single-threaded here, and other load on the
    machine (a shared 2-core box) then distorts the numbers far less than wall-clock time does."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def warm_up(
    calls: dict[str, Callable[[], Any]], times: int = 1, *, drop_failures: bool = False
) -> dict[str, str]:
    """Call each function ``times`` times (imports, caches, allocator) before timing.

    With ``drop_failures`` a contender that raises is removed from ``calls`` and its error is returned (name ->
    a short message); otherwise errors propagate.
    """
    failed: dict[str, str] = {}
    for name, fn in list(calls.items()):
        try:
            for _ in range(times):
                fn()
        except Exception as error:  # a peer that does not work with this torch/torchaudio
            if not drop_failures:
                raise
            failed[name] = f"{type(error).__name__}: {str(error).splitlines()[0][:60]}"
            del calls[name]
    return failed


def copy_floor(output: Any, source: Any) -> Callable[[], Any]:
    """The copy floor of an op whose result is ``output``: a contiguous copy of as many values from ``source``.

    An op that reads its input and writes a new tensor of its output's size and of ``source``'s dtype moves at
    least as many bytes as this copy (one read, one write), so no such implementation, in any library, runs
    faster. Timed beside the libraries, ``peer time / floor time`` is the most such an implementation can gain
    on that peer: below a target ratio, the target is out of reach on this machine. It bounds nothing else: a
    narrower output dtype (uint8 moves a quarter of float32's bytes), a view or a stride-0 broadcast (nothing
    or a fraction written) and a write-only fill (about 1.5x faster here) can all beat it.

    Example:
        >>> import torch
        >>> x = torch.rand(2, 3, 8, 8)
        >>> floor = copy_floor(x[..., :4, :4], x)
        >>> floor().shape
        torch.Size([96])
    """
    import torch

    if isinstance(output, dict):  # a call that returns fields: the data field
        output = next(v for v in output.values() if isinstance(v, torch.Tensor))
    count = output.numel()
    flat = source.reshape(-1)
    # an output larger than the source copies a source tiled once here, so each call is still one copy
    part = flat[:count] if count <= flat.numel() else flat.repeat(-(-count // flat.numel()))[:count]
    return lambda: part.clone()


def interleaved(timers: dict[str, Timer], repeats: int, *, rotate: bool = False) -> dict[str, list[float]]:
    """Each timer once per repeat, contender after contender; the samples (seconds) per contender.

    With ``rotate`` the order turns by one each repeat, so that no contender always runs right after the same
    other one.
    """
    keys = list(timers)
    samples: dict[str, list[float]] = {key: [] for key in keys}
    for rep in range(repeats):
        order = keys[rep % len(keys) :] + keys[: rep % len(keys)] if rotate and keys else keys
        for key in order:
            samples[key].append(timers[key]())
    return samples


def medians(samples: dict[str, list[float]]) -> dict[str, float]:
    """The median of each contender's samples."""
    return {key: statistics.median(values) for key, values in samples.items()}


def paired_ratio(numerator: Iterable[float], denominator: Iterable[float]) -> float:
    """The median over repeats of the ratio of two contenders' samples of the same repeat (robust to drift)."""
    return statistics.median(a / b for a, b in zip(numerator, denominator))


def rate_cell(rate: float | None) -> str:
    """A throughput table cell: ``1,234``, or ``-`` when there is none."""
    return "-" if rate is None else f"{rate:,.0f}"


def ratio_cell(numerator: float | None, denominator: float | None = 1.0) -> str:
    """A ratio table cell, ``1.23x``, or ``-`` when either side is missing (or zero)."""
    if not numerator or not denominator:
        return "-"
    return f"{numerator / denominator:.2f}x"


def table_row(cells: Iterable[str]) -> str:
    """One Markdown table row."""
    return "| " + " | ".join(cells) + " |"


def machine() -> str:
    """The processor (or the machine type where the platform does not say)."""
    return platform.processor() or platform.machine()


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, ``0.3, 0.5, 0.4``."""
    return ", ".join(f"{v:.1f}" for v in os.getloadavg())


def command_line(script: str, argv: list[str] | None) -> str:
    """How the script was run, ``python benchmarks/<script> <args>``, for the results file."""
    return (f"python benchmarks/{script} " + " ".join(argv if argv is not None else sys.argv[1:])).strip()


def write_results(path: str | Path, text: str) -> None:
    """Write a results file (its folder is created when missing)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def add_malloc_flag(parser: argparse.ArgumentParser) -> None:
    """The ``--default-malloc`` flag: keep glibc's allocator defaults instead of :func:`tune_malloc`."""
    parser.add_argument(
        "--default-malloc", action="store_true", help="keep glibc's default mmap/trim thresholds (erratic)"
    )


def malloc_mode(args: argparse.Namespace) -> str:
    """Apply the allocator setting ``args`` asks for; its description for the results table."""
    return "glibc defaults" if args.default_malloc or not tune_malloc() else "no mmap, no trim (mallopt)"


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


# -- the image benchmarks (image_ops, image_color_filters) -----------------------------------------------------

#: The image benchmarks' columns: multiaug on float32 and uint8, and each peer on the input it takes.
IMAGE_COLUMNS = ["ours f32", "kornia f32", "tv f32", "ours u8", "albu u8", "floor f32"]


def image_peers() -> dict[str, Any]:
    """The installed image peers: ``K`` kornia.augmentation, ``T`` torchvision v2, ``A`` Albumentations."""
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


def if_installed(P: dict[str, Any]) -> tuple[Callable[[Any], Any], ...]:
    """``k, t, a``: each passes a peer's constructor through, or gives None when that peer (kornia, torchvision,
    Albumentations: ``P["K"]``, ``P["T"]``, ``P["A"]`` of :func:`image_peers`) is not installed.

    Example:
        >>> k, t, a = if_installed({"K": object()})
        >>> k(len) is len, t(len), a(len)
        (True, None, None)
    """

    def only_with(key: str) -> Callable[[Any], Any]:
        return lambda make: make if P.get(key) is not None else None

    return only_with("K"), only_with("T"), only_with("A")


def image_parser(
    doc: str, ops_help: str = "comma-separated op names (default: all)"
) -> argparse.ArgumentParser:
    """The image benchmarks' flags: ``--quick``, ``--batch``, ``--repeats``, ``--ops``, ``--no-write``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="B = 32 only, 3 repeats")
    parser.add_argument("--batch", type=int, nargs="*", help="batch sizes (default 32 128)")
    parser.add_argument("--repeats", type=int, help="timed repeats per library (default 7, quick 3)")
    parser.add_argument("--ops", help=ops_help)
    parser.add_argument("--no-write", action="store_true", help="do not write the results file")
    return parser


def image_plan(
    args: argparse.Namespace, ops: Callable[[dict[str, Any]], dict[str, Any]]
) -> tuple[dict[str, Any], list[str], list[int], int]:
    """From the flags of :func:`image_parser`: the peers, the op names, the batch sizes and the repeats."""
    peers = image_peers()
    names = list(ops(peers)) if not args.ops else [n.strip() for n in args.ops.split(",")]
    batches = args.batch or ([32] if args.quick else [32, 128])
    repeats = args.repeats or (3 if args.quick else 7)
    return peers, names, batches, repeats


def image_versions() -> list[str]:
    """torch, kornia, torchvision and (when installed) Albumentations and OpenCV versions."""
    import kornia
    import torch
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
    return versions


def image_inputs(batch: int) -> tuple[Any, Any, list[Any]]:
    """A batch of smooth, natural-ish 3x224x224 images (upsampled noise): float32, uint8, and uint8 HWC arrays."""
    import numpy as np
    import torch

    gen = torch.Generator().manual_seed(0)
    base = torch.rand((batch, 3, 56, 56), generator=gen)
    xf = torch.nn.functional.interpolate(
        base, size=(224, 224), mode="bilinear", align_corners=False
    ).contiguous()
    xu = (xf * 255).round().to(torch.uint8)
    np_images = [np.ascontiguousarray(img.permute(1, 2, 0).numpy()) for img in xu]
    return xf, xu, np_images


def image_calls(spec: dict[str, Any], xf: Any, xu: Any, np_images: list[Any]) -> dict[str, Callable[[], Any]]:
    """One op's contenders as calls on the inputs, keyed by :data:`IMAGE_COLUMNS` (peers without the op left out).

    ``spec`` maps ``"ours"``, ``"kornia"``, ``"tv"``, ``"albu"`` to constructors (or None). multiaug is called
    with a new seed each call, as a training loop would. ``"floor f32"`` is the op's :func:`copy_floor`.
    """
    calls: dict[str, Callable[[], Any]] = {}
    ours = spec["ours"]()
    seeds = iter(range(10**6))
    calls["ours f32"] = lambda: ours(xf, seed=next(seeds))
    calls["ours u8"] = lambda: ours(xu, seed=next(seeds))
    calls["floor f32"] = copy_floor(ours(xf, seed=0), xf)
    if spec.get("kornia"):
        kaug = spec["kornia"]()
        calls["kornia f32"] = lambda: kaug(xf)
    if spec.get("tv"):
        taug = spec["tv"]()
        calls["tv f32"] = lambda: taug(xf)
    if spec.get("albu"):
        aaug = spec["albu"]()
        calls["albu u8"] = lambda: [aaug(image=im)["image"] for im in np_images]
    return calls
