"""Pipelines: containers that chain and choose augmenters, per sample on batches.

All containers are augmenters themselves (they nest freely) and make their choices per sample with their own
random stream, so the draws of one step never depend on which other steps exist. How probabilities combine:

- ``Pipeline(augs, p)``: with probability ``p`` a sample goes through every step in order; each step then
  applies with its own ``p``.
- ``OneOf(augs, weights, p)``: with probability ``p`` a sample is given to exactly one child, child ``i`` with
  probability ``weights[i] / sum(weights)`` (default: equal); that child then applies with its own ``p``. So
  child ``i`` transforms a sample with probability ``p * w_i / sum(w) * child.p``. Unlike Albumentations the
  children's ``p`` are never used as selection weights.
- ``SomeOf(augs, n, p)``: with probability ``p`` a sample is given to ``k`` distinct children (``k`` drawn
  uniformly from ``n`` when ``n`` is a ``(low, high)`` range), run in pipeline order; each applies with its own
  ``p``.
- ``RandomApply(aug, p)``: ``aug`` runs with probability ``p`` (then with its own ``p``).
- ``RandomOrder(augs, p)``: every step runs, in a random order drawn per sample.
- ``Router(fields)``: one pipeline per field of a multimodal sample dict.

Every container except ``Router`` takes ``same_on_batch=True``: its coin flip and its choice (which child, which
children, which order) are then drawn once for the whole batch, so the batch goes through one branch as a whole
(no split and merge: the fastest form on a GPU). The children keep their own draw modes; a sample still gets the
same choice alone as in any batch under the same seed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .base import Augmentation
from .checks import check_int_range
from .errors import ConfigError, InputError, InputTypeError, did_you_mean
from .random import hash64
from .record import Record
from .registry import register

__all__ = ["OneOf", "Pipeline", "RandomApply", "RandomOrder", "Router", "SomeOf"]


def _as_augmenters(augmenters: Any, where: str) -> list[Augmentation]:
    if isinstance(augmenters, Augmentation):
        augmenters = [augmenters]
    if not isinstance(augmenters, Iterable) or isinstance(augmenters, str | Mapping):
        raise ConfigError(f"{where} expects a list of augmenters, got {type(augmenters).__name__}")
    out = list(augmenters)
    if not out:
        raise ConfigError(f"{where} needs at least one augmenter")
    for i, aug in enumerate(out):
        if not isinstance(aug, Augmentation):
            raise ConfigError(f"{where}: item {i} is not a multiaug augmenter but {type(aug).__name__}")
    return out


def _common_modality(augmenters: Sequence[Augmentation], where: str) -> str:
    kinds = {a.modality for a in augmenters}
    if len(kinds) != 1:
        listing = ", ".join(f"{type(a).__name__} ({a.modality})" for a in augmenters)
        raise ConfigError(
            f"{where} mixes modalities {sorted(kinds)}: {listing}. A pipeline holds one modality; "
            "use multiaug.Router({'image': ..., 'audio': ..., 'text': ...}) for multimodal samples"
        )
    return kinds.pop()


def _gather(sub: Any, groups: list[tuple[np.ndarray, Any]], pending: np.ndarray, m: int) -> Any:
    """``sub`` with the rows of each group replaced by the group's batch. When the groups cover every row,
    ``sub`` is not used: the result takes the groups' size (and dtype), which must then agree."""
    if not groups:
        return sub
    if not pending.all():
        return sub.merge(groups)
    if len(groups) == 1:
        return groups[0][1]
    first_rows, first = groups[0]
    where = np.zeros(m, dtype=np.int64)
    where[first_rows] = np.arange(len(first_rows))
    return first.select(where).merge(groups[1:])


