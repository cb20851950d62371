"""GPU benchmark: multiaug on CUDA beside kornia, torchvision v2 and torch-audiomentations on the same device.

Workloads: the image 5-op chain (flip p=0.5, rotate 30, ColorJitter, GaussianBlur 5, RandomErasing p=0.5),
RandAugment (2 operations at magnitude 9, per sample) and Mixup/CutMix at B=128 of 3x224x224 float32, and a
batch of 32 clips of 3 s at 16 kHz through PitchShift, TimeStretch and AddGaussianSNR. Every call is
synchronised (``torch.cuda.synchronize``) so the time covers the work; contenders are interleaved, medians of
repeats. Writes ``benchmarks/results/gpu.md``.

Run on a machine with CUDA: ``python benchmarks/gpu.py`` (``--device cpu --repeats 1 --no-write`` checks the
script itself on a CPU-only machine).
"""

from __future__ import annotations

import argparse
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

from audio_ops import _clips  # noqa: E402
from harness import (  # noqa: E402
    command_line,
    image_peers,
    interleaved,
    medians,
    rate_cell,
    ratio_cell,
    table_row,
    wall_per_call,
    warm_up,
    write_results,
)
from image_ops import chain  # noqa: E402

import multiaug.audio as ma  # noqa: E402
import multiaug.image as mi  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "gpu.md"


def _synced(fn: Callable[[], Any], device: str) -> Callable[[], float]:
    def timer() -> float:
        def call() -> None:
            fn()
            if device == "cuda":
                torch.cuda.synchronize()

        return wall_per_call(call)

    return timer


def image_rows(device: str, batch: int) -> dict[str, dict[str, Callable[[], Any]]]:
    """The chain and the mixing ops, per library, on ``device``."""
    P = image_peers()
    x = torch.rand(batch, 3, 224, 224, device=device)
    labels = torch.randint(0, 10, (batch,), device=device)
    made = {k: v() for k, v in chain(P).items() if v is not None}
    chain_calls: dict[str, Callable[[], Any]] = {"multiaug": lambda: made["ours"](x)}
    if "kornia" in made:
        kornia_chain = made["kornia"].to(device)
        chain_calls["kornia"] = lambda: kornia_chain(x)
    if "tv" in made:
        chain_calls["torchvision v2"] = lambda: made["tv"](x)
    mixup, cutmix = mi.Mixup(alpha=1.0, p=1.0), mi.CutMix(alpha=1.0, p=1.0)
    rows = {
        "image chain": chain_calls,
        "Mixup": {"multiaug": lambda: mixup.mix(x, labels)},
        "CutMix": {"multiaug": lambda: cutmix.mix(x, labels)},
    }
    randaug = mi.RandAugment(num_ops=2, magnitude=9)
    rows["RandAugment"] = {"multiaug": lambda: randaug(x)}
    if P.get("K") is not None:
        kornia_randaug = P["K"].auto.RandAugment(n=2, m=9).to(device)
        rows["RandAugment"]["kornia"] = lambda: kornia_randaug(x)
    if P.get("T") is not None:
        T = P["T"]
        tv_randaug = T.RandAugment(num_ops=2, magnitude=9)
        rows["RandAugment"]["torchvision v2"] = lambda: tv_randaug(x)
        tv_mixup, tv_cutmix = T.MixUp(alpha=1.0, num_classes=10), T.CutMix(alpha=1.0, num_classes=10)
        rows["Mixup"]["torchvision v2"] = lambda: tv_mixup(x, labels)
        rows["CutMix"]["torchvision v2"] = lambda: tv_cutmix(x, labels)
    return rows


def audio_rows(device: str) -> dict[str, dict[str, Callable[[], Any]]]:
    """PitchShift, TimeStretch and AddGaussianSNR on 32 x 3 s at 16 kHz, per library, on ``device``."""
    audio, rate = _clips()["32 x 3 s @ 16 kHz"]
    audio = audio.to(device)
    pitch = ma.PitchShift(semitones=(-4, 4), p=1.0)
    stretch = ma.TimeStretch(rate=(0.8, 1.25), p=1.0)
    snr = ma.AddGaussianSNR(snr_db=(10, 30), p=1.0)
    rows = {
        "PitchShift": {"multiaug": lambda: pitch(audio, sample_rate=rate)},
        "TimeStretch": {"multiaug": lambda: stretch(audio, sample_rate=rate)},
        "AddGaussianSNR": {"multiaug": lambda: snr(audio, sample_rate=rate)},
    }
    try:
        import torch_audiomentations as tam

        tam_pitch = tam.PitchShift(-4, 4, p=1.0, sample_rate=rate, output_type="tensor").to(device)
        rows["PitchShift"]["torch-audiomentations"] = lambda: tam_pitch(audio)
        tam_noise = tam.AddColoredNoise(10, 30, 0.0, 0.0, p=1.0, sample_rate=rate, output_type="tensor")
        rows["AddGaussianSNR"]["torch-audiomentations"] = lambda: tam_noise(audio)
    except ImportError:
        pass
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--batch", type=int, default=128, help="image batch size")
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    device = args.device
    rows = {**image_rows(device, args.batch), **audio_rows(device)}
    sizes = {"image chain": args.batch, "Mixup": args.batch, "CutMix": args.batch, "RandAugment": args.batch}
    gpu = torch.cuda.get_device_name(0) if device == "cuda" else "CPU"
    lines = [
        "## GPU: multiaug on the device beside kornia, torchvision v2, torch-audiomentations",
        "",
        f"Device: {gpu}; torch {torch.__version__}. Command: `{command_line('gpu.py', argv)}`. "
        f"Images {args.batch}x3x224x224 float32, audio 32 x 3 s at 16 kHz; synchronised calls, medians of "
        f"{args.repeats} interleaved repeats. A ratio is multiaug's throughput over the peer's.",
        "",
        table_row(["workload", "library", "items/s", "multiaug / library"]),
        table_row(["---", "---", "---:", "---:"]),
    ]
    for name, calls in rows.items():
        failed = warm_up(calls, 2, drop_failures=True)
        times = medians(
            interleaved({k: _synced(f, device) for k, f in calls.items()}, args.repeats, rotate=True)
        )
        count = sizes.get(name, 32)
        for library, seconds in times.items():
            # multiaug's throughput over the peer's is the peer's time over multiaug's
            lines.append(
                table_row([name, library, rate_cell(count / seconds), ratio_cell(seconds, times["multiaug"])])
            )
        for library, error in failed.items():
            lines.append(table_row([name, library, "fails", error]))
        print(f"{name}: " + ", ".join(f"{k} {count / v:,.0f}/s" for k, v in times.items()), flush=True)
    text = "\n".join(lines) + "\n"
    if not args.no_write:
        write_results(RESULTS, text)
    print(text)


if __name__ == "__main__":
    main()
