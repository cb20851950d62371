"""Contract cases: basic audio augmenters (noise, shift, gain, filters, masks, reverb)."""

import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

import multiaug.audio as ma

from . import Case

ROOT = Path(__file__).resolve().parents[2]
NOISE_DIR = str(ROOT / "data_samples" / "audio")


def _impulse_response_file() -> str:
    """A small synthetic room response (direct sound + decaying noise tail), written once per machine."""
    path = Path(tempfile.gettempdir()) / "multiaug-test-ir-v1.wav"
    if not path.exists():
        rng = np.random.default_rng(0)
        t = np.arange(1600) / 16000
        ir = rng.standard_normal(1600) * np.exp(-t / 0.02) * 0.3
        ir[0] = 1.0
        tmp = path.with_suffix(f".{rng.integers(1 << 30)}.tmp.wav")
        sf.write(str(tmp), ir.astype(np.float32), 16000, subtype="FLOAT")
        tmp.replace(path)
    return str(path)


IR_FILE = _impulse_response_file()

CASES = {
    "audio.Gain": Case(ma.Gain, {"gain_db": (-6.0, 6.0)}, data="audio"),
    "audio.PolarityInversion": Case(ma.PolarityInversion, {}, data="audio", deterministic=True),
    "audio.AddGaussianNoise": Case(ma.AddGaussianNoise, {"amplitude": (0.01, 0.05)}, data="audio"),
    "audio.AddGaussianSNR": Case(ma.AddGaussianSNR, {"snr_db": (5.0, 20.0)}, data="audio"),
    "audio.AddColoredNoise": Case(ma.AddColoredNoise, {"snr_db": (5.0, 20.0)}, data="audio"),
    "audio.AddBackgroundNoise": Case(
        ma.AddBackgroundNoise, {"sources": NOISE_DIR, "snr_db": (5.0, 20.0)}, data="audio"
    ),
    "audio.AddShortNoises": Case(
        ma.AddShortNoises, {"sources": NOISE_DIR, "gap": (0.05, 0.2), "snr_db": (5.0, 20.0)}, data="audio"
    ),
    "audio.Shift": Case(ma.Shift, {"shift": (-0.4, 0.4)}, data="audio"),
    "audio.LowPassFilter": Case(ma.LowPassFilter, {}, data="audio"),
    "audio.HighPassFilter": Case(ma.HighPassFilter, {}, data="audio"),
    "audio.BandPassFilter": Case(ma.BandPassFilter, {}, data="audio"),
    "audio.BandStopFilter": Case(ma.BandStopFilter, {}, data="audio"),
    "audio.TimeMask": Case(ma.TimeMask, {"duration": (0.1, 0.3), "fade": 0.002}, data="audio"),
    "audio.FrequencyMasking": Case(ma.FrequencyMasking, {"max_width": 8, "num_masks": 2}, data="spectrogram"),
    "audio.TimeMasking": Case(ma.TimeMasking, {"max_width": 12, "fill": "mean"}, data="spectrogram"),
    "audio.ApplyImpulseResponse": Case(ma.ApplyImpulseResponse, {"sources": [IR_FILE]}, data="audio"),
    "audio.PeakNormalization": Case(ma.PeakNormalization, {"peak_db": (-12.0, 0.0)}, data="audio"),
    "audio.ClippingDistortion": Case(ma.ClippingDistortion, {"percentile": (5.0, 40.0)}, data="audio"),
    "audio.TanhDistortion": Case(ma.TanhDistortion, {}, data="audio"),
    "audio.Reverse": Case(ma.Reverse, {}, data="audio", deterministic=True),
    "audio.ShuffleChannels": Case(ma.ShuffleChannels, {}, data="audio"),
    "audio.RandomCrop": Case(ma.RandomCrop, {"duration": (0.05, 0.2)}, data="audio", changes_length=True),
    "audio.GainTransition": Case(ma.GainTransition, {"duration": (0.02, 0.1)}, data="audio"),
    "audio.BitCrush": Case(ma.BitCrush, {}, data="audio"),
    "audio.Aliasing": Case(ma.Aliasing, {"sample_rate_hz": (4000.0, 12000.0)}, data="audio"),
    "audio.LowShelfFilter": Case(ma.LowShelfFilter, {}, data="audio"),
    "audio.HighShelfFilter": Case(ma.HighShelfFilter, {}, data="audio"),
    "audio.PeakingFilter": Case(ma.PeakingFilter, {}, data="audio"),
    "audio.SevenBandParametricEQ": Case(ma.SevenBandParametricEQ, {}, data="audio"),
    "audio.LoudnessNormalization": Case(ma.LoudnessNormalization, {}, data="audio"),
    "audio.Mp3Compression": Case(ma.Mp3Compression, {"bitrate_kbps": (16.0, 96.0)}, data="audio"),
}
