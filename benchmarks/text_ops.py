"""Text augmenters: multiaug against nlpaug and a faithful timing re-implementation of EDA's operations.

2,000 varied English sentences (``benchmarks/data/sentences_en.txt``, made by
``benchmarks/data/make_text_sentences.py``), one process, the libraries interleaved pass by pass, several repeats,
medians of sentences per second. Everything is single-threaded Python (one core); passes are timed with
``time.process_time`` (the CPU time of this process), which other load on a shared machine disturbs far less
than wall-clock time.

- multiaug: ``aug(list_of_2000)`` ("batch": one call, per-sample parameters) and ``aug(sentence)`` in a loop
  ("per call"). Its tokeniser cache is cleared before every pass (cold tokenisation); the synonym lookups stay
  cached, as NLTK's synset cache stays warm for nlpaug and EDA.
- nlpaug 1.1.11: ``SynonymAug(aug_src="wordnet")`` and ``RandomWordAug(action="swap"|"delete")``, ``augment(list)``.
  nlpaug needs NLTK's ``wordnet`` corpus and ``averaged_perceptron_tagger``, which cannot be downloaded here: the
  WordNet corpus is built offline from Debian's WordNet 3.0 files (``multiaug.text.build_nltk_wordnet``, the same
  data as multiaug's lexicon) into a temporary NLTK data directory; the tagger model is missing, so nlpaug's
  ``pos_tag`` is replaced by NLTK's suffix-rule ``RegexpTagger`` (cheaper than the perceptron tagger, so nlpaug's
  numbers are, if anything, flattering). ``nltk.download`` is replaced by a function that raises.
- EDA: the operations of Wei and Zou's ``eda.py`` re-implemented line for line (``get_only_chars`` normalisation,
  ``synonym_replacement``, ``random_insertion``, ``random_swap``, ``random_deletion``, ``eda``), WordNet through
  the same NLTK corpus.

Settings: against nlpaug ``aug_p=0.3`` (nlpaug's default, with its ``aug_max=10``; multiaug gets ``aug_max=10``
too), nlpaug's swap is an adjacent swap, so multiaug uses ``RandomSwap(adjacent=True)`` there. Against EDA the
paper's ``alpha = 0.1``. "punct kept" is the share of outputs whose punctuation tokens (in order) are those of the
input; "case kept" the share where every output word that also occurs in the input (ignoring case) is spelled with
the same case as there (no lower-casing, no re-capitalisation), except the sentence-initial capital, which may
follow the position (the input's first word lowered when it moves, the output's first word capitalised).

    python benchmarks/text_ops.py            # 2,000 sentences, 7 repeats
    python benchmarks/text_ops.py --quick    # 500 sentences, 3 repeats

The table is printed and written to ``benchmarks/results/text_ops.md``.
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from random import shuffle

warnings.filterwarnings("ignore")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nltk  # noqa: E402

import multiaug.text as mt  # noqa: E402
from multiaug.text.lexicon import BUILTIN_LEXICON_PATH, read_lexicon_file  # noqa: E402
from multiaug.text.tokenize import analyse, is_word, tokenize  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "sentences_en.txt"
RESULTS = HERE / "results" / "text_ops.md"


# --------------------------------------------------------------------------------------------------------------
# EDA (Wei and Zou 2019, github.com/jasonwei20/eda_nlp, code/eda.py), re-implemented for timing
# --------------------------------------------------------------------------------------------------------------
EDA_STOP_WORDS = set(
    [
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "ourselves",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "it",
        "its",
        "itself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "these",
        "those",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "a",
        "an",
        "the",
        "and",
        "but",
        "if",
        "or",
        "because",
        "as",
        "until",
        "while",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "should",
        "now",
    ]
)
wordnet = None  # the NLTK WordNet reader, set in main()


def get_only_chars(line: str) -> str:
    clean_line = ""
    line = line.replace("’", "").replace("'", "").replace("-", " ").replace("\t", " ").replace("\n", " ")
    line = line.lower()
    for char in line:
        if char in "qwertyuiopasdfghjklzxcvbnm ":
            clean_line += char
        else:
            clean_line += " "
    clean_line = re.sub(" +", " ", clean_line)
    if clean_line and clean_line[0] == " ":
        clean_line = clean_line[1:]
    return clean_line


def get_synonyms(word: str) -> list[str]:
    synonyms = set()
    for syn in wordnet.synsets(word):
        for lemma in syn.lemmas():
            synonym = lemma.name().replace("_", " ").replace("-", " ").lower()
            synonym = "".join([char for char in synonym if char in " qwertyuiopasdfghjklzxcvbnm"])
            synonyms.add(synonym)
    if word in synonyms:
        synonyms.remove(word)
    return list(synonyms)


def synonym_replacement(words: list[str], n: int) -> list[str]:
    new_words = words.copy()
    random_word_list = list({word for word in words if word not in EDA_STOP_WORDS})
    random.shuffle(random_word_list)
    num_replaced = 0
    for random_word in random_word_list:
        synonyms = get_synonyms(random_word)
        if len(synonyms) >= 1:
            synonym = random.choice(list(synonyms))
            new_words = [synonym if word == random_word else word for word in new_words]
            num_replaced += 1
        if num_replaced >= n:
            break
    sentence = " ".join(new_words)
    return sentence.split(" ")


def random_deletion(words: list[str], p: float) -> list[str]:
    if len(words) == 1:
        return words
    new_words = [word for word in words if random.uniform(0, 1) > p]
    if len(new_words) == 0:
        return [words[random.randint(0, len(words) - 1)]]
    return new_words


def swap_word(new_words: list[str]) -> list[str]:
    random_idx_1 = random.randint(0, len(new_words) - 1)
    random_idx_2 = random_idx_1
    counter = 0
    while random_idx_2 == random_idx_1:
        random_idx_2 = random.randint(0, len(new_words) - 1)
        counter += 1
        if counter > 3:
            return new_words
    new_words[random_idx_1], new_words[random_idx_2] = new_words[random_idx_2], new_words[random_idx_1]
    return new_words


def random_swap(words: list[str], n: int) -> list[str]:
    new_words = words.copy()
    for _ in range(n):
        new_words = swap_word(new_words)
    return new_words


def add_word(new_words: list[str]) -> None:
    synonyms: list[str] = []
    counter = 0
    while len(synonyms) < 1:
        random_word = new_words[random.randint(0, len(new_words) - 1)]
        synonyms = get_synonyms(random_word)
        counter += 1
        if counter >= 10:
            return
    random_synonym = synonyms[0]
    random_idx = random.randint(0, len(new_words) - 1)
    new_words.insert(random_idx, random_synonym)


def random_insertion(words: list[str], n: int) -> list[str]:
    new_words = words.copy()
    for _ in range(n):
        add_word(new_words)
    return new_words


def eda_words(sentence: str) -> list[str]:
    return [word for word in get_only_chars(sentence).split(" ") if word != ""]


def eda(sentence, alpha_sr=0.1, alpha_ri=0.1, alpha_rs=0.1, p_rd=0.1, num_aug=9):
    sentence = get_only_chars(sentence)
    words = [word for word in sentence.split(" ") if word != ""]
    num_words = len(words)
    augmented_sentences = []
    num_new_per_technique = int(num_aug / 4) + 1
    if alpha_sr > 0:
        n_sr = max(1, int(alpha_sr * num_words))
        for _ in range(num_new_per_technique):
            augmented_sentences.append(" ".join(synonym_replacement(words, n_sr)))
    if alpha_ri > 0:
        n_ri = max(1, int(alpha_ri * num_words))
        for _ in range(num_new_per_technique):
            augmented_sentences.append(" ".join(random_insertion(words, n_ri)))
    if alpha_rs > 0:
        n_rs = max(1, int(alpha_rs * num_words))
        for _ in range(num_new_per_technique):
            augmented_sentences.append(" ".join(random_swap(words, n_rs)))
    if p_rd > 0:
        for _ in range(num_new_per_technique):
            augmented_sentences.append(" ".join(random_deletion(words, p_rd)))
    augmented_sentences = [get_only_chars(s) for s in augmented_sentences]
    shuffle(augmented_sentences)
    augmented_sentences = augmented_sentences[:num_aug]
    augmented_sentences.append(sentence)
    return augmented_sentences


def eda_op(op: str, alpha: float) -> Callable[[list[str]], list[str]]:
    def run(sentences: list[str]) -> list[str]:
        out = []
        for s in sentences:
            words = eda_words(s)
            if not words:
                out.append(s)
                continue
            n = max(1, int(alpha * len(words)))
            if op == "sr":
                new = synonym_replacement(words, n)
            elif op == "ri":
                new = random_insertion(words, n)
            elif op == "rs":
                new = random_swap(words, n)
            else:
                new = random_deletion(words, alpha)
            out.append(" ".join(new))
        return out

    return run


# --------------------------------------------------------------------------------------------------------------
# setup of the peers (offline)
# --------------------------------------------------------------------------------------------------------------
def setup_nltk() -> str:
    """Build NLTK's WordNet corpus from the local WordNet 3.0 database into a temporary data directory."""
    global wordnet

    def no_download(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"nltk.download{args} called: this benchmark runs offline")

    nltk.download = no_download
    root = tempfile.mkdtemp(prefix="multiaug_nltk_")
    mt.build_nltk_wordnet(root)
    nltk.data.path.insert(0, root)
    from nltk.corpus import wordnet as wn

    wordnet = wn
    return root


