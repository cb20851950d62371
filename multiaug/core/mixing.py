"""Labels and loss of a mixed batch, shared by every modality's Mixup and CutMix.

A mixed batch ``x' = lam * x + (1 - lam) * x[partner]`` carries the target ``lam * y + (1 - lam) *
y[partner]``. :class:`MixedTargets` holds ``(targets_a, targets_b, lam)``, gives soft targets and computes the
mixed loss for any criterion. It also unpacks and indexes like the list ``[targets, shuffled_targets, lam]``
that classic training code passes to its ``mixup_criterion``. torch is imported only when a method needs it.

Example:
    >>> import torch
    >>> from multiaug.core.mixing import MixedTargets
    >>> t = MixedTargets(torch.tensor([0, 1]), torch.tensor([1, 0]), 0.75)
    >>> t.soft(num_classes=2).tolist()
    [[0.75, 0.25], [0.25, 0.75]]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError, InputTypeError

if TYPE_CHECKING:
    import torch

__all__ = ["MixedTargets", "mixed_loss", "smooth_targets"]


def smooth_targets(
    targets: torch.Tensor, num_classes: int | None = None, label_smoothing: float = 0.0
) -> torch.Tensor:
    """Soft targets ``(B, K)`` from class indices ``(B,)`` or soft targets ``(B, K)``, with label smoothing.

    Smoothing gives ``(1 - s) * y + s / K`` (for one-hot ``y``: ``1 - s + s/K`` on the class, ``s/K``
    elsewhere, as ``torch.nn.CrossEntropyLoss(label_smoothing=s)`` and timm define it). Index targets give
    float32; soft targets keep their float dtype.

    Example:
        >>> import torch
        >>> smooth_targets(torch.tensor([2]), 4, label_smoothing=0.2).tolist()
        [[0.05000000074505806, 0.05000000074505806, 0.8500000238418579, 0.05000000074505806]]
    """
    import torch

    if not 0.0 <= label_smoothing <= 1.0:
        raise InputError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    if not isinstance(targets, torch.Tensor):
        raise InputTypeError(
            f"targets must be a torch.Tensor of class indices (B,) or soft targets (B, K), got "
            f"{type(targets).__name__}"
        )
    if targets.dim() == 1 and not targets.is_floating_point() and not targets.is_complex():
        if num_classes is None:
            raise InputError("num_classes is required to turn class indices into soft targets")
        if targets.numel() and (int(targets.min()) < 0 or int(targets.max()) >= num_classes):
            raise InputError(
                f"class indices must be in [0, {num_classes}), got values from {int(targets.min())} "
                f"to {int(targets.max())}"
            )
        soft = torch.nn.functional.one_hot(targets.long(), num_classes).float()
    elif targets.dim() == 2 and targets.is_floating_point():
        if num_classes is not None and targets.shape[1] != num_classes:
            raise InputError(f"soft targets have {targets.shape[1]} classes, num_classes says {num_classes}")
        soft = targets
    else:
        raise InputError(
            f"targets must be class indices (B,) of an integer dtype or soft targets (B, K) of a float "
            f"dtype, got shape {tuple(targets.shape)} and dtype {targets.dtype}"
        )
    if label_smoothing:
        soft = soft * (1.0 - label_smoothing) + label_smoothing / soft.shape[1]
    return soft


class MixedTargets:
    """The targets of a mixed batch: ``targets_a`` (own), ``targets_b`` (the partners'), weight ``lam``.

    ``lam`` is the weight of ``targets_a``: a Python float when the whole batch shares it (the classic
    behaviour, and the case when a batch was not mixed: ``lam = 1.0`` and ``targets_b`` equals ``targets_a``),
    else a float64 tensor ``(B,)`` with one weight per sample. Targets are class indices ``(B,)`` or soft
    targets ``(B, K)``.

    ``a, b, lam = mixed`` and ``mixed[0]``, ``mixed[1]``, ``mixed[2]`` work as on the list
    ``[targets, shuffled_targets, lam]``.

    Example:
        >>> import torch
        >>> t = MixedTargets(torch.tensor([0, 1]), torch.tensor([1, 1]), 0.5)
        >>> preds = torch.zeros(2, 2)
        >>> round(float(t.loss(preds)), 4)  # ln 2: both classes equally likely
        0.6931
    """

    __slots__ = ("lam", "targets_a", "targets_b")

    def __init__(self, targets_a: Any, targets_b: Any, lam: float | Any) -> None:
        self.targets_a = targets_a
        self.targets_b = targets_b
        if isinstance(lam, (int, float, np.floating, np.integer)):
            self.lam: float | torch.Tensor = float(lam)
        else:
            import torch

            self.lam = torch.as_tensor(
                np.asarray(lam) if isinstance(lam, (list, tuple)) else lam, dtype=torch.float64
            ).reshape(-1)

    @property
    def per_sample(self) -> bool:
        """True when ``lam`` holds one weight per sample."""
        return not isinstance(self.lam, float)

    def lam_per_sample(self, n: int | None = None) -> torch.Tensor:
        """``lam`` as a float64 tensor ``(B,)`` (B taken from the targets when not given)."""
        import torch

        if self.per_sample:
            return self.lam  # type: ignore[return-value]
        n = len(self.targets_a) if n is None else n
        return torch.full((n,), self.lam, dtype=torch.float64)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.targets_a, self.targets_b, self.lam))

    def __getitem__(self, index: int) -> Any:
        return (self.targets_a, self.targets_b, self.lam)[index]

    def __len__(self) -> int:
        return 3

    def __repr__(self) -> str:
        lam = f"{self.lam:.4f}" if isinstance(self.lam, float) else f"tensor of {self.lam.numel()}"
        return f"MixedTargets(targets_a={self.targets_a!r}, targets_b={self.targets_b!r}, lam={lam})"

    def soft(self, num_classes: int | None = None, label_smoothing: float = 0.0) -> torch.Tensor:
        """Soft targets ``(B, K)``: ``lam * smooth(y_a) + (1 - lam) * smooth(y_b)``; each row sums to 1.

        Example:
            >>> import torch
            >>> t = MixedTargets(torch.tensor([0]), torch.tensor([1]), 0.7)
            >>> t.soft(3, label_smoothing=0.3).sum().item()
            1.0
        """
        a = smooth_targets(self.targets_a, num_classes, label_smoothing)
        b = smooth_targets(self.targets_b, num_classes, label_smoothing)
        if self.per_sample:
            lam = self.lam.to(device=a.device, dtype=a.dtype).view(-1, 1)  # type: ignore[union-attr]
            return b + lam * (a - b)
        return b + self.lam * (a - b)

    def loss(self, preds: torch.Tensor, criterion: Callable[..., torch.Tensor] | None = None) -> torch.Tensor:
        """``lam * criterion(preds, targets_a) + (1 - lam) * criterion(preds, targets_b)``.

        ``criterion`` defaults to mean cross-entropy (``torch.nn.functional.cross_entropy``); the result then
        equals cross-entropy against :meth:`soft`. With one ``lam`` per sample the criterion must return one
        loss per sample (e.g. ``nn.CrossEntropyLoss(reduction="none")``); the weighted losses are averaged.

        Example:
            >>> import torch
            >>> t = MixedTargets(torch.tensor([0]), torch.tensor([1]), torch.tensor([0.25]))
            >>> p = torch.tensor([[2.0, 0.0]])
            >>> bool(torch.isclose(t.loss(p), torch.nn.functional.cross_entropy(p, t.soft(2))))
            True
        """
        import torch

        if not self.per_sample:
            crit = torch.nn.functional.cross_entropy if criterion is None else criterion
            if self.lam == 1.0:
                return crit(preds, self.targets_a)
            return self.lam * crit(preds, self.targets_a) + (1.0 - self.lam) * crit(preds, self.targets_b)
        if criterion is None:

            def crit(p: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
                return torch.nn.functional.cross_entropy(p, t, reduction="none")

        else:
            crit = criterion
        loss_a = crit(preds, self.targets_a)
        loss_b = crit(preds, self.targets_b)
        n = len(self.lam)  # type: ignore[arg-type]
        if loss_a.dim() == 0 or loss_a.shape[0] != n:
            raise InputError(
                f"lam has one weight per sample ({n}), so the criterion must return one loss per sample "
                f"(e.g. reduction='none'); it returned shape {tuple(loss_a.shape)}"
            )
        lam = self.lam.to(device=loss_a.device, dtype=loss_a.dtype)  # type: ignore[union-attr]
        lam = lam.view(-1, *([1] * (loss_a.dim() - 1)))
        return (lam * loss_a + (1.0 - lam) * loss_b).mean()


def mixed_loss(
    preds: torch.Tensor,
    targets: MixedTargets | Sequence[Any],
    criterion: Callable[..., torch.Tensor] | None = None,
) -> torch.Tensor:
    """The mixed loss of :meth:`MixedTargets.loss` for a ``MixedTargets`` or a list ``[targets_a, targets_b,
    lam]``.

    Example:
        >>> import torch
        >>> p = torch.tensor([[0.0, 0.0]])
        >>> round(float(mixed_loss(p, [torch.tensor([0]), torch.tensor([1]), 0.3])), 4)
        0.6931
    """
    if not isinstance(targets, MixedTargets):
        if len(targets) != 3:
            raise InputError(
                f"mixed targets are [targets_a, targets_b, lam], got a sequence of {len(targets)}"
            )
        targets = MixedTargets(*targets)
    return targets.loss(preds, criterion)
