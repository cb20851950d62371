"""Image augmenters on torch tensors ``(C,H,W)`` or ``(B,C,H,W)``, uint8 in [0,255] or float in [0,1].

Every augmenter draws its own parameters per sample, runs on CPU and CUDA, and can replay a call exactly.

Example:
    >>> import torch, multiaug.image as mi
    >>> aug = mi.HorizontalFlip(p=1.0)
    >>> aug(torch.arange(4.0).reshape(1, 1, 2, 2) / 4).flatten().tolist()
    [0.25, 0.0, 0.75, 0.5]
"""

from .base import ImageAugmenter, ImageBatch
from .color import *
from .compression import *
from .crop import *
from .elastic import *
from .erasing import *
from .filters import *
from .geometric import *
from .mixing import *
from .policies import AugMix, AutoAugment, RandAugment, TrivialAugmentWide
