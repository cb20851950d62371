"""The ``Augmenter`` protocol and the base classes that do the shared work once.

- :class:`Augmenter` is what users rely on: a probability ``p``, a ``modality``, a call, a config.
- :class:`Augmentation` is the shared machinery of every augmenter and container: packing and validating a
  call, seeds, replay records, configs.
- :class:`Op` is the base of every leaf augmenter: a per-sample coin flip with ``p``, ``sample`` (all the
  randomness) on the chosen samples, then ``apply`` (pure) on them, merged back into the batch.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from .batch import batch_type
from .checks import check_prob
from .errors import ConfigError, InputError, did_you_mean
from .random import MASK64, Draws, fresh_seed, hash64, normalize_keys, worker_seed
from .record import Record, rows_of

__all__ = ["Augmentation", "Augmenter", "Op"]


@runtime_checkable
class Augmenter(Protocol):
    """What every augmenter and pipeline of every modality offers.

    ``aug(data, seed=None, keys=None, params=None, return_params=False, **fields)`` augments a sample or a
    batch; ``to_config()`` describes it as plain data that :func:`multiaug.from_config` rebuilds.
    """

    p: float
    modality: str

    def __call__(
        self,
        *args: Any,
        seed: int | None = None,
        keys: Any = None,
        params: Any = None,
        return_params: bool = False,
        **fields: Any,
    ) -> Any: ...

    def to_config(self) -> dict[str, Any]: ...


_TENSOR_NUMBERS = 64  # a 0-d or 1-d tensor argument up to this many values is stored as numbers in a config


def _config_value(value: Any, where: str) -> Any:
    """Convert a constructor argument into plain config data."""
    if isinstance(value, Augmentation):
        return value.to_config()
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return _config_value(value.tolist(), where)
    if hasattr(value, "detach") and value.dim() <= 1 and value.numel() <= _TENSOR_NUMBERS:
        # a few numbers given as a torch tensor (a 0-d count, per-channel statistics); data tensors (sound
        # banks, images) stay refused
        return _config_value(value.detach().cpu().tolist(), where)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, list | tuple):
        return [_config_value(v, where) for v in value]
    if isinstance(value, set | frozenset):  # stored in a stable order; the constructor gets a list back
        return sorted((_config_value(v, where) for v in value), key=lambda v: (type(v).__name__, v))
    if isinstance(value, Mapping):
        return {str(k): _config_value(v, where) for k, v in value.items()}
    raise ConfigError(
        f"{where} holds a {type(value).__name__}, which a config cannot store; "
        "pass a file path or plain numbers instead to save this augmenter"
    )


class Augmentation:
    """Shared machinery of every augmenter and container. Subclasses implement ``_run``."""

    registry_name: ClassVar[str] = ""
    modality: ClassVar[str] = ""
    #: Constructor parameters that hold augmenters (rebuilt from their configs by ``from_config``).
    nested_params: ClassVar[tuple[str, ...]] = ()

    _init_args: dict[str, Any]
    _seed: int | None
    _calls: int
    p: float

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" not in cls.__dict__:
            return
        original = cls.__dict__["__init__"]
        signature = inspect.signature(original)
        takes_seed = "seed" in signature.parameters

        @functools.wraps(original)
        def __init__(self: Augmentation, *args: Any, **kw: Any) -> None:
            outermost = "_init_args" not in self.__dict__
            if outermost:
                seed = kw.get("seed") if takes_seed else kw.pop("seed", None)
                if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
                    raise ConfigError(f"seed must be an integer or None, got {seed!r}")
                self._seed = None if seed is None else int(seed)
                self._calls = 0
                try:
                    bound = signature.bind(self, *args, **kw)
                except TypeError as err:
                    names = [n for n in signature.parameters if n != "self"]
                    bad = [k for k in kw if k not in signature.parameters]
                    hint = did_you_mean(bad[0], names) if bad else ""
                    message = str(err).replace(f"{original.__qualname__}()", f"{type(self).__name__}()")
                    raise ConfigError(
                        f"{type(self).__name__}: {message}{hint}; valid arguments: {names}"
                    ) from None
                bound.apply_defaults()
                args_dict: dict[str, Any] = {}
                for name, value in list(bound.arguments.items())[1:]:
                    kind = signature.parameters[name].kind
                    if kind is inspect.Parameter.VAR_KEYWORD:
                        args_dict.update(value)
                    elif kind is not inspect.Parameter.VAR_POSITIONAL:
                        args_dict[name] = value
                self._init_args = args_dict
            original(self, *args, **kw)

        cls.__init__ = __init__  # type: ignore[method-assign]

    def __init__(self, *, p: float = 1.0) -> None:
        self.p = check_prob(p)

    # -- config ------------------------------------------------------------------------------------------
    def to_config(self) -> dict[str, Any]:
        """This augmenter as plain data: ``{"name": registry name, **constructor arguments}``.

        Example:
            >>> import multiaug.image as mi
            >>> mi.HorizontalFlip(p=0.3).to_config()
            {'name': 'image.HorizontalFlip', 'p': 0.3, 'same_on_batch': False}
        """
        if not self.registry_name:
            raise ConfigError(f"{type(self).__name__} is not registered, so it has no config")
        where = f"{self.registry_name}"
        config: dict[str, Any] = {"name": self.registry_name}
        for key, value in self._init_args.items():
            config[key] = _config_value(value, f"{where}.{key}")
        if self._seed is not None and "seed" not in config:
            config["seed"] = self._seed
        return config

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in getattr(self, "_init_args", {}).items())
        return f"{type(self).__name__}({args})"

    # -- calling -----------------------------------------------------------------------------------------
    def _resolve_seed(self, seed: int | None) -> int:
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
                raise InputError(f"seed must be an integer or None, got {seed!r}")
            if not -(1 << 63) <= int(seed) <= MASK64:  # two seeds must never alias
                raise InputError(f"seed must fit in 64 bits (from -2**63 to 2**64 - 1), got {seed}")
            return int(seed) & MASK64
        if getattr(self, "_seed", None) is not None:
            call = self._calls
            self._calls += 1
            # in a DataLoader worker, mix in its seed: fresh workers start every epoch from the same copy of
            # this augmenter (call counter 0), and would otherwise repeat the first epoch for ever
            worker = worker_seed()
            return hash64("sequence", self._seed, call, -1 if worker is None else worker)
        return fresh_seed()

    def _root_path(self) -> str:
        return self.registry_name or type(self).__name__

    def __call__(
        self,
        *args: Any,
        seed: int | None = None,
        keys: Any = None,
        params: Any = None,
        return_params: bool = False,
        **fields: Any,
    ) -> Any:
        """Augment ``data`` (see the modality's conventions); optionally return or replay the parameters.

        Args:
            seed: makes the call reproducible; without it each call is fresh (unless the augmenter was built
                with ``seed=``, which makes its sequence of calls reproducible).
            keys: one integer per sample (default: the position in the batch). A sample's result depends only
                on (seed, its key, its data, the config), whatever else is in the batch.
            params: a replay record from an earlier call (``return_params=True``): apply exactly that.
            return_params: return ``(output, record)``.
        """
        batch, unpack = batch_type(self.modality).pack(*args, **fields)
        n = len(batch)
        sample_keys = normalize_keys(keys, n)
        replay = None if params is None else Record.coerce(params)
        out, record = self._run(batch, sample_keys, self._resolve_seed(seed), self._root_path(), replay)
        result = unpack(out)
        return (result, record) if return_params else result

    def _run(
        self, batch: Any, keys: np.ndarray, seed: int, path: str, replay: Record | None
    ) -> tuple[Any, Record]:
        raise TypeError(f"{type(self).__name__} must implement _run")  # pragma: no cover

    def _gate(
        self, n: int, keys: np.ndarray, seed: int, path: str, replay: Record | None, shared: bool = False
    ) -> tuple[np.ndarray, Draws | None]:
        """The per-sample coin flip with ``p`` (draw number 0 of this op), or the replayed one."""
        if replay is not None:
            if replay.name != self._root_path():
                raise InputError(
                    f"the replay record is for {replay.name!r}, not for {self._root_path()!r}: "
                    "replay a record on the augmenter that made it"
                )
            if len(replay) != n:
                raise InputError(f"the replay record holds {len(replay)} samples but the batch has {n}")
            return replay.applied.astype(bool), None
        draws = Draws.for_call(seed, path, keys, shared=shared)
        if self.p >= 1.0:
            draws.skip()
            return _every(n), draws
        return draws.bernoulli(self.p), draws


def _grad_mode() -> bool:
    """Whether autograd records (torch is imported only by the tensor modalities, so only asked for there)."""
    import torch

    return torch.is_grad_enabled()


@functools.lru_cache(maxsize=64)
def _every(n: int) -> np.ndarray:
    """The coin flips of ``p = 1`` for ``n`` samples, all True (read-only: shared by every call)."""
    flags = np.ones(n, dtype=bool)
    flags.flags.writeable = False
    return flags


class Op(Augmentation):
    """Base class of leaf augmenters: subclasses write ``sample`` and ``apply``.

    Class attributes set by a modality base class: ``modality``. Set ``batch_level = True`` for augmenters
    that decide once per batch (mixing): the coin flip is then shared by the whole batch and ``sample`` sees
    the whole batch.
    """

    batch_level: ClassVar[bool] = False
    #: Whether gradients flow from the output to the input (a tensor that requires grad, grad mode on). An op
    #: that is not differentiable processes such input detached, and its output carries no gradient.
    differentiable: ClassVar[bool] = True

    def __init__(self, *, p: float = 0.5, same_on_batch: bool = False) -> None:
        super().__init__(p=p)
        if not isinstance(same_on_batch, bool):
            raise ConfigError(f"same_on_batch must be True or False, got {same_on_batch!r}")
        self.same_on_batch = same_on_batch

    def validate(self, batch: Any) -> None:
        """Reject a batch this op cannot handle (called before the coin flip, so errors never depend on ``p``)."""

    def sample(self, batch: Any, draws: Draws) -> dict[str, Any]:
        """Draw the parameters of the samples in ``batch`` (all randomness lives here). Default: none."""
        return {}

    def apply(self, batch: Any, params: dict[str, Any]) -> Any:
        """Apply ``params`` to ``batch`` (pure: no random numbers, no in-place changes)."""
        raise TypeError(f"{type(self).__name__} must implement apply")  # pragma: no cover

    def applies_to_all(self, batch: Any) -> bool:
        """Whether, when the coin flip leaves samples of ``batch`` out, this op draws and applies for every sample
        and puts the ones left out back from the input (``batch.restore``): two passes over the data instead of
        select, apply and merge's three. The result and the record are the same (a sample's draws and result
        never depend on the other samples); it pays for ops whose ``apply`` costs about a copy per sample and
        keeps sizes (flips, a channel shuffle, an inversion, erasing one box). Default: False.
        """
        return False

    def identity_params(self, batch: Any) -> Mapping[str, Any] | None:
        """Parameter values under which ``apply`` returns every sample of ``batch`` unchanged, bit for bit, or
        None (the default) when there are none.

        When the coin flip leaves some samples out, an op that gives them is applied once to the whole batch,
        with these values for the samples left out, instead of applying it to the chosen samples and merging
        them back: one pass over the batch instead of three. Worth it for ops that cost about a copy (a gain,
        a shift); ops that do more work per sample than a copy should keep the default.
        """
        return None

    def _with_identity(
        self, params: dict[str, Any], applied: np.ndarray, identity: Mapping[str, Any]
    ) -> dict[str, Any]:
        """``params`` of the applied samples spread over the whole batch, ``identity`` for the others."""
        full = {}
        for key, value in params.items():
            if key not in identity:
                raise RuntimeError(f"{type(self).__name__}.identity_params gives no value for {key!r}")
            rows = np.asarray(value)
            filled = np.full((len(applied), *rows.shape[1:]), identity[key], dtype=rows.dtype)
            filled[applied] = rows
            full[key] = filled
        return full

    def _run(
        self, batch: Any, keys: np.ndarray, seed: int, path: str, replay: Record | None
    ) -> tuple[Any, Record]:
        n = len(batch)
        self.validate(batch)
        # unless autograd records this op, kernels may read the data through NumPy and write with ``out=``
        detached = batch.detached(keep_recorded=self.differentiable)
        # a non-differentiable op on data autograd records: the samples it leaves out keep their graph
        base = batch if detached is not batch and not self.differentiable and _grad_mode() else detached
        batch = detached
        shared = self.same_on_batch or self.batch_level
        applied, draws = self._gate(n, keys, seed, path, replay, shared=shared)
        every = applied is _every(n) or bool(applied.all())
        index = None if every else np.flatnonzero(applied)  # the chosen samples, when not all of them
        m = n if index is None else len(index)
        if m == 0:
            return base, Record(self._root_path(), applied)
        if index is not None and replay is None and self.applies_to_all(batch):
            assert draws is not None
            full = self._sampled(batch, draws, n)
            result = self.apply(batch, full).restore(base, np.flatnonzero(~applied))
            return result, Record(self._root_path(), applied, {k: rows_of(v, index) for k, v in full.items()})
        sub = batch if index is None else batch.select(index)
        if replay is not None:
            params = replay.params
        else:
            assert draws is not None
            params = self._sampled(sub, draws if index is None else draws.subset(index), m)
        identity = None if index is None or base is not batch else self.identity_params(batch)
        if identity is not None:
            result = self.apply(batch, self._with_identity(params, applied, identity))
        else:
            out = self.apply(sub, params)
            result = out if index is None else base.merge([(index, out)])
        return result, Record(self._root_path(), applied, params)

    def _sampled(self, batch: Any, draws: Draws, m: int) -> dict[str, Any]:
        """``sample`` on ``batch``, checked to give one row per sample."""
        params = self.sample(batch, draws)
        for key, value in params.items():
            if len(value) != m:
                raise RuntimeError(
                    f"{type(self).__name__}.sample returned {key!r} with {len(value)} rows for {m} samples"
                )
        return params
