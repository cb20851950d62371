"""What ``multiaug list``, ``multiaug show`` and ``multiaug validate`` print."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

from ..core import registry
from ..core.errors import ConfigError, did_you_mean
from .pipelines import MODALITIES, load_pipelines, padding_warnings, recipe_names, recipe_path

__all__ = ["list_augmenters", "show_augmenter", "validate_config"]


_ROLE = re.compile(r":(?:mod|class|func|meth|attr|obj|data):`~?([^`]+)`")


def plain_text(doc: str) -> str:
    """Docstring markup as a terminal shows it: ````code```` and ``:role:`target``` become plain text.

    Example:
        >>> plain_text("Add ``noise`` (see :class:`~multiaug.audio.Gain`).")
        'Add noise (see multiaug.audio.Gain).'
    """
    return _ROLE.sub(r"\1", doc).replace("``", "")


def _summary(cls: type) -> str:
    doc = inspect.getdoc(cls) or ""
    return plain_text(doc.strip().splitlines()[0]) if doc.strip() else ""


def list_augmenters(modality: str | None = None) -> str:
    """Every registered augmenter (of one modality, or all, plus the containers) with its one-line summary.

    Example:
        >>> "Pipeline" in list_augmenters()
        True
    """
    names = registry.names(modality)
    reg = registry.registered()
    groups: dict[str, list[str]] = {}
    for name in names:
        group = name.split(".", 1)[0] if "." in name else "containers"
        groups.setdefault(group, []).append(name)
    order = [m for m in (*MODALITIES, "containers") if m in groups] + sorted(
        set(groups) - {*MODALITIES, "containers"}
    )
    width = max((len(n) for n in names), default=10)
    lines = []
    for group in order:
        lines.append(f"{group} ({len(groups[group])})")
        lines.extend(f"  {n:<{width}}  {_summary(reg[n])}" for n in groups[group])
    if not lines:
        return f"no augmenters registered for {modality!r}"
    return "\n".join(lines)


def _parameters(cls: type[Any]) -> list[tuple[str, Any, bool]]:
    """(name, default, required) of the constructor's arguments."""
    out = []
    for name, par in inspect.signature(cls.__init__).parameters.items():
        if name == "self" or par.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        required = par.default is inspect.Parameter.empty
        out.append((name, None if required else par.default, required))
    return out


def show_augmenter(name: str) -> str:
    """An augmenter's description, parameters with defaults and an example config snippet (or a recipe's YAML).

    Example:
        >>> "augmenters" in show_augmenter("Pipeline")
        True
    """
    import yaml

    if "." not in name and name in recipe_names():
        return f"# recipe {name} ({recipe_path(name)})\n" + recipe_path(name).read_text(encoding="utf-8")
    try:
        cls = registry.get(name)
    except ConfigError:
        known = registry.names() + recipe_names()
        raise ConfigError(f"unknown augmenter or recipe {name!r}{did_you_mean(name, known)}") from None
    doc = inspect.getdoc(cls) or "(no description)"
    lines = [f"{name}  ({cls.__module__}.{cls.__name__})", "", plain_text(doc), "", "parameters:"]
    params = _parameters(cls)
    width = max((len(p[0]) for p in params), default=4)
    example: dict[str, Any] = {"name": name}
    for pname, default, required in params:
        if required:
            lines.append(f"  {pname:<{width}}  (required)")
            example[pname] = "<required>"
        else:
            lines.append(f"  {pname:<{width}}  default {default!r}")
            example[pname] = list(default) if isinstance(default, tuple) else default
    try:
        snippet = yaml.safe_dump({"multiaug": 1, "augmenter": example}, sort_keys=False)
    except yaml.YAMLError:
        snippet = "(the defaults are not plain data)\n"
    lines += ["", "example config (YAML):", snippet.rstrip()]
    return "\n".join(lines)


def _smoke_inputs(modality: str) -> tuple[tuple, dict]:
    import numpy as np

    if modality == "text":
        return (["The quick brown fox jumps over the lazy dog.", "A second, shorter sentence."],), {}
    import torch

    if modality == "image":
        grid = torch.from_numpy(np.indices((64, 64)).sum(0).astype(np.uint8) * 2)
        return (grid.expand(2, 3, 64, 64).contiguous(),), {}
    t = torch.arange(16000, dtype=torch.float64, device="cpu") / 16000
    tone = (0.3 * torch.sin(2 * torch.pi * 440 * t)).float()
    return (), {"audio": tone.expand(2, 1, 16000).contiguous(), "sample_rate": 16000}


def validate_config(path: str | Path) -> tuple[bool, str]:
    """Load a config, print its pipelines, and run each once on a small synthetic batch.

    Returns ``(ok, report)``; the report names the exact error when the config is wrong.
    """
    try:
        pipelines, origin = load_pipelines(config=path)
    except ConfigError as exc:
        return False, f"invalid config: {exc}"
    lines = [f"{origin}: valid"] + [f"warning: {w}" for w in padding_warnings(pipelines)]
    ok = True
    for modality in MODALITIES:
        if modality not in pipelines:
            lines.append(f"\n[{modality}] no pipeline: {modality} files are left out")
            continue
        aug = pipelines[modality]
        lines.append(f"\n[{modality}]\n{aug!r}")
        args, kwargs = _smoke_inputs(modality)
        try:
            aug(*args, seed=0, **kwargs)
            lines.append(f"[{modality}] ran on a synthetic batch: ok")
        except Exception as exc:
            ok = False
            lines.append(f"[{modality}] fails on a synthetic batch: {type(exc).__name__}: {exc}")
    return ok, "\n".join(lines)
