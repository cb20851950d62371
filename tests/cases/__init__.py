"""The contract-test table: one :class:`Case` per registered augmenter.

Each family has a module here defining ``CASES: dict[str, Case]`` (registry name -> case). The contract suite
(``tests/test_contract.py``) runs the shared checks over all of them; a registered augmenter without a case fails
the suite.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Case", "all_cases", "make_inputs"]

SAMPLE_RATE = 16000


@dataclass
class Case:
    """How to build and feed one augmenter in the contract suite.

    Attributes:
        cls: the augmenter class.
        kwargs: constructor arguments (without ``p``: the suite sets it).
        data: ``"image"``, ``"audio"``, ``"text"``, ``"spectrogram"``, or a function ``(n, seed) -> dict`` of
            call keyword arguments (for special inputs: grayscale, masks, ...).
        dtypes: image dtypes to test (``"uint8"``, ``"float32"``).
        deterministic: no randomness in the op (different seeds give the same output).
        sets_size: output size is fixed (needs p=1; the p=0 and p-fraction checks are skipped).
        batch_level: decides once per batch (mixing): batch-vs-single is not required.
        changes_length: audio op that changes clip lengths (compared on valid samples).
        atol: tolerance when comparing float outputs across batch/single and devices.
    """

    cls: type
    kwargs: dict[str, Any] = field(default_factory=dict)
    data: str | Callable[[int, int], dict[str, Any]] = "image"
    dtypes: tuple[str, ...] = ("uint8", "float32")
    deterministic: bool = False
    sets_size: bool = False
    batch_level: bool = False
    changes_length: bool = False
    atol: float = 1e-5

    def build(self, **overrides: Any) -> Any:
        return self.cls(**{**self.kwargs, **overrides})


def all_cases() -> dict[str, Case]:
    """Every case of every family module in this package."""
    import tests.cases as pkg

    cases: dict[str, Case] = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        module = importlib.import_module(f"tests.cases.{info.name}")
        for name, case in getattr(module, "CASES", {}).items():
            if name in cases:
                raise ValueError(f"two contract cases for {name}")
            cases[name] = case
    return cases


SENTENCES = [
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "She left early because it rained, and the streets were quiet.",
    "Researchers measured the temperature of 42 samples in Paris yesterday.",
    "I can't believe how beautiful the mountains looked this morning!",
    "Apples and pears were sold at the small market on Sunday.",
    "After dinner, the children played quietly in the garden.",
    "Engineers quickly repaired the broken bridge before the storm arrived.",
    "Do you think the new library will open next week?",
]


def make_inputs(kind: Any, n: int, *, seed: int = 0, dtype: str = "float32") -> dict[str, Any]:
    """Call keyword arguments for ``n`` samples of a kind of data (deterministic given ``seed``)."""
    if callable(kind):
        return kind(n, seed)
    import torch

    gen = torch.Generator().manual_seed(seed)
    if kind == "image":
        x = torch.rand((n, 3, 24, 32), generator=gen)
        # smooth structure so that geometric ops visibly move content
        yy, xx = torch.meshgrid(torch.linspace(0, 1, 24), torch.linspace(0, 1, 32), indexing="ij")
        x = (0.6 * x + 0.4 * torch.stack([yy, xx, (yy + xx) / 2])[None]).clamp(0, 1)
        if dtype == "uint8":
            x = (x * 255).round().to(torch.uint8)
        return {"image": x}
    if kind == "audio":
        frames = 4000
        t = torch.arange(frames) / SAMPLE_RATE
        freqs = 220.0 + 110.0 * torch.arange(n)
        x = 0.3 * torch.sin(2 * np.pi * freqs[:, None, None] * t) + 0.05 * torch.randn(
            (n, 2, frames), generator=gen
        )
        lengths = torch.tensor([frames - 500 * (i % 3) for i in range(n)])
        x = x * (torch.arange(frames)[None, None, :] < lengths[:, None, None])
        return {"audio": x.float(), "sample_rate": SAMPLE_RATE, "lengths": lengths}
    if kind == "spectrogram":
        return {"spec": torch.rand((n, 1, 32, 50), generator=gen) + 0.1}
    if kind == "text":
        return {"text": [SENTENCES[(seed + i) % len(SENTENCES)] for i in range(n)]}
    raise ValueError(f"unknown data kind {kind!r}")
