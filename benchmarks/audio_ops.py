"""Benchmark multiaug's basic audio augmenters against audiomentations, torch-audiomentations and torchaudio.

Two workloads, as in issue 4: a batch of 32 clips of 3 s at 16 kHz, and one 10 s clip at 44.1 kHz (mono, cut
from ``data_samples/audio``). Every contender runs the same op on the same data in this process, interleaved
(each repeat times every contender once, in a rotating order); the table gives the median. multiaug and
torch-audiomentations get the whole batch in one call; audiomentations (NumPy) is called clip by clip;
torchaudio.functional is called on the batch with one parameter for all clips (it has no per-clip draws).
multiaug is called as a user would: ``aug(x, sample_rate=sr)`` without a seed (fresh draws each call).

Run: ``python benchmarks/audio_ops.py`` (``--quick`` for fewer repeats, ``--threads 2`` for two cores).
Writes the Markdown table to ``benchmarks/results/audio_ops.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
import tempfile
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 repeats instead of 15")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1, help="torch/BLAS threads for every contender")
    parser.add_argument("--only", default="", help="comma-separated op names to run")
    parser.add_argument(  # as harness.add_malloc_flag (this parser runs before the imports)
        "--default-malloc", action="store_true", help="keep glibc's default mmap/trim thresholds (erratic)"
    )
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "audio_ops.md"))
    return parser.parse_args()


ARGS = _parse() if __name__ == "__main__" else None
if ARGS is not None:
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
import torch  # noqa: E402
from harness import (  # noqa: E402
    copy_floor,
    interleaved,
    malloc_mode,
    medians,
    rate_cell,
    ratio_cell,
    table_row,
    wall_per_call,
    warm_up,
    write_results,
)

import multiaug.audio as ma  # noqa: E402

NOISE_DIR = ROOT / "data_samples" / "audio"


def _peers() -> dict[str, object]:
    out: dict[str, object] = {}
    for name in ("audiomentations", "torch_audiomentations", "torchaudio"):
        with contextlib.suppress(ImportError):  # peers are optional extras
            out[name] = __import__(name)
    return out


PEERS = _peers()


def _clips() -> dict[str, tuple[torch.Tensor, int]]:
    speech, _ = ma.load(NOISE_DIR / "speech_en_mono.wav", sample_rate=16000, mono=True)
    music, _ = ma.load(NOISE_DIR / "music_stereo.wav", sample_rate=16000, mono=True)
    source = torch.cat([speech, music], dim=-1)[0]
    n = 3 * 16000
    starts = torch.linspace(0, source.shape[-1] - 1, 32).long()
    looped = torch.cat([source, source])
    batch = torch.stack([looped[s : s + n] for s in starts.tolist()])[:, None, :].contiguous()
    long, _ = ma.load(NOISE_DIR / "music_stereo.wav", sample_rate=44100, mono=True)
    long = long.repeat(1, 3)[:, : 10 * 44100][None].contiguous()
    return {"32 x 3 s @ 16 kHz": (batch, 16000), "1 x 10 s @ 44.1 kHz": (long, 44100)}


def _impulse_responses(folder: Path) -> Path:
    rng = np.random.default_rng(0)
    for i, decay in enumerate((0.05, 0.15)):
        t = np.arange(int(0.4 * 16000)) / 16000
        ir = rng.standard_normal(t.shape) * np.exp(-t / decay) * 0.3
        ir[0] = 1.0
        sf.write(str(folder / f"room{i}.wav"), ir.astype(np.float32), 16000, subtype="FLOAT")
    return folder


def _spectrogram(batch: torch.Tensor) -> torch.Tensor:
    import torchaudio

    mel = torchaudio.transforms.MelSpectrogram(16000, n_fft=400, hop_length=160, n_mels=80)
    return mel(batch).clamp(min=1e-10).log()


Runner = Callable[[], object]


def _contenders(op: str, x: torch.Tensor, sr: int, ir_dir: Path, spec: torch.Tensor) -> dict[str, Runner]:
    """The callables that run ``op`` on ``x`` for each library (missing peers are left out)."""
    am, tam, taf = PEERS.get("audiomentations"), PEERS.get("torch_audiomentations"), PEERS.get("torchaudio")
    if op == "ShuffleChannels":  # stereo clips: a channel shuffle of mono clips does nothing
        x = torch.cat([x, x.flip(-1)], dim=1)
    xs = x[:, 0].numpy()  # audiomentations: mono clips as 1-D arrays
    out: dict[str, Runner] = {}

    def per_clip(transform: object) -> Runner:
        return lambda: [transform(samples=clip, sample_rate=sr) for clip in xs]

    def batched(transform: object) -> Runner:
        return lambda: transform(x, sample_rate=sr).samples

    mine = {
        "AddGaussianNoise": ma.AddGaussianNoise(p=1.0),
        "AddGaussianSNR": ma.AddGaussianSNR(p=1.0),
        "AddColoredNoise": ma.AddColoredNoise(p=1.0),
        "AddBackgroundNoise": ma.AddBackgroundNoise(str(NOISE_DIR), p=1.0),
        "Shift": ma.Shift(p=1.0),
        "Gain": ma.Gain(p=1.0),
        "PolarityInversion": ma.PolarityInversion(p=1.0),
        "LowPassFilter": ma.LowPassFilter(p=1.0),
        "HighPassFilter": ma.HighPassFilter(p=1.0),
        "BandPassFilter": ma.BandPassFilter(p=1.0),
        "BandStopFilter": ma.BandStopFilter(p=1.0),
        "TimeMask": ma.TimeMask(p=1.0),
        "PeakNormalization": ma.PeakNormalization(p=1.0),
        "ClippingDistortion": ma.ClippingDistortion(p=1.0),
        "TanhDistortion": ma.TanhDistortion(p=1.0),
        "Reverse": ma.Reverse(p=1.0),
        "ShuffleChannels": ma.ShuffleChannels(p=1.0),
        "Mp3Compression": ma.Mp3Compression(p=1.0),
        "LoudnessNormalization": ma.LoudnessNormalization(p=1.0),
        "LowShelfFilter": ma.LowShelfFilter(p=1.0),
        "HighShelfFilter": ma.HighShelfFilter(p=1.0),
        "PeakingFilter": ma.PeakingFilter(p=1.0),
        "SevenBandParametricEQ": ma.SevenBandParametricEQ(p=1.0),
        "GainTransition": ma.GainTransition(p=1.0),
        "BitCrush": ma.BitCrush(p=1.0),
        "Aliasing": ma.Aliasing(p=1.0),
        "RandomCrop": ma.RandomCrop(duration=1.0, p=1.0),
        "AddShortNoises": ma.AddShortNoises(str(NOISE_DIR), gap=(0.5, 1.0), p=1.0),
        "ApplyImpulseResponse": ma.ApplyImpulseResponse(str(ir_dir), p=1.0),
        "FrequencyMasking": ma.FrequencyMasking(p=1.0),
        "TimeMasking": ma.TimeMasking(p=1.0),
    }[op]
    if op in ("FrequencyMasking", "TimeMasking"):
        out["multiaug"] = lambda: mine(spec)
    else:
        out["multiaug"] = lambda: mine(x, sample_rate=sr)
    out["copy floor"] = copy_floor(
        out["multiaug"](), spec if op in ("FrequencyMasking", "TimeMasking") else x
    )
    if am is not None:
        a = {
            "AddGaussianNoise": lambda: am.AddGaussianNoise(p=1.0),
            "AddGaussianSNR": lambda: am.AddGaussianSNR(p=1.0),
            "AddColoredNoise": lambda: am.AddColorNoise(p=1.0),
            "AddBackgroundNoise": lambda: am.AddBackgroundNoise(sounds_path=str(NOISE_DIR), p=1.0),
            "Shift": lambda: am.Shift(fade_duration=0.0, p=1.0),  # no fades, as multiaug and tam
            "Gain": lambda: am.Gain(p=1.0),
            "PolarityInversion": lambda: am.PolarityInversion(p=1.0),
            "LowPassFilter": lambda: am.LowPassFilter(p=1.0),
            "HighPassFilter": lambda: am.HighPassFilter(p=1.0),
            "BandPassFilter": lambda: am.BandPassFilter(p=1.0),
            "BandStopFilter": lambda: am.BandStopFilter(p=1.0),
            "TimeMask": lambda: am.TimeMask(fade_duration=0.0, p=1.0),  # multiaug's default fade=0.0
            "PeakNormalization": lambda: am.Normalize(p=1.0),
            "ClippingDistortion": lambda: am.ClippingDistortion(p=1.0),
            "TanhDistortion": lambda: am.TanhDistortion(p=1.0),
            "Reverse": lambda: am.Reverse(p=1.0),
            "Mp3Compression": lambda: am.Mp3Compression(p=1.0),
            "LoudnessNormalization": lambda: am.LoudnessNormalization(p=1.0),
            "LowShelfFilter": lambda: am.LowShelfFilter(p=1.0),
            "HighShelfFilter": lambda: am.HighShelfFilter(p=1.0),
            "PeakingFilter": lambda: am.PeakingFilter(p=1.0),
            "SevenBandParametricEQ": lambda: am.SevenBandParametricEQ(p=1.0),
            "GainTransition": lambda: am.GainTransition(p=1.0),
            "BitCrush": lambda: am.BitCrush(p=1.0),
            "Aliasing": lambda: am.Aliasing(p=1.0),
            "AddShortNoises": lambda: am.AddShortNoises(
                sounds_path=str(NOISE_DIR), min_time_between_sounds=0.5, max_time_between_sounds=1.0, p=1.0
            ),
            "ApplyImpulseResponse": lambda: am.ApplyImpulseResponse(ir_path=str(ir_dir), p=1.0),
        }.get(op)
        if a is not None:
            out["audiomentations"] = per_clip(a())
    if tam is not None and op == "RandomCrop":  # not exported at the package's top level; a plain module
        from torch_audiomentations.augmentations.random_crop import RandomCrop as TamCrop

        out["torch-audiomentations"] = partial(TamCrop(max_length=1.0, sampling_rate=sr), x)
    if tam is not None:
        kw = {"p": 1.0, "output_type": "dict", "sample_rate": sr}
        t = {
            "AddColoredNoise": lambda: tam.AddColoredNoise(**kw),
            "AddBackgroundNoise": lambda: tam.AddBackgroundNoise(str(NOISE_DIR), **kw),
            "Shift": lambda: tam.Shift(**kw),
            "Gain": lambda: tam.Gain(**kw),
            "PolarityInversion": lambda: tam.PolarityInversion(**kw),
            "LowPassFilter": lambda: tam.LowPassFilter(**kw),
            "HighPassFilter": lambda: tam.HighPassFilter(**kw),
            "BandPassFilter": lambda: tam.BandPassFilter(**kw),
            "BandStopFilter": lambda: tam.BandStopFilter(**kw),
            "PeakNormalization": lambda: tam.PeakNormalization(**kw),
            "Reverse": lambda: tam.TimeInversion(**kw),
            "ShuffleChannels": lambda: tam.ShuffleChannels(**kw),
            "ApplyImpulseResponse": lambda: tam.ApplyImpulseResponse(str(ir_dir), **kw),
        }.get(op)
        if t is not None:
            out["torch-audiomentations"] = batched(t())
    if taf is not None:
        F, T = taf.functional, taf.transforms
        ir = torch.from_numpy(sf.read(str(ir_dir / "room0.wav"), dtype="float32")[0])[None, None]
        f = {
            "Gain": lambda: F.gain(x, 6.0),
            "LowPassFilter": lambda: F.lowpass_biquad(x, sr, 1000.0),
            "HighPassFilter": lambda: F.highpass_biquad(x, sr, 300.0),
            "BandPassFilter": lambda: F.bandpass_biquad(x, sr, 1000.0),
            "BandStopFilter": lambda: F.bandreject_biquad(x, sr, 1000.0),
            "ApplyImpulseResponse": lambda: F.fftconvolve(x, ir)[..., : x.shape[-1]],
            "FrequencyMasking": lambda: T.FrequencyMasking(27, iid_masks=True)(spec),
            "TimeMasking": lambda: T.TimeMasking(100, iid_masks=True)(spec),
        }.get(op)
        if f is not None:
            out["torchaudio"] = f
    return out


OPS = [
    "AddGaussianNoise", "AddGaussianSNR", "AddColoredNoise", "AddBackgroundNoise", "Shift", "Gain",
    "PolarityInversion", "LowPassFilter", "HighPassFilter", "BandPassFilter", "BandStopFilter", "TimeMask",
    "PeakNormalization", "ClippingDistortion", "TanhDistortion", "Reverse", "ShuffleChannels", "Mp3Compression",
    "LoudnessNormalization", "LowShelfFilter", "HighShelfFilter", "PeakingFilter", "SevenBandParametricEQ",
    "GainTransition", "BitCrush", "Aliasing", "RandomCrop", "AddShortNoises", "ApplyImpulseResponse",
    "FrequencyMasking", "TimeMasking",
]  # fmt: skip
PEER_NAMES = ["audiomentations", "torch-audiomentations", "torchaudio"]


def _time(runners: dict[str, Runner], repeats: int) -> tuple[dict[str, float], dict[str, str]]:
    """Median seconds per call of each runner, and the error of each runner that cannot run."""
    failed = warm_up(runners, 2, drop_failures=True)  # imports, caches, allocator; drops peers that fail
    timers = {name: partial(wall_per_call, run) for name, run in runners.items()}
    return medians(interleaved(timers, repeats, rotate=True)), failed


def main() -> None:
    args = ARGS
    torch.set_num_threads(args.threads)
    malloc = malloc_mode(args)
    repeats = args.repeats or (5 if args.quick else 15)
    only = [o for o in args.only.split(",") if o] or OPS
    clips = _clips()
    lines = [
        "# Basic audio ops: multiaug vs audiomentations, torch-audiomentations, torchaudio",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {args.threads} thread(s) per contender "
        f"(torch.set_num_threads and BLAS/OpenMP), Python {platform.python_version()}, torch {torch.__version__}"
        + "".join(f", {n} {getattr(m, '__version__', '?')}" for n, m in PEERS.items())
        + f". Allocator: {malloc}, the same for every library. Median of {repeats} interleaved repeats. "
        + "Command: `python benchmarks/audio_ops.py"
        + (" --quick" if args.quick else "")
        + (" --default-malloc" if args.default_malloc else "")
        + (f" --threads {args.threads}" if args.threads != 1 else "")
        + "`.",
        "",
        "Throughput in clips per second and in seconds of audio per second of wall time (x real time); "
        "a ratio is multiaug's throughput over the peer's (> 1: multiaug is faster). audiomentations runs clip "
        "by clip (NumPy); torch-audiomentations and multiaug take the batch in one call; torchaudio.functional "
        "applies one parameter to the whole batch (biquad IIR filters, FFT convolution, SpecAugment masks on an "
        "80-band log-mel spectrogram of the batch). Filters in multiaug are zero-phase FFT filters with any "
        "slope; the peers' are IIR filters."
        + " Peers' own choices that the ratios carry: audiomentations' `Reverse` returns a reversed view of the clip (no copy); its `Mp3Compression` runs the fast-mp3-augment backend (LAME at quality 7), ours libsndfile's LAME at its default quality; its `LoudnessNormalization` measures with the compiled `loudness` package; its `AddBackgroundNoise` (0.43 removed its cache) reads and resamples (22.05 kHz files) the noise from disk on every call, where multiaug decodes each file once and keeps it in memory (so that row measures the cache); its `Shift` and `TimeMask` run with `fade_duration=0` (their default 5 ms fades cost about 25% per clip and multiaug does not fade); torch-audiomentations' `RandomCrop` cuts one window for the whole batch."
        + " Copy floor: a plain copy of as many values as multiaug's op returns (one read, one write): no "
        "out-of-place op, in any library, runs faster, so 'ceiling vs audiomentations' (copy floor / "
        "audiomentations) is the most any batched implementation that returns new tensors can gain on it here.",
        "",
    ]
    errors: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        ir_dir = _impulse_responses(Path(tmp))
        for label, (x, sr) in clips.items():
            seconds = x.shape[0] * x.shape[-1] / sr
            spec = _spectrogram(
                x if sr == 16000 else ma.load(NOISE_DIR / "music_stereo.wav", 16000, True)[0][None]
            )
            lines += [f"## {label}", "", "| op | multiaug clips/s | x real time | "
                      + " | ".join(f"{p} clips/s | ratio" for p in PEER_NAMES)
                      + " | copy floor clips/s | ceiling vs audiomentations |",
                      "|---|---:|---:|" + "---:|---:|" * len(PEER_NAMES) + "---:|---:|"]  # fmt: skip
            for op in only:
                runners = _contenders(op, x, sr, ir_dir, spec)
                times, failed = _time(runners, repeats)
                errors.update({f"{peer}.{op}": why for peer, why in failed.items()})
                n = x.shape[0] if op not in ("FrequencyMasking", "TimeMasking") else spec.shape[0]
                ours = n / times["multiaug"]
                rt = "" if op in ("FrequencyMasking", "TimeMasking") else f"{seconds / times['multiaug']:.0f}"
                cells = [op, rate_cell(ours), rt]
                for peer in PEER_NAMES:
                    if peer in times:
                        theirs = n / times[peer]
                        cells += [rate_cell(theirs), ratio_cell(ours, theirs)]
                    else:
                        cells += ["fails" if peer in failed else "-", "-"]
                floor = n / times["copy floor"]
                cells.append(rate_cell(floor))
                cells.append(
                    ratio_cell(floor, n / times["audiomentations"]) if "audiomentations" in times else "-"
                )
                row = table_row(cells)
                print(f"{label:22s} {row}", flush=True)
                lines.append(row)
            lines.append("")
    if errors:
        lines += ['Contenders that could not run here ("fails" above):', ""]
        lines += [f"- `{name}`: {why}" for name, why in sorted(errors.items())]
        lines.append("")
    text = "\n".join(lines)
    print(text)
    write_results(args.out, text + "\n")


if __name__ == "__main__":
    main()
