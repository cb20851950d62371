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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .checks import check_choice, check_number
from .errors import ConfigError, InputError, InputTypeError
from .random import Draws
from .record import Record

if TYPE_CHECKING:
    import torch

__all__ = [
    "MODES",
    "MixedTargets",
    "MixesLabels",
    "Pairing",
    "batch_row",
    "check_alpha",
    "check_mode",
    "mixed_loss",
    "mixed_targets",
    "pair_up",
    "smooth_targets",
]

MODES = ("batch", "pair", "sample")
"""How many mixing weights a batch draws: one for the batch, one per pair of partners, one per sample."""


def check_alpha(value: Any, name: str = "alpha") -> float:
    """A Beta(alpha, alpha) concentration: a number > 0.

    Example:
        >>> check_alpha(0.4)
        0.4
    """
    alpha = check_number(value, name)
    if alpha <= 0.0:
        raise ConfigError(f"{name} must be > 0 (lam ~ Beta({name}, {name})), got {value!r}")
    return alpha


def check_mode(value: Any) -> str:
    """One of :data:`MODES`."""
    return check_choice(value, "mode", MODES)


@dataclass(frozen=True)
class Pairing:
    """Who mixes with whom in a batch of ``n``, and which drawn weight each sample uses.

    Attributes:
        partner: ``(n,)`` index of each sample's partner (itself when it is left unmixed).
        unit: ``(n,)`` index into per-unit draws: 0 for all (mode ``batch``), the pair, or the sample.
        units: how many units to draw values for.
        mixed: ``(n,)`` False for samples left alone (a batch of one; the odd one out in mode ``pair``).
        draws: one row of batch-shared draws for the per-unit values: ``draws.beta(a, a, (units,))[0]``.
    """

    partner: np.ndarray
    unit: np.ndarray
    units: int
    mixed: np.ndarray
    draws: Draws


def batch_row(draws: Draws) -> Draws:
    """One row of the batch-shared stream: values a batch-level op draws once for the whole batch.

    ``batch_row(draws).uniform(size=(k,))[0]`` gives ``k`` values at the cost of one row, whatever the batch size.
    """
    return draws.shared().subset(np.zeros(1, dtype=np.int64))


