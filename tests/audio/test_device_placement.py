"""Device placement without a GPU: every tensor an audio augmenter makes names its device
(``tests/device_placement.py`` explains the detector)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

import multiaug.audio as ma
from tests.cases import all_cases, make_inputs
from tests.cases.audio_basic import IR_FILE
from tests.device_placement import FactoriesOnMeta, check_placement


def _audio(n: int = 3) -> dict[str, Any]:
    return make_inputs("audio", n, seed=0)


_CASES = {name: case for name, case in all_cases().items() if case.data in ("audio", "spectrogram")}
_SOUNDS = [0.2 * torch.sin(torch.arange(300.0)), 0.2 * torch.cos(torch.arange(2 * 900.0)).reshape(2, 900)]
_EXTRA: dict[str, Callable[[], Any]] = {
    "Shift samples": lambda: ma.Shift((-900, 900), unit="samples", rollover=False, fill=0.1, p=1.0),
    "TimeMask fade": lambda: ma.TimeMask((0.01, 0.05), unit="seconds", fade=0.004, p=1.0),
    "TimeStretch keep_length": lambda: ma.TimeStretch((0.7, 1.4), keep_length=True, n_fft=256, p=1.0),
    "PitchShift per_channel": lambda: ma.PitchShift((-3, 3), n_fft=256, per_channel=True, p=1.0),
    "Speed fast": lambda: ma.Speed((1.6, 3.0), p=1.0),
    "AddBackgroundNoise tensors": lambda: ma.AddBackgroundNoise(_SOUNDS, sources_sample_rate=8000, p=1.0),
    "AddShortNoises tensors": lambda: ma.AddShortNoises(_SOUNDS, gap=(0.01, 0.05), p=1.0),
    "ApplyImpulseResponse compensate": lambda: ma.ApplyImpulseResponse(
        [IR_FILE], compensate_delay=True, p=1.0
    ),
    "PeakNormalization only_too_loud": lambda: ma.PeakNormalization(
        (-30, -1), apply_to="only_too_loud", p=1.0
    ),
}


@pytest.mark.parametrize("name", sorted(_CASES))
def test_contract_case_names_its_devices(name: str) -> None:
    case = _CASES[name]
    check_placement(lambda: case.build(p=1.0), make_inputs(case.data, 3, seed=0))


@pytest.mark.parametrize("name", sorted(_EXTRA))
def test_other_paths_name_their_devices(name: str) -> None:
    check_placement(_EXTRA[name], _audio())


def test_spectrogram_lengths_name_their_devices() -> None:
    spec = make_inputs("spectrogram", 3, seed=0)
    check_placement(
        lambda: ma.TimeMasking(20, 2, fill="mean", p=1.0), {**spec, "lengths": torch.tensor([50, 30, 41])}
    )


def test_the_detector_catches_a_missing_device() -> None:
    x = torch.ones(3)
    with pytest.raises((RuntimeError, NotImplementedError)), FactoriesOnMeta():
        x + torch.zeros(3)
