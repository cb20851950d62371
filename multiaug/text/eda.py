"""EDA (Wei and Zou, 2019): synonym replacement, random insertion, random swap, random deletion.

Unlike the original code, the text is not lower-cased or stripped to ``a-z``: case, punctuation, numbers and
spacing are kept. ``n = max(1, int(alpha * number_of_words))`` as in the paper.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from multiaug.core import register
from multiaug.core.checks import check_prob
from multiaug.core.errors import ConfigError, InputTypeError
from multiaug.core.random import mix_keys, normalize_keys

from .synonyms import RandomInsertion, Source, SynonymReplacement
from .word_base import Edit, WordAugmenter
from .word_ops import RandomDeletion, RandomSwap

__all__ = ["EDA"]


@register("text.EDA")
class EDA(WordAugmenter):
    """Easy Data Augmentation: each augmented text gets one of the four operations.

    - ``sr``: replace ``n = max(1, int(alpha_sr * N))`` content words by synonyms (``N``: number of words);
    - ``ri``: insert ``n = max(1, int(alpha_ri * N))`` synonyms of words of the text at random positions;
    - ``rs``: swap two random words ``n = max(1, int(alpha_rs * N))`` times;
    - ``rd``: delete each word with probability ``p_rd`` (at least one word stays).

    An operation with ``alpha = 0`` is left out. ``aug(text)`` returns **one** augmented text (``str`` in, ``str``
    out; ``list`` in, ``list`` out), its operation drawn at random. ``aug.variants(text)`` returns ``num_aug``
    augmented texts per input, the operations taken in turn (sr, ri, rs, rd, sr, ...) as EDA spreads them evenly:
    a ``list[str]`` for a ``str``, a ``list[list[str]]`` for a list. The original is not included.

    Example:
        >>> import multiaug.text as mt
        >>> eda = mt.EDA(num_aug=4)
        >>> len(eda.variants("The quick brown fox jumps over the lazy dog.", seed=0))
        4
    """

    OPERATIONS = ("sr", "ri", "rs", "rd")

    def __init__(
        self,
        alpha_sr: float = 0.1,
        alpha_ri: float = 0.1,
        alpha_rs: float = 0.1,
        p_rd: float = 0.1,
        num_aug: int = 9,
        *,
        source: Source = "builtin",
        stopwords: str | Iterable[str] | None = "english",
        protect: str | Iterable[str] | None = None,
        pos_tagger: str | None = "auto",
        p: float = 1.0,
    ) -> None:
        super().__init__(stopwords=stopwords, protect=protect, p=p)
        alphas = {
            "alpha_sr": check_prob(alpha_sr, "alpha_sr"),
            "alpha_ri": check_prob(alpha_ri, "alpha_ri"),
            "alpha_rs": check_prob(alpha_rs, "alpha_rs"),
            "p_rd": check_prob(p_rd, "p_rd"),
        }
        if not any(alphas.values()):
            raise ConfigError("EDA needs at least one of alpha_sr, alpha_ri, alpha_rs, p_rd above 0")
        if isinstance(num_aug, bool) or not isinstance(num_aug, int) or num_aug < 1:
            raise ConfigError(f"num_aug must be a positive integer, got {num_aug!r}")
        self.alpha_sr, self.alpha_ri, self.alpha_rs, self.p_rd = alphas.values()
        self.num_aug = num_aug
        common: dict[str, Any] = {"protect": protect, "p": 1.0}
        ops: dict[str, WordAugmenter] = {}
        if self.alpha_sr:
            ops["sr"] = SynonymReplacement(
                source=source, aug_p=self.alpha_sr, stopwords=stopwords, pos_tagger=pos_tagger, **common
            )
        if self.alpha_ri:
            ops["ri"] = RandomInsertion(
                source=source, aug_p=self.alpha_ri, stopwords=stopwords, pos_tagger=pos_tagger, **common
            )
        if self.alpha_rs:
            ops["rs"] = RandomSwap(aug_p=self.alpha_rs, **common)
        if self.p_rd:
            ops["rd"] = RandomDeletion(aug_p=self.p_rd, aug_min=0, **common)
        self.operations = ops

    def _edits(self, text: str, rng: random.Random) -> list[Edit]:
        names = list(self.operations)
        return self.operations[names[rng.randrange(len(names))]]._edits(text, rng)

    def variants(self, text: str | list[str], *, seed: int | None = None, keys: Any = None) -> Any:
        """``num_aug`` augmented versions of each text (operations in turn: sr, ri, rs, rd, sr, ...).

        Reproducible with ``seed`` (and ``keys``, one integer per text, as for a call).
        """
        single = isinstance(text, str)
        if not single and not isinstance(text, list | tuple):
            raise InputTypeError(f"text must be a str or a list of str, got {type(text).__name__}")
        texts = [text] if single else list(text)
        base_keys = normalize_keys(keys, len(texts))
        seed = self._resolve_seed(seed)
        names = list(self.operations)
        out: list[list[str]] = [[] for _ in texts]
        for j in range(self.num_aug):
            op = self.operations[names[j % len(names)]]
            result = op(texts, seed=seed, keys=mix_keys(base_keys, j + 1).astype("int64"))
            for k, t in enumerate(result):
                out[k].append(t)
        return out[0] if single else out
