"""Make the pictures of docs/audio.md: waveform and spectrogram of a speech clip before and after each op.

    python docs/scripts/audio_figures.py

Reads ``data_samples/audio/speech_en_mono.wav`` (and ``music_stereo.wav`` as a background sound), writes
``docs/images/audio_*.png``. Deterministic (fixed seeds).
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import multiaug.audio as ma  # noqa: E402

SR = 16000
IMAGES = ROOT / "docs" / "images"
SAMPLES = ROOT / "data_samples" / "audio"


def speech() -> torch.Tensor:
    clip, _ = ma.load(SAMPLES / "speech_en_mono.wav", sample_rate=SR, mono=True)
    return clip[:, : int(2.5 * SR)]  # (1, T)


def room_response(folder: Path) -> Path:
    """A synthetic room impulse response: a direct sound, then exponentially decaying noise (RT60 about 0.5 s)."""
    rng = np.random.default_rng(0)
    t = np.arange(int(0.6 * SR)) / SR
    ir = rng.standard_normal(t.shape) * np.exp(-6.9 * t / 0.5) * 0.25
    ir[0] = 1.0
    path = folder / "room.wav"
    ma.save(path, torch.from_numpy(ir.astype(np.float32)), SR, subtype="FLOAT")
    return path


def log_spectrogram(x: torch.Tensor) -> np.ndarray:
    window = torch.hann_window(512)
    spec = torch.stft(x, 512, hop_length=128, window=window, return_complex=True).abs()
    return (20 * torch.log10(spec + 1e-5)).numpy()


def save(fig: plt.Figure, name: str) -> None:
    """Save as a 96-colour palette PNG (spectrogram textures compress badly in full colour: keeps files small)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    buffer.seek(0)
    path = IMAGES / f"audio_{name}.png"
    with Image.open(buffer) as im:
        im.convert("RGB").quantize(colors=96, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KB)")


def figure(name: str, rows: list[tuple[str, torch.Tensor]]) -> None:
    """One row per version: waveform (left) and log spectrogram (right)."""
    fig, axes = plt.subplots(len(rows), 2, figsize=(9.0, 1.55 * len(rows)), dpi=72, squeeze=False,
                             gridspec_kw={"width_ratios": [1, 1.25]})  # fmt: skip
    for (title, clip), (wave_ax, spec_ax) in zip(rows, axes):
        y = clip.reshape(-1)
        t = np.arange(len(y)) / SR
        wave_ax.plot(t, y.numpy(), lw=0.4, color="#1f77b4")
        wave_ax.set_xlim(0, t[-1])
        wave_ax.set_ylim(-1, 1)
        wave_ax.set_ylabel(title, rotation=0, ha="right", va="center", fontsize=8)
        wave_ax.tick_params(labelsize=6)
        spec = log_spectrogram(y)
        spec_ax.imshow(spec, origin="lower", aspect="auto", cmap="magma", vmin=-80, vmax=spec.max(),
                       extent=(0, t[-1], 0, SR / 2000))  # fmt: skip
        spec_ax.set_ylabel("kHz", fontsize=6)
        spec_ax.tick_params(labelsize=6)
    axes[-1, 0].set_xlabel("seconds", fontsize=7)
    axes[-1, 1].set_xlabel("seconds", fontsize=7)
    fig.tight_layout(pad=0.3)
    save(fig, name)


