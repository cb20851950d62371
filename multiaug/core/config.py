"""Configs: augmenters as plain dicts, YAML and JSON files.

A config is ``{"name": "<registry name>", **constructor arguments}``; containers hold their children's configs.
Files wrap it with a format version: ``{"multiaug": 1, "augmenter": {...}}``. YAML is read with ``safe_load``
only, and a config never imports code: names are looked up in the registry.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import registry
from .base import Augmentation
from .errors import ConfigError, did_you_mean

__all__ = ["CONFIG_VERSION", "from_config", "load", "save"]

#: Version of the config file format written by :func:`save`.
CONFIG_VERSION = 1


def _nested(value: Any, where: str) -> Any:
    """Rebuild augmenters inside a parameter that holds them (a config, a list of them, a dict of them)."""
    if isinstance(value, Mapping) and "name" in value:
        return from_config(value, _where=where)
    if isinstance(value, Mapping):
        return {k: _nested(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nested(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise ConfigError(f"{where} must hold augmenter configs (dicts with a 'name'), got {value!r}")


def from_config(config: Mapping[str, Any], *, _where: str = "config") -> Augmentation:
    """Build an augmenter from :meth:`to_config` output or a loaded file.

    Unknown names and keys are errors that name the key and suggest the closest valid one.

    Example:
        >>> import multiaug
        >>> aug = multiaug.from_config({"name": "image.HorizontalFlip", "p": 1.0})
        >>> type(aug).__name__, aug.p
        ('HorizontalFlip', 1.0)
    """
    if not isinstance(config, Mapping):
        raise ConfigError(f"{_where} must be a mapping, got {type(config).__name__}")
    if "augmenter" in config and "name" not in config:
        version = config.get("multiaug", CONFIG_VERSION)
        if version != CONFIG_VERSION:
            raise ConfigError(
                f"{_where}: unsupported config version {version!r} (this multiaug reads {CONFIG_VERSION})"
            )
        extra = set(config) - {"augmenter", "multiaug"}
        if extra:
            key = sorted(extra)[0]
            raise ConfigError(f"{_where}: unknown key {key!r}{did_you_mean(key, ['augmenter', 'multiaug'])}")
        return from_config(config["augmenter"], _where=f"{_where}.augmenter")
    if "name" not in config:
        raise ConfigError(f"{_where} has no 'name' (the augmenter's registry name, e.g. 'image.Rotate')")
    name = config["name"]
    try:
        cls: type[Augmentation] = registry.get(name)
    except ConfigError as err:
        raise ConfigError(f"{_where}: {err}") from None
    params = inspect.signature(cls).parameters
    valid = [k for k, v in params.items() if k != "self" and v.kind is not inspect.Parameter.VAR_KEYWORD]
    accepts_any = any(v.kind is inspect.Parameter.VAR_KEYWORD for v in params.values())
    kwargs: dict[str, Any] = {}
    for key, value in config.items():
        if key == "name":
            continue
        if key not in valid and key != "seed" and not accepts_any:
            raise ConfigError(
                f"{_where}: unknown key {key!r} for {name}{did_you_mean(key, valid)}; valid keys: {valid}"
            )
        kwargs[key] = _nested(value, f"{_where}.{key}") if key in cls.nested_params else value
    try:
        return cls(**kwargs)
    except ConfigError as err:
        raise ConfigError(f"{_where} ({name}): {err}") from None
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{_where} ({name}): {err}") from err


def _read(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        return json.loads(text)
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        return yaml.safe_load(text)
    raise ConfigError(f"{path}: a config file must end in .yaml, .yml or .json")


def load(path: str | Path) -> Augmentation:
    """Load an augmenter saved with :func:`save` (YAML or JSON, by extension).

    Example:
        >>> import multiaug, multiaug.image as mi, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "flip.yaml")
        >>> multiaug.save(mi.HorizontalFlip(p=0.2), path)
        >>> multiaug.load(path).p
        0.2
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = _read(path)
    except (ValueError, OSError) as err:
        raise ConfigError(f"{path}: cannot parse: {err}") from None
    except Exception as err:  # yaml.YAMLError and friends
        raise ConfigError(f"{path}: cannot parse: {err}") from None
    return from_config(data, _where=f"{path}: config")


def save(augmenter: Augmentation, path: str | Path) -> None:
    """Save an augmenter's config to ``path`` (``.yaml``/``.yml`` or ``.json``)."""
    path = Path(path)
    data = {"multiaug": CONFIG_VERSION, "augmenter": augmenter.to_config()}
    suffix = path.suffix.lower()
    if suffix == ".json":
        text = json.dumps(data, indent=2) + "\n"
    elif suffix in (".yaml", ".yml"):
        import yaml

        text = yaml.safe_dump(data, sort_keys=False)
    else:
        raise ConfigError(f"{path}: a config file must end in .yaml, .yml or .json")
    path.write_text(text, encoding="utf-8")
