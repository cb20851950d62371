"""Dense noise that is a pure function of per-sample seeds and identical on CPU and CUDA.

Augmenters draw one seed per sample in ``sample`` (``draws.seeds()``) and regenerate the noise in ``apply``
with these functions. Each sample's noise comes from its own CPU ``torch.Generator`` seeded with its seed, in
float32, and is then moved to the target device: the same numbers everywhere, whatever the batch or device.
Generating on the host costs a host-to-device copy on CUDA (about 1 ms per 6 MB); that is the price of the
reproducibility contract and is measured in ``benchmarks/``.

Prefix property: the values do not depend on how long the field is. ``randn(s, (n, *rest))`` equals the first
``n`` rows of ``randn(s, (m, *rest))`` for ``n <= m``, so a clip gets the same noise alone or padded in a batch
(lay the field out time-major, ``(T, C)``, and transpose).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

__all__ = ["rand", "randn"]


def _generate(kind: str, seeds: Any, shape: Sequence[int], device: Any, dtype: Any) -> torch.Tensor:
    import torch

    seeds = np.asarray(seeds, dtype=np.int64).reshape(-1)
    shape = tuple(int(s) for s in shape)
    count = math.prod(shape)
    # torch's CPU generator fills blocks of 16 from one sequential stream: generating a multiple of 16 (at
    # least 16) makes a shorter field an exact prefix of a longer one.
    padded = max(16, -(-count // 16) * 16)
    out = torch.empty((len(seeds), padded), dtype=torch.float32, device="cpu")  # the CPU generator fills it
    gen = torch.Generator(device="cpu")
    fill = torch.randn if kind == "normal" else torch.rand
    for i, seed in enumerate(seeds.tolist()):
        gen.manual_seed(seed)
        fill((padded,), generator=gen, out=out[i], device="cpu")
    out = out[:, :count].reshape((len(seeds), *shape))
    dtype = dtype if dtype is not None and dtype.is_floating_point else torch.float32
    return out.to(device=device, dtype=dtype, non_blocking=True)


def randn(seeds: Any, shape: Sequence[int], device: Any = "cpu", dtype: Any = None) -> torch.Tensor:
    """Standard normal noise of shape ``(len(seeds), *shape)``, one independent field per seed.

    Example:
        >>> a = randn([1, 2], (4,)); b = randn([2], (4,))
        >>> bool((a[1] == b[0]).all())
        True
    """
    return _generate("normal", seeds, shape, device, dtype)


def rand(seeds: Any, shape: Sequence[int], device: Any = "cpu", dtype: Any = None) -> torch.Tensor:
    """Uniform [0, 1) noise of shape ``(len(seeds), *shape)``, one independent field per seed."""
    return _generate("uniform", seeds, shape, device, dtype)