def spectrogram_figure(x: torch.Tensor) -> None:
    import torchaudio

    mel = (
        torchaudio.transforms.MelSpectrogram(SR, n_fft=400, hop_length=160, n_mels=80)(x)
        .clamp(min=1e-10)
        .log()
    )
    rows = [
        ("log-mel", mel),
        (
            "FrequencyMasking\n(2 masks, fill mean)",
            ma.FrequencyMasking(20, 2, fill="mean", p=1.0)(mel, seed=2),
        ),
        (
            "TimeMasking\n(2 masks, fill mean)",
            ma.TimeMasking(40, num_masks=2, fill="mean", p=1.0)(mel, seed=5),
        ),
    ]
    fig, axes = plt.subplots(len(rows), 1, figsize=(7.0, 1.5 * len(rows)), dpi=72)
    for (title, spec), ax in zip(rows, axes):
        ax.imshow(spec[0].numpy(), origin="lower", aspect="auto", cmap="magma")
        ax.set_ylabel(title, rotation=0, ha="right", va="center", fontsize=8)
        ax.tick_params(labelsize=6)
    axes[-1].set_xlabel("frames (10 ms)", fontsize=7)
    fig.tight_layout(pad=0.3)
    save(fig, "specaugment")


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    x = speech()
    call = {"sample_rate": SR}
    figure("noise", [
        ("original", x),
        ("AddGaussianNoise\n(amplitude 0.02)", ma.AddGaussianNoise((0.02, 0.02), p=1.0)(x, seed=1, **call)),
        ("AddGaussianSNR\n(10 dB)", ma.AddGaussianSNR((10, 10), p=1.0)(x, seed=1, **call)),
        ("AddColoredNoise\n(10 dB, pink)", ma.AddColoredNoise((10, 10), (1, 1), p=1.0)(x, seed=1, **call)),
        ("AddColoredNoise\n(10 dB, brown)", ma.AddColoredNoise((10, 10), (2, 2), p=1.0)(x, seed=1, **call)),
        ("AddBackgroundNoise\n(music, 5 dB)",
         ma.AddBackgroundNoise(str(SAMPLES / "music_stereo.wav"), (5, 5), p=1.0)(x, seed=1, **call)),
    ])  # fmt: skip
    figure("shift_gain", [
        ("original", x),
        ("Shift +0.5 s\n(rollover)", ma.Shift((0.5, 0.5), "seconds", p=1.0)(x, **call)),
        ("Shift -0.5 s\n(no rollover)", ma.Shift((-0.5, -0.5), "seconds", rollover=False, p=1.0)(x, **call)),
        ("Gain -12 dB", ma.Gain((-12, -12), p=1.0)(x, **call)),
        ("PolarityInversion", ma.PolarityInversion(p=1.0)(x, **call)),
    ])  # fmt: skip
    figure("filters", [
        ("original", x),
        ("LowPassFilter\n1 kHz, 24 dB/oct", ma.LowPassFilter(1000, 24, p=1.0)(x, **call)),
        ("HighPassFilter\n2 kHz, 24 dB/oct", ma.HighPassFilter(2000, 24, p=1.0)(x, **call)),
        ("BandPassFilter\n1 kHz, width 1.0", ma.BandPassFilter(1000, 1.0, 24, p=1.0)(x, **call)),
        ("BandStopFilter\n1 kHz, width 1.0", ma.BandStopFilter(1000, 1.0, 24, p=1.0)(x, **call)),
    ])  # fmt: skip
    figure("equalizer", [
        ("original", x),
        ("LowShelfFilter\n500 Hz, -18 dB", ma.LowShelfFilter(500, (-18, -18), 0.707, p=1.0)(x, **call)),
        ("HighShelfFilter\n2 kHz, -18 dB", ma.HighShelfFilter(2000, (-18, -18), 0.707, p=1.0)(x, **call)),
        ("PeakingFilter\n1.5 kHz, +18 dB, q 2", ma.PeakingFilter(1500, (18, 18), 2.0, p=1.0)(x, **call)),
        ("SevenBandParametricEQ\n(+-12 dB)", ma.SevenBandParametricEQ(p=1.0)(x, seed=3, **call)),
    ])  # fmt: skip
    figure("levels", [
        ("original", x),
        ("PeakNormalization\n(0 dBFS)", ma.PeakNormalization(p=1.0)(x, **call)),
        ("LoudnessNormalization\n(-30 LUFS)", ma.LoudnessNormalization((-30, -30), p=1.0)(x, **call)),
        ("ClippingDistortion\n(4 % clipped)", ma.ClippingDistortion((4, 4), p=1.0)(x, **call)),
        ("TanhDistortion\n(0.1)", ma.TanhDistortion((0.1, 0.1), p=1.0)(x, **call)),
        ("Reverse", ma.Reverse(p=1.0)(x, **call)),
        ("Mp3Compression\n(8 kbps)", ma.Mp3Compression((8, 8), p=1.0)(x, **call)),
    ])  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        room = room_response(Path(tmp))
        figure("masking_reverb", [
            ("original", x),
            ("TimeMask\n(0.4 s, 5 ms fades)", ma.TimeMask((0.4, 0.4), "seconds", fade=0.005, p=1.0)(x, seed=2, **call)),
            ("ApplyImpulseResponse\n(room, RT60 0.5 s)", ma.ApplyImpulseResponse(str(room), p=1.0)(x, **call)),
        ])  # fmt: skip
    spectrogram_figure(x)


if __name__ == "__main__":
    main()
