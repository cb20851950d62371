"""Device placement without a GPU: every tensor an audio augmenter makes names its device.

The audio runs on the CPU while tensor factories called without ``device=`` make "meta" tensors (as under
``torch.device("meta")``). Such a tensor meeting the CPU data raises: on CUDA it would have been a CPU tensor
meeting GPU data. Host-side tensors (parameters derived in float64 on the host, lengths, noise accumulated on
the host) therefore say ``device="cpu"`` and are moved explicitly, which also keeps them on the host under
``torch.set_default_device("cuda")``.

One exception mirrors what CUDA does: ``torch.as_tensor``/``asarray``/``tensor`` of a tensor keep its device.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest
import torch
from torch.overrides import TorchFunctionMode

import multiaug.audio as ma
from tests.cases import all_cases, make_inputs
from tests.cases.audio_basic import IR_FILE

_FACTORIES = {
    torch.arange, torch.as_tensor, torch.asarray, torch.empty, torch.eye, torch.fft.fftfreq,
    torch.fft.rfftfreq, torch.full, torch.hann_window, torch.linspace, torch.logspace, torch.ones,
    torch.rand, torch.randint, torch.randn, torch.randperm, torch.scalar_tensor, torch.tensor, torch.zeros,
}  # fmt: skip
_KEEP_DEVICE = {torch.as_tensor, torch.asarray, torch.tensor}
_EXEMPT_MODULES: tuple[str, ...] = ()  # modules whose factories are not checked


class FactoriesOnMeta(TorchFunctionMode):
    """Tensor factories called without ``device=`` make meta tensors; records where."""

    def __init__(self) -> None:
        super().__init__()
        self.sites: list[str] = []

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        kwargs = dict(kwargs or {})
        if func in _FACTORIES and kwargs.get("device") is None:
            keeps = func in _KEEP_DEVICE and bool(args) and isinstance(args[0], torch.Tensor)
            caller = sys._getframe(1)
            if not keeps and caller.f_globals.get("__name__") not in _EXEMPT_MODULES:
                self.sites.append(f"{caller.f_code.co_filename}:{caller.f_lineno}")
                kwargs["device"] = "meta"
        return func(*args, **kwargs)


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


def _assert_same(a: Any, b: Any) -> None:
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _assert_same(a[key], b[key])
    else:
        assert a.device == b.device and a.dtype == b.dtype
        assert torch.equal(a, b)


def _check(make: Callable[[], Any], inputs: dict[str, Any]) -> None:
    aug = make()
    want, record = aug(**inputs, seed=1, return_params=True)
    for kwargs in ({"seed": 1}, {"params": record}):
        mode = FactoriesOnMeta()
        try:
            with mode:
                got = aug(**inputs, **kwargs)
        except (RuntimeError, NotImplementedError) as err:
            raise AssertionError(
                f"a tensor without device= met the data; factories: {mode.sites[-4:]}"
            ) from err
        _assert_same(want, got)


@pytest.mark.parametrize("name", sorted(_CASES))
def test_contract_case_names_its_devices(name: str) -> None:
    case = _CASES[name]
    _check(lambda: case.build(p=1.0), make_inputs(case.data, 3, seed=0))


@pytest.mark.parametrize("name", sorted(_EXTRA))
def test_other_paths_name_their_devices(name: str) -> None:
    _check(_EXTRA[name], _audio())


def test_spectrogram_lengths_name_their_devices() -> None:
    spec = make_inputs("spectrogram", 3, seed=0)
    _check(lambda: ma.TimeMasking(20, 2, fill="mean", p=1.0), {**spec, "lengths": torch.tensor([50, 30, 41])})


def test_the_detector_catches_a_missing_device() -> None:
    x = torch.ones(3)
    with pytest.raises((RuntimeError, NotImplementedError)), FactoriesOnMeta():
        x + torch.zeros(3)
