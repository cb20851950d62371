"""Device placement without a GPU: tensor factories called without ``device=`` make "meta" tensors.

Augmenters run on CPU data while a factory called without ``device=`` makes a "meta" tensor (as under
``torch.device("meta")``). Such a tensor meeting the CPU data raises: on CUDA it would have been a CPU tensor
meeting GPU data. Host-side tensors (parameters derived in float64 on the host, lengths, noise made on the host)
therefore say ``device="cpu"`` and are moved explicitly, which also keeps them on the host under
``torch.set_default_device("cuda")``. One exception mirrors what CUDA does: ``torch.as_tensor``/``asarray``/
``tensor`` of a tensor keep its device.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

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


def assert_same(a: Any, b: Any) -> None:
    """Equal results, tensor by tensor (dicts and lists of tensors too), on the same device and dtype."""
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            assert_same(a[key], b[key])
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    else:
        assert a.device == b.device and a.dtype == b.dtype
        assert torch.equal(a, b)


def _fresh_scratch() -> None:
    """Forget the per-thread scratch buffers, so the checked call allocates its own (under the detector)."""
    import threading

    from multiaug.audio.functional import stft
    from multiaug.image.functional import chunks

    chunks._local = threading.local()
    stft._LOCAL = threading.local()


def check_placement(make: Callable[[], Any], inputs: dict[str, Any]) -> None:
    """Run ``make()`` on ``inputs`` (a call and a replay) with the detector on; the results must equal a plain
    call's."""
    aug = make()
    want, record = aug(**inputs, seed=1, return_params=True)
    for kwargs in ({"seed": 1}, {"params": record}):
        _fresh_scratch()
        mode = FactoriesOnMeta()
        try:
            with mode:
                got = aug(**inputs, **kwargs)
        except (RuntimeError, NotImplementedError) as err:
            raise AssertionError(
                f"a tensor without device= met the data; factories: {mode.sites[-4:]}"
            ) from err
        assert_same(want, got)
