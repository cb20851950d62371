"""The ``multiaug`` command line (``multiaug augment|list|show|validate|preview``).

Importing this package is light: torch and the modality packages are imported only by the commands that
need them.
"""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
