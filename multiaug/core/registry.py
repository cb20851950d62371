"""The registry of augmenters by stable name (``"image.HorizontalFlip"``, ``"Pipeline"``).

Names never change when code moves, so saved configs keep working. A config names an augmenter; it never
imports a dotted path. Modality packages register on import and are imported on demand by prefix.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import ConfigError, did_you_mean

__all__ = ["MODALITIES", "get", "names", "register"]

#: Modality name -> the package that registers its augmenters when imported.
MODALITIES = {"image": "multiaug.image", "audio": "multiaug.audio", "text": "multiaug.text"}

_REGISTRY: dict[str, type] = {}
T = TypeVar("T", bound=type)


def register(name: str) -> Callable[[T], T]:
    """Class decorator: register an augmenter under a stable ``name`` (``"<modality>.<Name>"``)."""

    def deco(cls: T) -> T:
        if name in _REGISTRY and _REGISTRY[name] is not cls:
            raise ConfigError(f"the augmenter name {name!r} is already registered by {_REGISTRY[name]!r}")
        _REGISTRY[name] = cls
        cls.registry_name = name  # type: ignore[attr-defined]
        return cls

    return deco


def _load(modality: str) -> None:
    if modality in MODALITIES:
        importlib.import_module(MODALITIES[modality])


def load_all() -> None:
    """Import every modality package so that every augmenter is registered."""
    for modality in MODALITIES:
        _load(modality)


def get(name: str) -> type:
    """The augmenter class registered under ``name``, importing its modality package if needed."""
    if not isinstance(name, str):
        raise ConfigError(f"an augmenter name must be a string, got {name!r}")
    if name not in _REGISTRY:
        _load(name.split(".", 1)[0])
    if name not in _REGISTRY:
        load_all()
        raise ConfigError(f"unknown augmenter {name!r}{did_you_mean(name, _REGISTRY)}")
    return _REGISTRY[name]


def names(modality: str | None = None) -> list[str]:
    """All registered names (of one modality, or all), sorted; imports the modality packages."""
    if modality is None:
        load_all()
    else:
        _load(modality)
    return sorted(n for n in _REGISTRY if modality is None or n.startswith(modality + "."))


def registered() -> dict[str, Any]:
    """A copy of the registry (name -> class) without importing anything."""
    return dict(_REGISTRY)