def pair_up(draws: Draws, n: int, mode: str) -> Pairing:
    """Draw the partners of a batch of ``n`` (one draw from the batch's shared stream: a seed fixes them).

    Modes ``batch`` and ``sample``: the partner of each sample is the next one in a random cyclic order of the
    batch, so nobody is paired with itself (a plain random permutation leaves about one sample per batch
    unmixed). Mode ``pair``: a random perfect matching; partners share one weight; with an odd ``n`` one
    sample stays alone. A batch of one stays unmixed.

    Example:
        >>> d = Draws.for_call(0, "demo", np.arange(6, dtype=np.uint64), shared=True)
        >>> pairing = pair_up(d, 6, "pair")
        >>> bool((pairing.partner[pairing.partner] == np.arange(6)).all()), pairing.units
        (True, 3)
    """
    one = batch_row(draws)
    order = one.permutation(n)[0]
    index = np.arange(n, dtype=np.int64)
    partner = index.copy()
    mixed = np.ones(n, dtype=bool)
    if mode == "pair":
        half = n // 2
        first, second = order[0 : 2 * half : 2], order[1 : 2 * half : 2]
        partner[first], partner[second] = second, first
        unit = np.empty(n, dtype=np.int64)
        unit[first] = unit[second] = np.arange(half)
        units = -(-n // 2)
        if n % 2:
            unit[order[-1]] = half
            mixed[order[-1]] = False
    else:
        partner[order] = np.roll(order, -1)
        unit = np.zeros(n, dtype=np.int64) if mode == "batch" else index
        units = 1 if mode == "batch" else n
    if n == 1:
        mixed[:] = False
    return Pairing(partner, unit, units, mixed, one)


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
        if isinstance(lam, (int, float, np.floating, np.integer)) or getattr(lam, "ndim", None) == 0:
            # 0-d arrays and tensors (np.random.beta(...) as an array, torch.distributions.Beta(...).sample())
            # are one weight for the batch
            self.lam: float | torch.Tensor = float(lam)
        else:
            import torch

            self.lam = torch.as_tensor(
                np.asarray(lam) if isinstance(lam, (list, tuple)) else lam, dtype=torch.float64
            ).reshape(-1)
            n = len(targets_a) if hasattr(targets_a, "__len__") else None
            if n is not None and self.lam.numel() != n:
                raise InputError(
                    f"lam holds {self.lam.numel()} weights but the targets hold {n} samples: give one lam for "
                    "the batch (a number) or one per sample"
                )

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
        return torch.full((n,), float(self.lam), dtype=torch.float64, device=self.targets_a.device)

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
        loss per sample (e.g. ``nn.CrossEntropyLoss(reduction="none")``). The result is always a scalar: a
        criterion that returns per-sample (or per-element) losses has its weighted losses averaged, whether
        ``lam`` is per sample or one number (an unmixed batch, ``lam = 1.0``, gives the same kind of loss).

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
                loss = crit(preds, self.targets_a)
            else:
                loss = self.lam * crit(preds, self.targets_a) + (1.0 - self.lam) * crit(preds, self.targets_b)
            # a per-sample criterion is averaged here too, so that an unmixed batch (lam = 1.0) of a per-sample
            # mode gives a scalar like the mixed ones
            return loss if loss.dim() == 0 else loss.mean()
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


def _mixing_records(record: Record, seen: np.ndarray) -> Iterator[tuple[np.ndarray, dict[str, Any]]]:
    """(global rows, params) of every mixing op in a record tree (ops whose params hold partner and lam)."""
    rows = seen[np.flatnonzero(record.applied)]
    if "partner" in record.params and "lam" in record.params and len(rows):
        yield rows, record.params
    for index, child in record.children:
        yield from _mixing_records(child, rows[np.asarray(index, dtype=np.int64)])


def mixed_targets(record: Record, targets: Any) -> MixedTargets:
    """The :class:`MixedTargets` of a batch from the replay record of the call that mixed it.

    Works for a mixing op's own record and for pipelines holding mixing ops (each sample may be mixed at most
    once). A batch that was not mixed gives ``lam = 1.0`` and ``targets_b = targets``.

    Example:
        >>> import torch
        >>> params = {"partner": np.array([1, 0]), "lam": np.array([0.6, 0.6])}
        >>> rec = Record("image.Mixup", np.ones(2, bool), params)
        >>> t = mixed_targets(rec, torch.tensor([3, 5]))
        >>> t.targets_b.tolist(), t.lam
        ([5, 3], 0.6)
    """
    import torch

    if not isinstance(targets, torch.Tensor):
        if isinstance(targets, np.ndarray | list | tuple):
            targets = torch.as_tensor(np.asarray(targets))
        else:
            raise InputTypeError(
                "targets must be a tensor of class indices (B,) or soft targets (B, K), got "
                f"{type(targets).__name__}"
            )
    n = len(record)
    if targets.shape[0] != n:
        raise InputError(f"targets hold {targets.shape[0]} samples but the batch has {n}")
    partner = np.arange(n, dtype=np.int64)
    lam = np.ones(n, dtype=np.float64)
    done = np.zeros(n, dtype=bool)
    for rows, params in _mixing_records(record, np.arange(n, dtype=np.int64)):
        if done[rows].any():
            raise InputError(
                "a sample was mixed by more than one mixing op in this pipeline; its label would have more than "
                "two sources: mix each sample at most once (use MixupCutMix or OneOf to choose between them)"
            )
        done[rows] = True
        partner[rows] = rows[np.asarray(params["partner"], dtype=np.int64)]
        lam[rows] = np.asarray(params["lam"], dtype=np.float64)
    targets_b = targets.index_select(0, torch.as_tensor(partner, device=targets.device))
    if n and done.all() and (lam == lam[0]).all():
        return MixedTargets(targets, targets_b, float(lam[0]))
    if not done.any():
        return MixedTargets(targets, targets, 1.0)
    return MixedTargets(targets, targets_b, torch.as_tensor(lam, device=targets.device))


class MixesLabels:
    """Mixin of batch-level mixing ops: ``mix(data, targets)`` returns the mixed data and its targets.

    The mixed data is shaped as the op's own call returns it: a dict when a mask (images) or lengths (audio)
    are given, else a tensor.
    """

    def mix(
        self, data: Any, targets: Any, *, seed: int | None = None, keys: Any = None, **fields: Any
    ) -> tuple[Any, MixedTargets]:
        """Mix a batch and its targets (class indices ``(B,)`` or soft targets ``(B, K)``).

        Returns ``(mixed, MixedTargets)``; ``mixed`` is shaped like the op's normal output. An unmixed batch
        (the coin with ``p`` said no, or a batch of one) gives ``lam = 1.0``.
        """
        call: Any = self
        out, record = call(data, **fields, seed=seed, keys=keys, return_params=True)
        return out, mixed_targets(record, targets)
