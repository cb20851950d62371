"""The pipelines a folder job runs: one per modality, from a config file or an embedded recipe.

A CLI config is a normal multiaug config file (see :func:`multiaug.save`) holding either a ``Router`` whose
fields are modality names (``image``, ``audio``, ``text``) or a single augmenter/pipeline of one modality.
Embedded recipes (``light``, ``medium``, ``heavy``) live in ``multiaug/recipes/<name>.yaml`` in the same format.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from ..core.errors import ConfigError, did_you_mean

__all__ = [
    "DEFAULT_RECIPE",
    "MODALITIES",
    "check_per_sample",
    "load_pipelines",
    "recipe_names",
    "recipe_path",
    "router_config",
]

MODALITIES = ("image", "audio", "text")
#: The recipe used when neither ``--config`` nor ``--recipe`` is given.
DEFAULT_RECIPE = "medium"


def recipe_names() -> list[str]:
    """Names of the embedded recipes.

    Example:
        >>> "medium" in recipe_names()
        True
    """
    folder = resources.files("multiaug") / "recipes"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def recipe_path(name: str) -> Path:
    """The file of an embedded recipe; unknown names raise :class:`ConfigError` with a hint."""
    names = recipe_names()
    if name not in names:
        raise ConfigError(f"unknown recipe {name!r}{did_you_mean(name, names)}; recipes: {names}")
    return Path(str(resources.files("multiaug") / "recipes" / f"{name}.yaml"))


def _split(aug: Any, where: str) -> dict[str, Any]:
    from ..core.containers import Router

    if isinstance(aug, Router):
        out = {}
        for field, child in aug.fields.items():
            if field not in MODALITIES:
                raise ConfigError(
                    f"{where}: the Router field {field!r} is not a modality{did_you_mean(field, MODALITIES)}; "
                    f"use {list(MODALITIES)}"
                )
            if child.modality != field:
                raise ConfigError(f"{where}: the {field!r} field holds a {child.modality} augmenter")
            out[field] = child
        return out
    if aug.modality not in MODALITIES:
        raise ConfigError(f"{where}: a {aug.modality!r} augmenter cannot run on files")
    return {aug.modality: aug}


def _leaves(aug: Any) -> list[Any]:
    children = getattr(aug, "augmenters", None)
    if children is None:
        return [aug]
    return [leaf for child in children for leaf in _leaves(child)]


def check_per_sample(pipelines: dict[str, Any]) -> None:
    """Refuse augmenters that mix the samples of a batch (Mixup, CutMix, Mosaic): a file's output would depend
    on which other files share its batch, so it would not be a function of (seed, path, copy) any more.

    Example:
        >>> import multiaug.image as mi
        >>> check_per_sample({"image": mi.HorizontalFlip()})
    """
    for modality, aug in pipelines.items():
        for leaf in _leaves(aug):
            if getattr(leaf, "batch_level", False):
                raise ConfigError(
                    f"{leaf.registry_name} mixes the samples of a batch, so the output for one file would depend "
                    f"on the other files in its batch; it cannot be used to augment folders ({modality} pipeline)"
                )


def padding_warnings(pipelines: dict[str, Any]) -> list[str]:
    """Warnings about audio ops placed after an op that changes clip lengths (``TimeStretch``, ``Speed``).

    Such ops see a batch padded to its longest stretched clip, so FFT-based ones (filters, coloured noise, pitch
    shift) can differ in the last bit between ``--batch-size`` values. Put length-changing ops last.

    Example:
        >>> import multiaug, multiaug.audio as ma
        >>> padding_warnings({"audio": multiaug.Pipeline([ma.Gain(), ma.TimeStretch()])})
        []
    """
    if "audio" not in pipelines:
        return []
    leaves = _leaves(pipelines["audio"])
    first = next((i for i, leaf in enumerate(leaves) if getattr(leaf, "changes_length", False)), None)
    if (
        first is None
        or first == len(leaves) - 1
        or all(getattr(x, "changes_length", False) for x in leaves[first:])
    ):
        return []
    later = ", ".join(x.registry_name for x in leaves[first + 1 :] if not getattr(x, "changes_length", False))
    return [
        f"audio: {later} run after {leaves[first].registry_name}, which changes clip lengths; they see a batch "
        "padded to its longest clip, so outputs can differ in the last bit between --batch-size values. "
        "Put length-changing ops last for outputs that are exactly the same for any batch size."
    ]


def load_pipelines(config: str | Path | None = None, recipe: str | None = None) -> tuple[dict[str, Any], str]:
    """Load ``{modality: augmenter}`` from a config file or an embedded recipe (default: :data:`DEFAULT_RECIPE`).

    Returns the pipelines and a description of where they came from.

    Example:
        >>> pipes, origin = load_pipelines(recipe="light")
        >>> sorted(pipes), origin
        (['audio', 'image', 'text'], 'recipe light')
    """
    from ..core.config import load

    if config is not None and recipe is not None:
        raise ConfigError("give either a config file or a recipe, not both")
    if config is not None:
        path = Path(config)
        pipelines, origin = _split(load(path), str(path)), f"config {path}"
    else:
        name = recipe or DEFAULT_RECIPE
        pipelines, origin = _split(load(recipe_path(name)), f"recipe {name}"), f"recipe {name}"
    check_per_sample(pipelines)
    return pipelines, origin


def router_config(pipelines: dict[str, Any]) -> dict[str, Any]:
    """The saved form of a set of per-modality pipelines (a ``Router`` config file's content)."""
    from ..core.config import CONFIG_VERSION

    fields = {m: pipelines[m].to_config() for m in MODALITIES if m in pipelines}
    return {"multiaug": CONFIG_VERSION, "augmenter": {"name": "Router", "fields": fields}}