class Container(Augmentation):
    """Shared code of containers: children, their stream paths, modality checks."""

    nested_params = ("augmenters",)

    def __init__(self, augmenters: Any, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p)
        name = type(self).__name__
        if not isinstance(same_on_batch, bool):
            raise ConfigError(f"{name}: same_on_batch must be True or False, got {same_on_batch!r}")
        self.same_on_batch = same_on_batch
        self.augmenters = _as_augmenters(augmenters, name)
        self.modality = _common_modality(self.augmenters, name)  # type: ignore[misc]
        counts: Counter[str] = Counter()
        self._tokens = []
        for aug in self.augmenters:
            base = aug.registry_name or type(aug).__name__
            self._tokens.append(f"{base}#{counts[base]}")
            counts[base] += 1

    @property
    def differentiable(self) -> bool:
        """Whether gradients flow through every augmenter this container may apply."""
        return all(getattr(a, "differentiable", True) for a in self.augmenters)

    def __len__(self) -> int:
        return len(self.augmenters)

    def __getitem__(self, i: int) -> Augmentation:
        return self.augmenters[i]

    def __repr__(self) -> str:
        inner = ",\n".join("  " + repr(a).replace("\n", "\n  ") for a in self.augmenters)
        extra = ", ".join(f"{k}={v!r}" for k, v in self._init_args.items() if k != "augmenters")
        return f"{type(self).__name__}([\n{inner}\n]{', ' + extra if extra else ''})"

    def _child_path(self, path: str, k: int) -> str:
        return f"{path}/{self._tokens[k]}"

    def _run(
        self, batch: Any, keys: np.ndarray, seed: int, path: str, replay: Record | None
    ) -> tuple[Any, Record]:
        n = len(batch)
        applied, draws = self._gate(n, keys, seed, path, replay, shared=self.same_on_batch)
        index = np.flatnonzero(applied)
        if len(index) == 0:
            return batch, Record(self._root_path(), applied)
        sub = batch if len(index) == n else batch.select(index)
        subkeys = keys[index]
        if replay is not None:
            info = replay.info
        else:
            assert draws is not None
            info = self._choose(draws.subset(index))
        steps = self._plan(info, len(index))
        done = list(replay.children) if replay is not None else []
        if replay is not None and len(done) != len(steps):
            raise InputError(f"the replay record of {self._root_path()} does not match this pipeline")
        m = len(index)
        # Outputs of steps on disjoint row sets stay apart until a step needs rows of several of them, and a
        # step on exactly the rows of one continues from it: samples that took different branches (OneOf) or
        # orders (RandomOrder) only meet at the end, so branches that all change the size the same way work.
        groups: list[tuple[np.ndarray, Any]] = []
        pending = np.zeros(m, dtype=bool)
        children: list[tuple[np.ndarray, Record]] = []
        for j, (k, rows) in enumerate(steps):
            child_replay = done[j][1] if replay is not None else None
            g = next((i for i, (r, _) in enumerate(groups) if np.array_equal(r, rows)), None)
            if g is not None:
                part = groups[g][1]
            else:
                if pending[rows].any():
                    sub, groups = _gather(sub, groups, pending, m), []
                    pending[:] = False
                part = sub if len(rows) == m else sub.select(rows)
            out, rec = self.augmenters[k]._run(
                part, subkeys[rows], seed, self._child_path(path, k), child_replay
            )
            if g is not None:
                groups[g] = (rows, out)
            else:
                groups.append((rows, out))
                pending[rows] = True
            children.append((rows, rec))
        sub = _gather(sub, groups, pending, m)
        result = sub if m == n else batch.merge([(index, sub)])
        return result, Record(self._root_path(), applied, info=info, children=children)

    def _choose(self, draws: Any) -> dict[str, Any]:
        """Per-sample choices for the gated samples (drawn from this container's stream)."""
        return {}

    def _plan(self, info: dict[str, Any], m: int) -> list[tuple[int, np.ndarray]]:
        """The (child, rows) steps to run in order, from the choices."""
        rows = np.arange(m)
        return [(k, rows) for k in range(len(self.augmenters))]


