"""``python -m multiaug.cli`` runs the ``multiaug`` command."""

import sys

from .main import main

sys.exit(main())
