"""Offline augmentation of folders: scanning, per-modality readers and writers, the augment-folder job,
manifest, atomic writes, resume, previews. The ``multiaug`` CLI is a thin layer over this package.

Example:
    >>> from multiaug.offline import AugmentOptions, augment_folder, load_pipelines
    >>> pipelines, origin = load_pipelines(recipe="light")
    >>> origin
    'recipe light'
"""

from .job import AugmentOptions, Summary, UsageError, augment_folder, describe_plan
from .keys import sample_key
from .manifest import MANIFEST_KEYS, MANIFEST_NAME, read_manifest
from .pipelines import DEFAULT_RECIPE, load_pipelines, recipe_names
from .scan import EXTENSIONS, scan_inputs

__all__ = [
    "DEFAULT_RECIPE",
    "EXTENSIONS",
    "MANIFEST_KEYS",
    "MANIFEST_NAME",
    "AugmentOptions",
    "Summary",
    "UsageError",
    "augment_folder",
    "describe_plan",
    "load_pipelines",
    "read_manifest",
    "recipe_names",
    "sample_key",
    "scan_inputs",
]
