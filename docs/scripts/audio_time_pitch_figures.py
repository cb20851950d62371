"""Make the pictures of docs/audio_time_pitch.md: spectrograms of a speech clip before and after time-stretch,
pitch shift and speed change, on one time axis per figure (so duration changes show).

    python docs/scripts/audio_time_pitch_figures.py

Reads ``data_samples/audio/speech_en_mono.wav`` (through ``docs/scripts/audio_figures.py``'s helpers), writes
``docs/images/audio_tp_*.png``. Deterministic: every parameter is fixed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from audio_figures import SR, log_spectrogram, save, speech  # noqa: E402

import multiaug.audio as ma  # noqa: E402


def figure(name: str, rows: list[tuple[str, torch.Tensor]], top_khz: float = 8.0) -> None:
    """One log spectrogram per row, all on the time axis of the longest clip."""
    longest = max(clip.shape[-1] for _, clip in rows) / SR
    fig, axes = plt.subplots(len(rows), 1, figsize=(8.0, 1.45 * len(rows)), dpi=72, squeeze=False)
    for (title, clip), ax in zip(rows, axes[:, 0]):
        y = clip.reshape(-1)
        spec = log_spectrogram(y)
        seconds = len(y) / SR
        ax.imshow(spec, origin="lower", aspect="auto", cmap="magma", vmin=-80, vmax=spec.max(),
                  extent=(0, seconds, 0, SR / 2000))  # fmt: skip
        ax.set_xlim(0, longest)
        ax.set_ylim(0, top_khz)
        ax.set_title(f"{title}  ({seconds:.2f} s)", fontsize=8, loc="left")
        ax.set_ylabel("kHz", fontsize=7)
        ax.tick_params(labelsize=6)
    axes[-1, 0].set_xlabel("seconds", fontsize=7)
    fig.tight_layout(pad=0.3)
    save(fig, name)


def run(aug: ma.AudioAugmenter, x: torch.Tensor) -> torch.Tensor:
    out = aug(audio=x, sample_rate=SR, seed=0)
    return out["audio"][..., : int(out["lengths"][0])]


def main() -> None:
    x = speech()
    figure(
        "tp_stretch",
        [
            ("original", x),
            ("TimeStretch rate 0.8 (slower, longer)", run(ma.TimeStretch(rate=(0.8, 0.8), p=1.0), x)),
            ("TimeStretch rate 1.25 (faster, shorter)", run(ma.TimeStretch(rate=(1.25, 1.25), p=1.0), x)),
        ],
    )
    figure(
        "tp_pitch",
        [
            ("original", x),
            ("PitchShift +4 semitones", run(ma.PitchShift(semitones=(4.0, 4.0), p=1.0), x)),
            ("PitchShift -4 semitones", run(ma.PitchShift(semitones=(-4.0, -4.0), p=1.0), x)),
        ],
        top_khz=4.0,
    )
    figure(
        "tp_speed",
        [
            ("original", x),
            ("Speed 0.8 (slower and lower)", run(ma.Speed(factor=(0.8, 0.8), p=1.0), x)),
            ("Speed 1.25 (faster and higher)", run(ma.Speed(factor=(1.25, 1.25), p=1.0), x)),
        ],
    )
    # A harmonic tone (220 Hz and its first harmonics), shifted by +12 and -5.5 semitones: the partials move
    # by exactly the ratio.
    t = torch.arange(SR) / SR
    tone = sum(0.3 / k * torch.sin(2 * torch.pi * 220 * k * t) for k in range(1, 6))[None]
    fig, ax = plt.subplots(figsize=(8.0, 2.2), dpi=72)
    for label, semitones, color in (("original", 0.0, "#444444"), ("+12 semitones", 12.0, "#d62728"),
                                    ("-5.5 semitones", -5.5, "#1f77b4")):  # fmt: skip
        y = (
            tone
            if semitones == 0
            else ma.PitchShift(semitones=(semitones, semitones), p=1.0)(tone, sample_rate=SR)
        )
        seg = y[0, SR // 4 : 3 * SR // 4].double().numpy()
        spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg)), 1 << 16))
        freqs = np.fft.rfftfreq(1 << 16, 1 / SR)
        ax.plot(freqs, 20 * np.log10(spec / spec.max() + 1e-6), lw=0.8, color=color, label=label)
    ax.set_xlim(0, 2500)
    ax.set_ylim(-80, 3)
    ax.set_xlabel("Hz", fontsize=7)
    ax.set_ylabel("dB", fontsize=7)
    ax.tick_params(labelsize=6)
    ax.legend(fontsize=7, loc="upper right")
    ax.set_title("Spectrum of a 220 Hz harmonic tone, pitch-shifted", fontsize=8, loc="left")
    fig.tight_layout(pad=0.3)
    save(fig, "tp_tone")


if __name__ == "__main__":
    main()
