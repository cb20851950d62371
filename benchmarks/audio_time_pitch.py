"""Benchmark multiaug's TimeStretch, PitchShift and Speed against audiomentations, librosa, torch-audiomentations
and torchaudio.

The workloads of ``audio_ops.py`` (shared data): a batch of 32 clips of 3 s at 16 kHz and one 10 s clip at
44.1 kHz, mono. Every contender runs on the same data in this process, interleaved (each repeat times every
contender once, in a rotating order); the table gives the median. Parameters are drawn per clip from the same
ranges for everyone who can (rate 0.8-1.25, semitones -4..4, speed 0.9-1.1): multiaug and torch-audiomentations
take the batch in one call; audiomentations and librosa run clip by clip; torchaudio.functional applies one
fixed parameter to the whole batch (its rational resampler's cost depends on the ratio: ``pitch_shift`` with
``n_steps=2``, ``speed`` with factor 1.1; a contender slower than 5 s per call is timed once).

Run: ``python benchmarks/audio_time_pitch.py`` (``--quick`` for fewer repeats, ``--threads 2`` for two cores).
Writes the Markdown table to ``benchmarks/results/audio_time_pitch.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 repeats instead of 11")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1, help="torch/BLAS threads for every contender")
    parser.add_argument("--only", default="", help="comma-separated op names to run")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "audio_time_pitch.md"))
    return parser.parse_args()


ARGS = _parse() if __name__ == "__main__" else None
if ARGS is not None:
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from audio_ops import _clips  # noqa: E402  (the shared workloads)
from harness import interleaved, medians, wall_per_call, warm_up  # noqa: E402

import multiaug.audio as ma  # noqa: E402


def _peers() -> dict[str, object]:
    out: dict[str, object] = {}
    for name in ("audiomentations", "librosa", "torch_audiomentations", "torchaudio"):
        with contextlib.suppress(ImportError):  # peers are optional extras
            out[name] = __import__(name)
    return out


PEERS = _peers()
PEER_NAMES = [
    "audiomentations",
    "audiomentations (librosa vocoder)",
    "librosa",
    "torch-audiomentations",
    "torchaudio",
]
Runner = Callable[[], object]


def _contenders(op: str, x: torch.Tensor, sr: int) -> dict[str, Runner]:
    """The callables that run ``op`` on ``x`` for each library (missing peers are left out)."""
    am, lr, tam, ta = (
        PEERS.get(n) for n in ("audiomentations", "librosa", "torch_audiomentations", "torchaudio")
    )
    xs = x[:, 0].numpy()
    rng = np.random.default_rng(0)
    out: dict[str, Runner] = {}
    mine = {
        "TimeStretch": ma.TimeStretch(p=1.0),
        "TimeStretch n_fft=2048": ma.TimeStretch(n_fft=2048, p=1.0),
        "TimeStretch keep_length": ma.TimeStretch(keep_length=True, p=1.0),
        "PitchShift": ma.PitchShift(p=1.0),
        "PitchShift n_fft=2048": ma.PitchShift(n_fft=2048, p=1.0),
        "Speed": ma.Speed(p=1.0),
    }[op]
    op = op.split(" n_fft")[0]  # the peers run their defaults (n_fft 2048 for the librosa vocoder)
    out["multiaug"] = lambda: mine(x, sample_rate=sr)

    def per_clip(transform: object) -> Runner:
        return lambda: [transform(samples=clip, sample_rate=sr) for clip in xs]

    if am is not None:
        for method, name in (("signalsmith_stretch", "audiomentations"),
                             ("librosa_phase_vocoder", "audiomentations (librosa vocoder)")):  # fmt: skip
            t = {
                "TimeStretch": lambda m=method: am.TimeStretch(leave_length_unchanged=False, method=m, p=1.0),
                "TimeStretch keep_length": lambda m=method: am.TimeStretch(
                    leave_length_unchanged=True, method=m, p=1.0
                ),
                "PitchShift": lambda m=method: am.PitchShift(method=m, p=1.0),
            }.get(op)
            if t is not None:
                out[name] = per_clip(t())
    if lr is not None:
        if op == "TimeStretch":
            out["librosa"] = lambda: [lr.effects.time_stretch(c, rate=rng.uniform(0.8, 1.25)) for c in xs]
        elif op == "PitchShift":
            out["librosa"] = lambda: [
                lr.effects.pitch_shift(c, sr=sr, n_steps=rng.uniform(-4, 4)) for c in xs
            ]
        elif op == "Speed":
            out["librosa"] = lambda: [
                lr.resample(c, orig_sr=sr * rng.uniform(0.9, 1.1), target_sr=sr) for c in xs
            ]
    if tam is not None and op == "PitchShift":
        shift = tam.PitchShift(p=1.0, sample_rate=sr, output_type="dict")
        out["torch-audiomentations"] = lambda: shift(x).samples
    if ta is not None:
        if op == "PitchShift":
            out["torchaudio"] = lambda: ta.functional.pitch_shift(x, sr, 2)
        elif op == "Speed":
            out["torchaudio"] = lambda: ta.functional.speed(x, sr, 1.1)
    return out


OPS = [
    "TimeStretch",
    "TimeStretch n_fft=2048",
    "TimeStretch keep_length",
    "PitchShift",
    "PitchShift n_fft=2048",
    "Speed",
]


def _time(runners: dict[str, Runner], repeats: int) -> tuple[dict[str, float], dict[str, str]]:
    """Median seconds per call of each runner (interleaved), and the error of each runner that cannot run."""
    failed = warm_up(runners, 1, drop_failures=True)  # imports, caches, allocator; drops peers that fail
    slow: dict[str, float] = {}
    for name, run in list(runners.items()):
        seconds = wall_per_call(run)
        if seconds > 5.0:  # e.g. torchaudio's rational resampler: one timed call is enough
            slow[name] = seconds
            del runners[name]
    timers = {name: partial(wall_per_call, run) for name, run in runners.items()}
    return {**medians(interleaved(timers, repeats, rotate=True)), **slow}, failed


def main() -> None:
    args = ARGS
    torch.set_num_threads(args.threads)
    repeats = args.repeats or (5 if args.quick else 11)
    only = [o for o in args.only.split(",") if o] or OPS
    versions = "".join(f", {n} {getattr(m, '__version__', '?')}" for n, m in PEERS.items())
    lines = [
        "# Time-stretch, pitch shift, speed: multiaug vs audiomentations, librosa, torch-audiomentations, "
        "torchaudio",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {args.threads} thread(s) per contender "
        f"(torch.set_num_threads and BLAS/OpenMP), Python {platform.python_version()}, torch {torch.__version__}"
        f"{versions}. Median of {repeats} interleaved repeats. Command: "
        f"`python benchmarks/audio_time_pitch.py{' --quick' if args.quick else ''}"
        f"{f' --threads {args.threads}' if args.threads != 1 else ''}`.",
        "",
        "Throughput in clips per second and in seconds of audio per second of wall time (x real time); a ratio "
        "is multiaug's throughput over the peer's (> 1: multiaug is faster). Per-clip random parameters for "
        "multiaug, audiomentations, librosa and torch-audiomentations; torchaudio gets one fixed parameter for "
        "the batch (`pitch_shift(n_steps=2)`, `speed(factor=1.1)`). audiomentations' default method is "
        "signalsmith-stretch (C++); the second audiomentations column is its `librosa_phase_vocoder` method. "
        "librosa's Speed column is `librosa.resample` (soxr) from `sr * factor` to `sr`. multiaug's default "
        "STFT is about 50 ms (1024 samples at 16 kHz, 2048 at 44.1 kHz); the `n_fft=2048` rows use librosa's "
        "size at every rate.",
        "",
    ]
    errors: dict[str, str] = {}
    for label, (x, sr) in _clips().items():
        seconds = x.shape[0] * x.shape[-1] / sr
        lines += [
            f"## {label}",
            "",
            "| op | multiaug clips/s | x real time | "
            + " | ".join(f"{p} clips/s | ratio" for p in PEER_NAMES)
            + " |",
            "|---|---:|---:|" + "---:|---:|" * len(PEER_NAMES),
        ]
        for op in only:
            runners = _contenders(op, x, sr)
            times, failed = _time(runners, repeats)
            errors.update({f"{peer}.{op}": why for peer, why in failed.items()})
            n = x.shape[0]
            ours = n / times["multiaug"]
            row = f"| {op} | {ours:,.1f} | {seconds / times['multiaug']:,.0f} |"
            for peer in PEER_NAMES:
                if peer in times:
                    theirs = n / times[peer]
                    row += f" {theirs:,.2f} | {ours / theirs:.1f}x |"
                elif peer in failed:
                    row += " fails | - |"
                else:
                    row += " - | - |"
            print(f"{label:22s} {row}", flush=True)
            lines.append(row)
        lines.append("")
    if errors:
        lines += ['Contenders that could not run here ("fails" above):', ""]
        lines += [f"- `{name}`: {why}" for name, why in sorted(errors.items())]
        lines.append("")
    text = "\n".join(lines)
    print(text)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
