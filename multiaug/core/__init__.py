"""The core: protocol, base classes, randomness, replay records, containers, registry, configs.

The core imports numpy only; torch is imported by the image and audio packages.
"""

from . import checks, errors, noise
from .base import Augmentation, Augmenter, Op
from .config import CONFIG_VERSION, from_config, load, save
from .containers import OneOf, Pipeline, RandomApply, RandomOrder, Router, SomeOf
from .errors import ConfigError, InputError, InputTypeError, MultiaugError
from .mixing import MixedTargets, mixed_loss, mixed_targets
from .random import Draws
from .record import Record
from .registry import names, register

__all__ = [
    "CONFIG_VERSION",
    "Augmentation",
    "Augmenter",
    "ConfigError",
    "Draws",
    "InputError",
    "InputTypeError",
    "MixedTargets",
    "MultiaugError",
    "OneOf",
    "Op",
    "Pipeline",
    "RandomApply",
    "RandomOrder",
    "Record",
    "Router",
    "SomeOf",
    "checks",
    "errors",
    "from_config",
    "load",
    "mixed_loss",
    "mixed_targets",
    "names",
    "noise",
    "register",
    "save",
]
