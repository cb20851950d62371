"""multiaug: data augmentation for images, audio and text on one protocol.

Batched and GPU-capable for images and audio (torch tensors), offline-first for text, exactly reproducible
with a seed, with pipelines, YAML/JSON configs and a CLI for folders (``multiaug augment IN OUT``).

``import multiaug`` is light (numpy only); the modality packages are imported on first use:

    >>> import multiaug
    >>> import multiaug.image as mi
    >>> pipe = multiaug.Pipeline([mi.HorizontalFlip(p=0.5)])
"""

from __future__ import annotations

import importlib
from typing import Any

from .core import (
    CONFIG_VERSION,
    Augmenter,
    ConfigError,
    Draws,
    InputError,
    InputTypeError,
    MixedTargets,
    MultiaugError,
    OneOf,
    Pipeline,
    RandomApply,
    RandomOrder,
    Record,
    Router,
    SomeOf,
    from_config,
    load,
    mixed_loss,
    mixed_targets,
    names,
    register,
    save,
)

__version__ = "0.1.0"

__all__ = [
    "CONFIG_VERSION",
    "Augmenter",
    "ConfigError",
    "Draws",
    "InputError",
    "InputTypeError",
    "MixedTargets",
    "MultiaugError",
    "OneOf",
    "Pipeline",
    "RandomApply",
    "RandomOrder",
    "Record",
    "Router",
    "SomeOf",
    "__version__",
    "audio",
    "from_config",
    "image",
    "load",
    "mixed_loss",
    "mixed_targets",
    "names",
    "register",
    "save",
    "text",
]

_LAZY = ("image", "audio", "text")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'multiaug' has no attribute {name!r}")