def nlpaug_ops() -> dict[str, object] | None:
    try:
        import nlpaug
        import nlpaug.augmenter.word as naw
        from nlpaug.model.word_dict import WordNet
    except ImportError:
        return None
    patterns = [
        (r".*ing$", "VBG"),
        (r".*ed$", "VBD"),
        (r".*es$", "VBZ"),
        (r".*ould$", "MD"),
        (r".*'s$", "NN$"),
        (r".*s$", "NNS"),
        (r"^-?[0-9]+(\.[0-9]+)?$", "CD"),
        (r".*ly$", "RB"),
        (r".*", "NN"),
    ]
    tagger = nltk.RegexpTagger(patterns)
    WordNet.pos_tag = classmethod(lambda cls, tokens: tagger.tag(tokens))
    return {
        "version": nlpaug.__version__,
        "synonym": naw.SynonymAug(aug_src="wordnet", aug_p=0.3),
        "swap": naw.RandomWordAug(action="swap", aug_p=0.3),
        "delete": naw.RandomWordAug(action="delete", aug_p=0.3),
    }


# --------------------------------------------------------------------------------------------------------------
# measuring
# --------------------------------------------------------------------------------------------------------------
def ours_batch(aug: object) -> Callable[[list[str]], list[str]]:
    calls = iter(range(10**9))

    def run(sentences: list[str]) -> list[str]:
        analyse.cache_clear()
        return aug(sentences, seed=next(calls))

    return run


