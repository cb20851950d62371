"""Replay records: what an augmenter call did, sample by sample, as data.

``out, rec = aug(x, seed=0, return_params=True)`` returns a :class:`Record`; ``aug(y, params=rec)`` applies the
same transformation to ``y``. A record nests like the pipeline that made it and converts to plain JSON
(``rec.to_json()``) and back (``Record.from_json``); ``rec.sample(i)`` is the record of sample ``i`` alone,
itself a valid record for replaying that one sample.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import InputError

__all__ = ["Record", "plain", "rows_of"]


def rows_of(value: Any, index: np.ndarray) -> Any:
    """The rows at ``index`` of a per-sample parameter: an array's rows, or a list's items."""
    if isinstance(value, np.ndarray):
        return value[index]
    return [value[int(i)] for i in index]


def plain(value: Any) -> Any:
    """``value`` with numpy arrays and scalars turned into lists and Python numbers (JSON-able), recursively.

    Example:
        >>> plain({"a": np.array([1, 2]), "b": (np.float64(0.5),)})
        {'a': [1, 2], 'b': [0.5]}
    """
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _is_numeric(value: Any) -> bool:
    if isinstance(value, list):
        return all(_is_numeric(v) for v in value)
    return isinstance(value, bool | int | float) and value is not None


def _from_plain(value: Any) -> Any:
    """Lists of numbers become numpy arrays again; anything else (text edits, ragged lists) stays a list."""
    if isinstance(value, list) and _is_numeric(value):
        try:
            return np.asarray(value)
        except ValueError:  # ragged
            return value
    return value


@dataclass
class Record:
    """The replay record of one augmenter over one batch.

    Attributes:
        name: registry name of the augmenter (``"image.Rotate"``, ``"Pipeline"``).
        applied: ``(n,)`` bools, which samples of the batch it saw were transformed (read-only when every
            sample was: one shared array per batch size; copy it to change it).
        params: per-sample parameters of the applied samples (leading dimension ``applied.sum()``).
        info: container choices for the applied samples (``{"choice": ...}`` for ``OneOf``).
        children: ``(index, record)`` pairs in execution order; ``index`` says which of the applied samples
            the child saw.
    """

    name: str
    applied: np.ndarray
    params: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    children: list[tuple[np.ndarray, Record]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.applied)

    # -- per-sample view ---------------------------------------------------------------------------------
    def sample(self, i: int) -> Record:
        """The record of sample ``i`` alone (a batch of one).

        Example:
            >>> rec = Record("x", np.array([True, False, True]), {"v": np.array([1.0, 2.0])})
            >>> rec.sample(2).params["v"].tolist()
            [2.0]
        """
        n = len(self.applied)
        if not -n <= i < n:
            raise IndexError(f"sample {i} is outside a record of {n} samples")
        i %= n
        if not self.applied[i]:
            return Record(self.name, np.zeros(1, dtype=bool))
        j = int(np.count_nonzero(self.applied[:i]))
        rows = np.array([j])
        children = []
        for index, child in self.children:
            hit = np.flatnonzero(np.asarray(index) == j)
            if len(hit):
                children.append((np.array([0]), child.sample(int(hit[0]))))
        return Record(
            self.name,
            np.ones(1, dtype=bool),
            {k: rows_of(v, rows) for k, v in self.params.items()},
            {k: rows_of(v, rows) for k, v in self.info.items()},
            children,
        )

    # -- JSON ----------------------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able data (lists, numbers, strings)."""
        out: dict[str, Any] = {"name": self.name, "applied": plain(self.applied)}
        if self.params:
            out["params"] = plain(self.params)
        if self.info:
            out["info"] = plain(self.info)
        if self.children:
            out["children"] = [{"index": plain(i), "record": c.to_json()} for i, c in self.children]
        return out

    def dumps(self) -> str:
        """The record as a JSON string."""
        return json.dumps(self.to_json())

    @classmethod
    def from_json(cls, data: dict[str, Any] | str) -> Record:
        """Rebuild a record from :meth:`to_json` output (a dict or a JSON string)."""
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as err:
                raise InputError(
                    f"a replay record string must be JSON (from Record.dumps()): {err}"
                ) from None
        if not isinstance(data, dict) or "name" not in data or "applied" not in data:
            raise InputError("a replay record needs 'name' and 'applied' fields (from Record.to_json())")
        return cls(
            data["name"],
            np.asarray(data["applied"], dtype=bool).reshape(-1),
            {k: _from_plain(v) for k, v in data.get("params", {}).items()},
            {k: _from_plain(v) for k, v in data.get("info", {}).items()},
            [
                (np.asarray(c["index"], dtype=np.int64), cls.from_json(c["record"]))
                for c in data.get("children", [])
            ],
        )

    @classmethod
    def coerce(cls, params: Record | dict[str, Any] | str) -> Record:
        """Accept a record, its JSON dict or its JSON string."""
        return params if isinstance(params, Record) else cls.from_json(params)
