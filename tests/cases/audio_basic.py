"""Contract cases: basic audio augmenters."""

import multiaug.audio as ma

from . import Case

CASES = {
    "audio.Gain": Case(ma.Gain, {"gain_db": (-6.0, 6.0)}, data="audio"),
}
