"""Audio augmenters on float tensors ``(T,)``, ``(C,T)`` or ``(B,C,T)`` with a ``sample_rate``.

Batches may hold clips of different lengths (pass ``lengths=``); every augmenter draws its own parameters per
sample (or per channel, or once per batch), runs on CPU and CUDA, and can replay a call exactly.

Example:
    >>> import torch, multiaug.audio as ma
    >>> aug = ma.Gain(gain_db=(6.0, 6.0), p=1.0)
    >>> round(float(aug(torch.full((1, 100), 0.25), sample_rate=16000).max()), 3)
    0.499
"""

from .base import AudioAugmenter, AudioBatch, SpectrogramAugmenter, SpectrogramBatch
from .codec import *
from .crop import *
from .distortion import *
from .equalizer import *
from .filters import *
from .gain import *
from .io import *
from .levels import *
from .masking import *
from .mixing import *
from .noise import *
from .order import *
from .reverb import *
from .shift import *
from .time_pitch import *
