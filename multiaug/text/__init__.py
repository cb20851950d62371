"""Text augmenters: ``str`` in, ``str`` out; ``list[str]`` in, ``list[str]`` out. Offline; no torch needed.

Word ops keep case, punctuation and spacing (see :mod:`multiaug.text.tokenize`); synonyms come from the WordNet
3.0 lexicon shipped with the package (``source="builtin"``), an installed NLTK WordNet (``source="nltk"``) or a
user lexicon (a dict or a JSON/TSV file).
"""

from .base import TextAugmenter, TextBatch
from .char_ops import CharNoise, KeyboardTypo
from .eda import EDA
from .lexicon import Lexicon, NltkWordNetLexicon, UserLexicon, WordNetLexicon, builtin_lexicon, load_lexicon
from .nltk_wordnet import build_nltk_wordnet, download_wordnet
from .sentence_ops import SentenceShuffle
from .stopwords import english_stopwords
from .synonyms import RandomInsertion, SynonymReplacement
from .syntax import SyntaxReorder
from .tokenize import detokenize, tokenize
from .word_ops import RandomDeletion, RandomSwap, WordShuffle

__all__ = [
    "EDA",
    "CharNoise",
    "KeyboardTypo",
    "Lexicon",
    "NltkWordNetLexicon",
    "RandomDeletion",
    "RandomInsertion",
    "RandomSwap",
    "SentenceShuffle",
    "SynonymReplacement",
    "SyntaxReorder",
    "TextAugmenter",
    "TextBatch",
    "UserLexicon",
    "WordNetLexicon",
    "WordShuffle",
    "build_nltk_wordnet",
    "builtin_lexicon",
    "detokenize",
    "download_wordnet",
    "english_stopwords",
    "load_lexicon",
    "tokenize",
]
