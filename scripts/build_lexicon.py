"""Build multiaug's compact synonym lexicon from the WordNet 3.0 database files.

The output ``multiaug/text/resources/wordnet_lexicon.tsv.gz`` is a gzip-compressed, tab-separated text file with
three kinds of records (first column):

``S  pos  lemma|lemma|...``
    A synonym set (only sets with at least two distinct lemmas: a set of one gives no synonym). The records are
    numbered from 0 in file order; that number is the set's id. ``pos`` is ``n``, ``v``, ``a`` (adjective, satellites
    included) or ``r`` (adverb). Lemmas keep WordNet's case; multi-word lemmas use spaces.
``W  word  pos  tagcount  ids  flags``
    A lower-case lemma with this part of speech: its semantic-concordance tag count (how often this reading was seen
    in tagged text, used to guess the part of speech when no tagger is available), the ids of its synonym sets in
    WordNet's sense order (most frequent sense first, comma-separated, base 36), and flags (``P``: the lemma only
    occurs capitalised or in capitals in WordNet, i.e. a proper noun; ``C``: it occurs both capitalised and in
    lower case, so it may be a name: "Mark", "Grace"; ``A``: besides lower case it occurs only in capitals, as an
    acronym: "cat" and "CAT", so a capital letter on it says nothing about a name).
``E  pos  form  lemma``
    An irregular form from WordNet's exception lists (``noun.exc``, ``verb.exc``, ``adj.exc``, ``adv.exc``).

Usage::

    python scripts/build_lexicon.py [--wordnet /usr/share/wordnet] [--out multiaug/text/resources]

Needs only the Python standard library and the WordNet 3.0 database (Debian/Ubuntu: ``apt install wordnet-base``).
"""

from __future__ import annotations

import argparse
import gzip
import io
import re
from pathlib import Path

POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
_MARKER = re.compile(r"\((?:a|p|ip)\)$")

LICENSE_TEXT = """\
The synonym lexicon in this directory (wordnet_lexicon.tsv.gz) is derived from WordNet 3.0 by
scripts/build_lexicon.py. WordNet is distributed under the following licence:

WordNet Release 3.0

This software and database is being provided to you, the LICENSEE, by
Princeton University under the following license.  By obtaining, using
and/or copying this software and database, you agree that you have
read, understood, and will comply with these terms and conditions.:

Permission to use, copy, modify and distribute this software and
database and its documentation for any purpose and without fee or
royalty is hereby granted, provided that you agree to comply with
the following copyright notice and statements, including the disclaimer,
and that the same appear on ALL copies of the software, database and
documentation, including modifications that you make for internal
use or for distribution.

WordNet 3.0 Copyright 2006 by Princeton University.  All rights reserved.

THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON
UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES, EXPRESS OR
IMPLIED.  BY WAY OF EXAMPLE, BUT NOT LIMITATION, PRINCETON
UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES OF MERCHANT-
ABILITY OR FITNESS FOR ANY PARTICULAR PURPOSE OR THAT THE USE
OF THE LICENSED SOFTWARE, DATABASE OR DOCUMENTATION WILL NOT
INFRINGE ANY THIRD PARTY PATENTS, COPYRIGHTS, TRADEMARKS OR
OTHER RIGHTS.

The name of Princeton University or Princeton may not be used in
advertising or publicity pertaining to distribution of the software
and/or database.  Title to copyright in this software, database and
any associated documentation shall at all times remain with
Princeton University and LICENSEE agrees to preserve same.
"""


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def name_flags(lower: bool, name: bool, caps: bool) -> str:
    """The name flag of a lemma from how WordNet spells it: in lower case, capitalised, in capitals."""
    if not lower:
        return "P"
    return "C" if name else "A" if caps else ""


