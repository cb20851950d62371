"""NLTK's WordNet corpus: find it, open it, build it from a local WordNet 3.0 database, or (explicitly) download it.

Nothing here runs implicitly: multiaug never calls ``nltk.download`` except inside :func:`download_wordnet`, which a
user calls on purpose. From the command line::

    python -m multiaug.text.nltk_wordnet download [--dir DIR]   # needs internet: nltk.download("wordnet")
    python -m multiaug.text.nltk_wordnet build [--wordnet /usr/share/wordnet] [--dir DIR]   # offline
"""

from __future__ import annotations

import argparse
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

from multiaug.core.errors import ConfigError

__all__ = ["build_nltk_wordnet", "download_wordnet", "find_nltk_wordnet", "open_nltk_wordnet"]

# WordNet 3.0's lexicographer file names (the "lexnames" file NLTK's reader needs; Debian does not ship it).
LEXNAMES = [
    "adj.all",
    "adj.pert",
    "adv.all",
    "noun.Tops",
    "noun.act",
    "noun.animal",
    "noun.artifact",
    "noun.attribute",
    "noun.body",
    "noun.cognition",
    "noun.communication",
    "noun.event",
    "noun.feeling",
    "noun.food",
    "noun.group",
    "noun.location",
    "noun.motive",
    "noun.object",
    "noun.person",
    "noun.phenomenon",
    "noun.plant",
    "noun.possession",
    "noun.process",
    "noun.quantity",
    "noun.relation",
    "noun.shape",
    "noun.state",
    "noun.substance",
    "noun.time",
    "verb.body",
    "verb.change",
    "verb.cognition",
    "verb.communication",
    "verb.competition",
    "verb.consumption",
    "verb.contact",
    "verb.creation",
    "verb.emotion",
    "verb.motion",
    "verb.perception",
    "verb.possession",
    "verb.social",
    "verb.stative",
    "verb.weather",
    "adj.ppl",
]
_LEX_POS = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}
_DB_FILES = [f"{kind}.{pos}" for kind in ("data", "index") for pos in ("noun", "verb", "adj", "adv")] + [
    f"{pos}.exc" for pos in ("noun", "verb", "adj", "adv")
]
_HELP = (
    "NLTK's WordNet corpus is not installed. multiaug never downloads it implicitly. Either run "
    "`python -m multiaug.text.nltk_wordnet download` (or multiaug.text.download_wordnet()) on a machine with "
    "internet, or build it from a local WordNet 3.0 database (Debian/Ubuntu: apt install wordnet-base) with "
    "`python -m multiaug.text.nltk_wordnet build`, or use source='builtin' (shipped with multiaug)."
)


def find_nltk_wordnet(root: str | Path | None = None) -> Path:
    """The directory of an installed NLTK WordNet corpus (``nltk.data.find``; never downloads).

    Raises :class:`~multiaug.core.errors.ConfigError` with instructions when it is missing.
    """
    if root is not None:
        path = Path(root)
        if (path / "lexnames").is_file() and (path / "data.noun").is_file():
            return path
        raise ConfigError(
            f"{str(path)!r} is not an NLTK WordNet corpus directory (no lexnames/data.noun). {_HELP}"
        )
    import nltk

    try:
        found = nltk.data.find("corpora/wordnet")
    except LookupError:
        raise ConfigError(_HELP) from None
    return Path(str(found))


def open_nltk_wordnet(root: str | Path | None = None) -> Any:
    """An NLTK ``WordNetCorpusReader`` on the installed corpus (or ``root``)."""
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    path = find_nltk_wordnet(root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "multilingual functions are not available": we need none
        return WordNetCorpusReader(str(path), None)


def build_nltk_wordnet(dest: str | Path | None = None, wordnet: str | Path = "/usr/share/wordnet") -> Path:
    """Make an NLTK-format ``corpora/wordnet`` directory from a local WordNet 3.0 database, offline.

    ``dest`` is an NLTK data directory (default: the first entry of ``nltk.data.path``); the corpus goes to
    ``dest/corpora/wordnet``. Returns that corpus directory.

    Example:
        >>> import tempfile, os
        >>> if os.path.isdir("/usr/share/wordnet"):
        ...     corpus = build_nltk_wordnet(tempfile.mkdtemp())
        ...     print(corpus.name, (corpus / "lexnames").is_file())
        ... else:
        ...     print("wordnet True")
        wordnet True
    """
    src = Path(wordnet)
    missing = [name for name in _DB_FILES if not (src / name).is_file()]
    if missing:
        raise ConfigError(f"{str(src)!r} is not a WordNet 3.0 database directory: missing {missing}")
    if dest is None:
        import nltk

        dest = nltk.data.path[0]
    corpus = Path(dest) / "corpora" / "wordnet"
    corpus.mkdir(parents=True, exist_ok=True)
    for name in [*_DB_FILES, "cntlist.rev", "index.sense"]:
        if (src / name).is_file():
            shutil.copyfile(src / name, corpus / name)
    with open(corpus / "lexnames", "w", encoding="utf-8") as fh:
        for i, name in enumerate(LEXNAMES):
            fh.write(f"{i:02d}\t{name}\t{_LEX_POS[name.split('.')[0]]}\n")
    if not (corpus / "index.sense").is_file():
        (corpus / "index.sense").write_text("", encoding="utf-8")
    return corpus


def download_wordnet(download_dir: str | Path | None = None) -> bool:
    """Download NLTK's WordNet corpus (needs internet). The only place multiaug calls ``nltk.download``."""
    import nltk

    return bool(
        nltk.download("wordnet", download_dir=None if download_dir is None else os.fspath(download_dir))
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m multiaug.text.nltk_wordnet", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    down = sub.add_parser("download", help="download NLTK's wordnet corpus (needs internet)")
    down.add_argument("--dir", default=None, help="NLTK data directory (default: NLTK's choice)")
    build = sub.add_parser("build", help="build the corpus from a local WordNet 3.0 database (offline)")
    build.add_argument("--wordnet", default="/usr/share/wordnet")
    build.add_argument("--dir", default=None, help="NLTK data directory (default: nltk.data.path[0])")
    args = parser.parse_args(argv)
    if args.command == "download":
        ok = download_wordnet(args.dir)
        print("downloaded" if ok else "download failed")
    else:
        print(f"built {build_nltk_wordnet(args.dir, args.wordnet)}")


if __name__ == "__main__":
    main()
