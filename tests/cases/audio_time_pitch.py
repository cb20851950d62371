"""Contract cases: time-stretch, pitch shift and speed (small STFTs keep the suite fast)."""

import multiaug.audio as ma

from . import Case

CASES = {
    "audio.TimeStretch": Case(
        ma.TimeStretch, {"rate": (0.8, 1.25), "n_fft": 512}, data="audio", changes_length=True, atol=1e-4
    ),
    "audio.PitchShift": Case(
        ma.PitchShift, {"semitones": (-4.0, 4.0), "n_fft": 512}, data="audio", atol=1e-4
    ),
    "audio.Speed": Case(ma.Speed, {"factor": (0.8, 1.25)}, data="audio", changes_length=True, atol=1e-4),
}