def read_synsets(wordnet: Path) -> dict[tuple[str, int], tuple[str, list[str]]]:
    """Map (pos, byte offset) -> (pos, lemmas with case, spaces, markers removed, duplicates removed)."""
    synsets: dict[tuple[str, int], tuple[str, list[str]]] = {}
    for pos, name in POS_FILES.items():
        with open(wordnet / f"data.{name}", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(" "):
                    continue
                fields = line.split(" ")
                offset, count = int(fields[0]), int(fields[3], 16)
                lemmas: list[str] = []
                seen: set[str] = set()
                for k in range(count):
                    lemma = _MARKER.sub("", fields[4 + 2 * k]).replace("_", " ")
                    if lemma.lower() not in seen:
                        seen.add(lemma.lower())
                        lemmas.append(lemma)
                synsets[(pos, offset)] = (pos, lemmas)
    return synsets


def read_index(wordnet: Path) -> list[tuple[str, str, int, list[int]]]:
    """(lemma, pos, tag count, synset offsets in sense order) for every index entry."""
    entries = []
    for pos, name in POS_FILES.items():
        with open(wordnet / f"index.{name}", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(" "):
                    continue
                f = line.split()
                lemma, synset_cnt, p_cnt = f[0].replace("_", " "), int(f[2]), int(f[3])
                tagcount = int(f[5 + p_cnt])
                offsets = [int(x) for x in f[6 + p_cnt : 6 + p_cnt + synset_cnt]]
                entries.append((lemma, pos, tagcount, offsets))
    return entries


def read_exceptions(wordnet: Path) -> list[tuple[str, str, str]]:
    out = []
    for pos, name in POS_FILES.items():
        with open(wordnet / f"{name}.exc", encoding="utf-8") as fh:
            for line in fh:
                f = line.split()
                if len(f) >= 2 and f[0] != f[1]:
                    for lemma in f[1:]:
                        out.append((pos, f[0].replace("_", " "), lemma.replace("_", " ")))
    return out


def build(wordnet: Path) -> tuple[bytes, dict[str, int]]:
    synsets = read_synsets(wordnet)
    index = read_index(wordnet)
    kept: dict[tuple[str, int], int] = {}
    lines: list[str] = []
    for key, (pos, lemmas) in synsets.items():
        if len(lemmas) >= 2:
            kept[key] = len(lines)
            lines.append(f"S\t{pos}\t{'|'.join(lemmas)}")
    lower_seen: set[str] = set()  # lemmas spelled in lower case somewhere
    name_seen: set[str] = set()  # lemmas spelled capitalised somewhere (names, places: "Mark", "Paris")
    caps_seen: set[str] = set()  # lemmas spelled in capitals somewhere (acronyms: "CAT", "US")
    for _pos, lemmas in synsets.values():
        for lemma in lemmas:
            low = lemma.lower()
            (lower_seen if lemma == low else caps_seen if lemma.isupper() else name_seen).add(low)
    n_words = 0
    for lemma, pos, tagcount, offsets in index:
        ids = [kept[(pos, off)] for off in offsets if (pos, off) in kept]
        if not ids and tagcount == 0:
            continue
        flags = name_flags(lemma in lower_seen, lemma in name_seen, lemma in caps_seen)
        lines.append(f"W\t{lemma}\t{pos}\t{tagcount}\t{','.join(_base36(i) for i in ids)}\t{flags}")
        n_words += 1
    exceptions = read_exceptions(wordnet)
    lines.extend(f"E\t{pos}\t{form}\t{lemma}" for pos, form, lemma in exceptions)
    text = (
        "# multiaug synonym lexicon v1, derived from WordNet 3.0 (see LICENSE.wordnet)\n"
        + "\n".join(lines)
        + "\n"
    )
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    stats = {"synsets": len(kept), "words": n_words, "exceptions": len(exceptions)}
    return buf.getvalue(), stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "multiaug/text/resources"
    )
    args = parser.parse_args()
    data, stats = build(args.wordnet)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "wordnet_lexicon.tsv.gz").write_bytes(data)
    (args.out / "LICENSE.wordnet").write_text(LICENSE_TEXT, encoding="utf-8")
    print(f"wrote {args.out / 'wordnet_lexicon.tsv.gz'}: {len(data) / 1e6:.2f} MB, {stats}")


if __name__ == "__main__":
    main()