def ours_per_call(aug: object) -> Callable[[list[str]], list[str]]:
    def run(sentences: list[str]) -> list[str]:
        analyse.cache_clear()
        return [aug(s, seed=i) for i, s in enumerate(sentences)]

    return run


def ours_variants(aug: mt.EDA) -> Callable[[list[str]], list[str]]:
    calls = iter(range(10**9))

    def run(sentences: list[str]) -> list[str]:
        analyse.cache_clear()
        return [v for vs in aug.variants(sentences, seed=next(calls)) for v in vs]

    return run


def nlpaug_run(aug: object) -> Callable[[list[str]], list[str]]:
    return lambda sentences: aug.augment(sentences)


def _punct(text: str) -> list[str]:
    return [t for t in tokenize(text)[0] if not is_word(t)]


def quality(sentences: list[str], outputs: list[str]) -> tuple[float, float]:
    if len(outputs) != len(sentences):  # EDA variants: compare each variant with its sentence
        k = len(outputs) // len(sentences)
        sentences = [s for s in sentences for _ in range(k)]
    punct = case = 0
    for s, o in zip(sentences, outputs):
        punct += _punct(s) == _punct(o)
        words_in = [w for w in tokenize(s)[0] if is_word(w)]
        words_out = [w for w in tokenize(o)[0] if is_word(w)]
        ins = set(words_in)
        lowered = {w.lower() for w in ins}
        # the sentence-start capital may move with the position: the input's first word lowered, the output's
        # first word capitalised
        if words_in:
            ins.add(words_in[0][:1].lower() + words_in[0][1:])
        if words_out:
            ins.add(words_out[0][:1].upper() + words_out[0][1:])
        case += all(w in ins for w in words_out if w.lower() in lowered)
    return 100.0 * punct / len(sentences), 100.0 * case / len(sentences)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--only", default=None, help="run only the groups whose title contains this text")
    args = parser.parse_args()
    sentences = DATA.read_text(encoding="utf-8").splitlines()
    repeats = args.repeats or (3 if args.quick else 7)
    if args.quick:
        sentences = sentences[:500]

    setup_nltk()
    t0 = time.perf_counter()
    read_lexicon_file(BUILTIN_LEXICON_PATH)
    lexicon_load = time.perf_counter() - t0
    nl = nlpaug_ops()

    groups: list[tuple[str, dict[str, Callable[[list[str]], list[str]]]]] = [
        (
            "synonym replacement (aug_p=0.3)",
            {
                "multiaug": ours_batch(mt.SynonymReplacement(aug_p=0.3, aug_max=10)),
                "multiaug per call": ours_per_call(mt.SynonymReplacement(aug_p=0.3, aug_max=10)),
                **({"nlpaug": nlpaug_run(nl["synonym"])} if nl else {}),
            },
        ),
        (
            "adjacent swap (aug_p=0.3)",
            {
                "multiaug": ours_batch(mt.RandomSwap(aug_p=0.3, aug_max=10, adjacent=True)),
                "multiaug per call": ours_per_call(mt.RandomSwap(aug_p=0.3, aug_max=10, adjacent=True)),
                **({"nlpaug": nlpaug_run(nl["swap"])} if nl else {}),
            },
        ),
        (
            "deletion (aug_p=0.3)",
            {
                "multiaug": ours_batch(mt.RandomDeletion(aug_p=0.3, aug_max=10)),
                "multiaug per call": ours_per_call(mt.RandomDeletion(aug_p=0.3, aug_max=10)),
                **({"nlpaug": nlpaug_run(nl["delete"])} if nl else {}),
            },
        ),
        (
            "EDA synonym replacement (alpha=0.1)",
            {
                "multiaug": ours_batch(mt.SynonymReplacement(aug_p=0.1)),
                "EDA": eda_op("sr", 0.1),
            },
        ),
        (
            "EDA random insertion (alpha=0.1)",
            {"multiaug": ours_batch(mt.RandomInsertion(aug_p=0.1)), "EDA": eda_op("ri", 0.1)},
        ),
        (
            "EDA random swap (alpha=0.1)",
            {"multiaug": ours_batch(mt.RandomSwap(aug_p=0.1)), "EDA": eda_op("rs", 0.1)},
        ),
        (
            "EDA random deletion (p=0.1)",
            {"multiaug": ours_batch(mt.RandomDeletion(aug_p=0.1, aug_min=0)), "EDA": eda_op("rd", 0.1)},
        ),
        (
            "EDA, 4 variants per sentence",
            {
                "multiaug": ours_variants(mt.EDA(num_aug=4)),
                "EDA": lambda ss: [v for s in ss for v in eda(s, num_aug=4)[:-1]],
            },
        ),
    ]

    if args.only:
        groups = [g for g in groups if args.only in g[0]]
    rows = []
    for title, contenders in groups:
        times: dict[str, list[float]] = {name: [] for name in contenders}
        outputs: dict[str, list[str]] = {}
        for name, run in contenders.items():  # warm-up: lexicon load, NLTK caches
            random.seed(0)
            outputs[name] = run(sentences)
        for _ in range(repeats):
            for name, run in contenders.items():
                t = time.process_time()
                run(sentences)
                times[name].append(time.process_time() - t)
        speed = {name: len(sentences) / statistics.median(ts) for name, ts in times.items()}
        qual = {name: quality(sentences, outputs[name]) for name in contenders}
        peer = next((n for n in ("nlpaug", "EDA") if n in speed), None)
        for name in contenders:
            ratio = f"{speed[name] / speed[peer]:.1f}x" if peer and name != peer else ""
            rows.append((title, name, speed[name], ratio, *qual[name]))
            print(
                f"{title:40s} {name:18s} {speed[name]:10.0f} sent/s {ratio:>6s}  punct {qual[name][0]:5.1f}%  "
                f"case {qual[name][1]:5.1f}%",
                flush=True,
            )

    lines = [
        "## Text augmenters (sentences/s, one core)",
        "",
        f"{len(sentences)} English sentences (`benchmarks/data/sentences_en.txt`, {sum(len(s.split()) for s in sentences) / len(sentences):.1f} "
        f"words on average), median CPU time of {repeats} interleaved passes, Python {platform.python_version()}, "
        f"nlpaug {nl['version'] if nl else 'not installed'}, NLTK {nltk.__version__}. "
        "Ratios are against nlpaug where it has the op, else against the EDA re-implementation. "
        f"multiaug's lexicon loads once per process in {lexicon_load:.2f} s (not in the table). "
        "See the docstring of `benchmarks/text_ops.py` for how nlpaug and EDA were run offline.",
        "",
        "| op | library | sentences/s | vs peer | punct kept | case kept |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for title, name, sp, ratio, punct, case in rows:
        lines.append(f"| {title} | {name} | {sp:,.0f} | {ratio} | {punct:.0f}% | {case:.0f}% |")
    lines.append("")
    if not args.only:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