@register("Pipeline")
class Pipeline(Container):
    """Run augmenters in sequence; with probability ``p`` per sample (then each with its own ``p``).

    Example:
        >>> import torch, multiaug, multiaug.image as mi
        >>> pipe = multiaug.Pipeline([mi.HorizontalFlip(p=0.5), mi.VerticalFlip(p=0.5)])
        >>> pipe(torch.rand(8, 3, 16, 16), seed=1).shape
        torch.Size([8, 3, 16, 16])
    """

    def __init__(
        self, augmenters: Sequence[Augmentation], *, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(augmenters, p=p, same_on_batch=same_on_batch)


@register("RandomApply")
class RandomApply(Container):
    """Apply one augmenter (or a list, in sequence) with probability ``p`` per sample.

    Example:
        >>> import multiaug, multiaug.text as mt
        >>> multiaug.RandomApply(mt.RandomSwap(p=1.0), p=0.0)("a b c", seed=0)
        'a b c'
    """

    nested_params = ("augmenter",)

    def __init__(
        self, augmenter: Augmentation | Sequence[Augmentation], *, p: float = 0.5, same_on_batch: bool = False
    ) -> None:
        super().__init__(augmenter, p=p, same_on_batch=same_on_batch)


@register("OneOf")
class OneOf(Container):
    """Give each sample to exactly one child, chosen per sample with ``weights`` (children keep their ``p``).

    Example:
        >>> import torch, multiaug, multiaug.image as mi
        >>> one = multiaug.OneOf([mi.HorizontalFlip(p=1.0), mi.VerticalFlip(p=1.0)], weights=[3, 1])
        >>> _, rec = one(torch.rand(4, 3, 8, 8), seed=0, return_params=True)
        >>> rec.info["choice"].shape
        (4,)
    """

    def __init__(
        self,
        augmenters: Sequence[Augmentation],
        weights: Sequence[float] | None = None,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(augmenters, p=p, same_on_batch=same_on_batch)
        if weights is None:
            weights = [1.0] * len(self.augmenters)
        try:  # a list, tuple or array of real numbers (not strings or bools, which float() would take)
            items = [] if isinstance(weights, str | Mapping) else list(weights)
            w = [] if any(isinstance(x, str | bool) for x in items) else [float(x) for x in items]
        except (TypeError, ValueError):
            w = []
        if len(w) != len(self.augmenters) or not all(np.isfinite(w)) or any(x < 0 for x in w) or sum(w) <= 0:
            raise ConfigError(
                f"OneOf weights must be {len(self.augmenters)} non-negative numbers with a positive sum "
                f"(one per augmenter), got {weights!r}"
            )
        self.weights = w

    def _choose(self, draws: Any) -> dict[str, Any]:
        return {"choice": draws.choice(self.weights)}

    def _plan(self, info: dict[str, Any], m: int) -> list[tuple[int, np.ndarray]]:
        choice = np.asarray(info["choice"])
        steps = []
        for k in range(len(self.augmenters)):
            rows = np.flatnonzero(choice == k)
            if len(rows):
                steps.append((k, rows))
        return steps


@register("SomeOf")
class SomeOf(Container):
    """Give each sample to ``n`` distinct children (a number or a ``(low, high)`` range), run in order.

    Example:
        >>> import multiaug, multiaug.text as mt
        >>> some = multiaug.SomeOf([mt.RandomSwap(p=1.0), mt.RandomDeletion(p=1.0)], n=1)
        >>> isinstance(some("the cat sat on the mat", seed=3), str)
        True
    """

    def __init__(
        self,
        augmenters: Sequence[Augmentation],
        n: int | tuple[int, int] = 1,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(augmenters, p=p, same_on_batch=same_on_batch)
        self.n = check_int_range(n, "n", min_value=0, max_value=len(self.augmenters))

    def _choose(self, draws: Any) -> dict[str, Any]:
        low, high = self.n
        count = draws.integers(low, high + 1)
        order = draws.permutation(len(self.augmenters))
        ranks = np.argsort(order, axis=1)
        return {"chosen": ranks < count[:, None]}

    def _plan(self, info: dict[str, Any], m: int) -> list[tuple[int, np.ndarray]]:
        chosen = np.asarray(info["chosen"], dtype=bool).reshape(m, len(self.augmenters))
        steps = []
        for k in range(len(self.augmenters)):
            rows = np.flatnonzero(chosen[:, k])
            if len(rows):
                steps.append((k, rows))
        return steps


@register("RandomOrder")
class RandomOrder(Container):
    """Run every child on every sample, in an order drawn per sample.

    Samples that drew the same order are processed together.

    Example:
        >>> import torch, multiaug, multiaug.image as mi
        >>> ro = multiaug.RandomOrder([mi.HorizontalFlip(p=1.0), mi.VerticalFlip(p=1.0)])
        >>> ro(torch.rand(4, 1, 8, 8), seed=0).shape
        torch.Size([4, 1, 8, 8])
    """

    def __init__(
        self, augmenters: Sequence[Augmentation], *, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(augmenters, p=p, same_on_batch=same_on_batch)

    def _choose(self, draws: Any) -> dict[str, Any]:
        return {"order": draws.permutation(len(self.augmenters))}

    def _plan(self, info: dict[str, Any], m: int) -> list[tuple[int, np.ndarray]]:
        order = np.asarray(info["order"], dtype=np.int64).reshape(m, len(self.augmenters))
        perms, group = np.unique(order, axis=0, return_inverse=True)
        steps: list[tuple[int, np.ndarray]] = []
        for g, perm in enumerate(perms):
            rows = np.flatnonzero(group.reshape(-1) == g)
            steps.extend((int(k), rows) for k in perm)
        return steps


@register("Router")
class Router(Augmentation):
    """Apply one pipeline per field of a multimodal sample dict.

    Fields without a pipeline are passed through unchanged. A field's value is given to its pipeline as the
    data; pass a dict to give keyword fields (``{"audio": x, "sample_rate": 16000}``). Each field has its own
    random stream, so adding a field never changes another field's draws.

    Example:
        >>> import torch, multiaug, multiaug.image as mi, multiaug.text as mt
        >>> router = multiaug.Router({"image": mi.HorizontalFlip(p=1.0), "text": mt.RandomSwap(p=1.0)})
        >>> out = router({"image": torch.rand(3, 8, 8), "text": "a b c d", "label": 3}, seed=0)
        >>> sorted(out), out["label"]
        (['image', 'label', 'text'], 3)
    """

    nested_params = ("fields",)
    modality = "multimodal"  # type: ignore[assignment]

    def __init__(self, fields: Mapping[str, Augmentation]) -> None:
        super().__init__(p=1.0)
        if not isinstance(fields, Mapping) or not fields:
            raise ConfigError("Router needs a non-empty dict of field name -> augmenter")
        for name, aug in fields.items():
            if not isinstance(aug, Augmentation):
                raise ConfigError(f"Router field {name!r} must be an augmenter, got {type(aug).__name__}")
        self.fields = dict(fields)

    @property
    def differentiable(self) -> bool:
        """Whether gradients flow through every field's augmenter."""
        return all(getattr(a, "differentiable", True) for a in self.fields.values())

    def __call__(  # type: ignore[override]
        self,
        sample: Mapping[str, Any],
        *,
        seed: int | None = None,
        keys: Any = None,
        params: Any = None,
        return_params: bool = False,
        sample_rate: int | None = None,
        **unknown: Any,
    ) -> Any:
        """Augment each field of ``sample`` with its pipeline; returns a new dict.

        ``sample_rate`` goes to the audio fields (unless a field's dict gives its own). Other per-field data
        (an image's mask or boxes, a clip's lengths) goes in the field as a dict:
        ``{"image": {"image": x, "mask": m}, "audio": {"audio": y, "lengths": l}}``.
        """
        if unknown:
            raise InputTypeError(
                f"Router got unknown keyword(s) {sorted(unknown)}: pass per-field data inside the field as a dict, "
                'e.g. {"image": {"image": x, "mask": m}}; the call takes seed=, keys=, params=, return_params= '
                "and sample_rate= (for the audio fields)"
            )
        if not isinstance(sample, Mapping):
            raise InputTypeError(f"Router expects a dict of fields, got {type(sample).__name__}")
        missing = [f for f in self.fields if f not in sample]
        if missing:
            raise InputError(
                f"Router: the sample has no field {missing[0]!r}{did_you_mean(missing[0], sample)}; "
                f"fields given: {sorted(sample)}"
            )
        base_seed = self._resolve_seed(seed)
        replay = None if params is None else Record.coerce(params)
        out = dict(sample)
        children: list[Record] = []
        for i, (name, aug) in enumerate(self.fields.items()):
            value = sample[name]
            args, kwargs = ((), dict(value)) if isinstance(value, Mapping) else ((value,), {})
            if sample_rate is not None and aug.modality == "audio":
                kwargs.setdefault("sample_rate", sample_rate)
            field_replay = replay.children[i][1] if replay is not None else None
            result, rec = aug(
                *args,
                seed=hash64("field", base_seed, name),
                keys=keys,
                params=field_replay,
                return_params=True,
                **kwargs,
            )
            out[name] = result
            children.append(rec)
        # fields that are batches of one size: a record of that many samples, so rec.sample(i) gives sample i
        sizes = {len(rec) for rec in children}
        n = sizes.pop() if len(sizes) == 1 else 1
        rows = np.arange(n) if n > 1 else np.zeros(1, dtype=np.int64)
        record = Record(
            "Router",
            np.ones(n, dtype=bool),
            info={"fields": [list(self.fields)] * n},
            children=[(rows, rec) for rec in children],
        )
        return (out, record) if return_params else out

    def __repr__(self) -> str:
        inner = ",\n".join(f"  {k!r}: " + repr(v).replace("\n", "\n  ") for k, v in self.fields.items())
        return f"Router({{\n{inner}\n}})"
