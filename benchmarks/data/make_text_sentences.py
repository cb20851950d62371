"""Generate ``benchmarks/data/sentences_en.txt``: 2,000 varied English sentences for the text benchmarks.

Sentences come from templates over a varied vocabulary (tenses, plurals, names, numbers, contractions, quotes,
questions, exclamations, subordinate clauses, prepositional phrases, ALL CAPS words, the odd URL or emoji), so
that tokenisation, form keeping and case keeping all get exercised. Deterministic: ``python
benchmarks/data/make_text_sentences.py`` rewrites the same file.
"""

from __future__ import annotations

import random
from pathlib import Path

OUT = Path(__file__).resolve().parent / "sentences_en.txt"

SUBJECTS = [
    "The old farmer",
    "My neighbour",
    "Our team",
    "The committee",
    "Scientists",
    "The children",
    "Anna",
    "Tom",
    "Dr. Lee",
    "The company",
    "NASA engineers",
    "A young doctor",
    "The students",
    "Her brother",
    "The mayor",
    "Local artists",
    "The new manager",
    "Two tourists",
    "The quiet librarian",
    "Most customers",
    "The pilot",
    "Several volunteers",
    "The chef",
    "Our teacher",
    "The small bakery",
    "Investors",
    "The museum",
    "My parents",
]
VERBS_PAST = [
    "repaired",
    "painted",
    "visited",
    "bought",
    "sold",
    "cleaned",
    "opened",
    "closed",
    "found",
    "lost",
    "studied",
    "watched",
    "carried",
    "discovered",
    "described",
    "built",
    "wrote",
    "read",
    "planned",
    "organized",
    "finished",
    "started",
    "changed",
    "measured",
    "tested",
    "ordered",
    "delivered",
    "explained",
    "improved",
]
VERBS_BASE = [
    "repair",
    "paint",
    "visit",
    "buy",
    "sell",
    "clean",
    "open",
    "close",
    "find",
    "lose",
    "study",
    "watch",
    "carry",
    "discover",
    "describe",
    "build",
    "write",
    "read",
    "plan",
    "organize",
    "finish",
    "start",
    "change",
    "measure",
    "test",
    "order",
    "deliver",
    "explain",
    "improve",
]
VERBS_PRESENT = [
    "repairs",
    "paints",
    "visits",
    "buys",
    "sells",
    "cleans",
    "opens",
    "closes",
    "finds",
    "studies",
    "watches",
    "carries",
    "describes",
    "builds",
    "writes",
    "reads",
    "plans",
    "organizes",
    "changes",
    "measures",
    "tests",
]
VERBS_ING = [
    "repairing",
    "painting",
    "visiting",
    "buying",
    "cleaning",
    "opening",
    "studying",
    "watching",
    "carrying",
    "building",
    "writing",
    "reading",
    "planning",
    "organizing",
    "testing",
    "explaining",
    "improving",
]
ADJECTIVES = [
    "old",
    "broken",
    "beautiful",
    "large",
    "small",
    "quiet",
    "expensive",
    "cheap",
    "famous",
    "strange",
    "bright",
    "dark",
    "heavy",
    "fresh",
    "wooden",
    "modern",
    "ancient",
    "empty",
    "crowded",
    "narrow",
    "wide",
    "happy",
    "careful",
    "difficult",
    "simple",
    "important",
    "rare",
    "colourful",
    "dirty",
    "warm",
]
NOUNS = [
    "bridge",
    "house",
    "car",
    "garden",
    "report",
    "painting",
    "window",
    "door",
    "book",
    "letter",
    "machine",
    "road",
    "river",
    "market",
    "kitchen",
    "computer",
    "bicycle",
    "picture",
    "table",
    "song",
    "story",
    "problem",
    "plan",
    "building",
    "boat",
    "city",
    "village",
    "school",
    "hospital",
    "library",
    "engine",
    "camera",
    "dog",
    "horse",
    "tree",
    "flower",
    "student",
    "teacher",
    "child",
    "idea",
]
PLURALS = [
    "bridges",
    "houses",
    "cars",
    "gardens",
    "reports",
    "paintings",
    "windows",
    "doors",
    "books",
    "letters",
    "machines",
    "roads",
    "markets",
    "computers",
    "bicycles",
    "pictures",
    "tables",
    "songs",
    "stories",
    "problems",
    "plans",
    "buildings",
    "boats",
    "cities",
    "villages",
    "schools",
    "engines",
    "cameras",
    "dogs",
    "horses",
    "trees",
    "flowers",
    "students",
    "children",
    "ideas",
    "women",
    "men",
    "mice",
    "geese",
]
ADVERBS = [
    "quickly",
    "slowly",
    "carefully",
    "quietly",
    "happily",
    "suddenly",
    "finally",
    "easily",
    "rarely",
    "often",
    "usually",
    "recently",
    "eagerly",
    "badly",
    "gently",
    "loudly",
    "proudly",
    "nervously",
]
PLACES = [
    "in the morning",
    "at the station",
    "on Monday",
    "during the storm",
    "after lunch",
    "before dinner",
    "in the garden",
    "near the river",
    "at the market",
    "in Paris",
    "in 2019",
    "on the weekend",
    "in the old town",
    "at night",
    "during the summer",
    "behind the school",
]
CLAUSES = [
    "because it rained",
    "when the sun came out",
    "if the price is right",
    "although nobody noticed",
    "while the others waited",
    "because the budget was late",
    "when the lights went out",
    "after the meeting ended",
    "before the guests arrived",
    "since the road was closed",
    "unless someone complains",
    "until the storm passed",
]
TIME = ["yesterday", "today", "last week", "this morning", "next year", "every day", "recently", "later"]
NUMBERS = ["3", "12", "42", "1,200", "7.5", "99%", "$5.99", "2,000", "15", "250"]
NAMES = ["Anna", "Tom", "Maria", "Mr. Brown", "Dr. Lee", "Sofia", "James", "Priya", "Kenji", "Ahmed"]


KEEP_CASE = ("Anna", "Tom", "Dr. Lee", "NASA engineers")


def low(subject: str) -> str:
    """A subject inside a sentence: lower-case unless it is a name."""
    return subject if subject.startswith(KEEP_CASE) else subject[0].lower() + subject[1:]


def sentence(rng: random.Random) -> str:
    c = rng.choice
    s, a, n, pl = c(SUBJECTS), c(ADJECTIVES), c(NOUNS), c(PLURALS)
    poss = s + ("'" if s.endswith("s") else "'s")
    kind = rng.randrange(16)
    if kind == 0:
        return f"{s} {c(VERBS_PAST)} the {a} {n} {c(CLAUSES)}."
    if kind == 1:
        return f"{s} {c(VERBS_PRESENT)} {a} {pl} {c(PLACES)}."
    if kind == 2:
        return f"{s} was {c(VERBS_ING)} the {n} {c(ADVERBS)} {c(TIME)}."
    if kind == 3:
        return f"Did {low(s)} really {c(VERBS_BASE)} {c(NUMBERS)} {pl}?"
    if kind == 4:
        return f'{c(NAMES)} said, "I don\'t think the {n} is {a} enough."'
    if kind == 5:
        return f"{c(CLAUSES).capitalize()}, {low(s)} {c(VERBS_PAST)} {c(NUMBERS)} {pl}."
    if kind == 6:
        return f"It's {a}: {low(s)} {c(VERBS_PAST)} the {n} and the {c(NOUNS)}!"
    if kind == 7:
        return f"{s} {c(VERBS_PAST)} {pl} and {c(PLURALS)}, but the {a} {n} wasn't ready {c(TIME)}."
    if kind == 8:
        return f"We'll {c(VERBS_BASE)} the {n} {c(PLACES)}; it can't wait."
    if kind == 9:
        return f"{s} {c(ADVERBS)} {c(VERBS_PAST)} the {a} {pl} (about {c(NUMBERS)} of them) {c(PLACES)}."
    if kind == 10:
        return f"The {n} looked {a} {c(TIME)}, and {c(NAMES)} {c(VERBS_PAST)} it {c(ADVERBS)}."
    if kind == 11:
        return f"WARNING: the {a} {n} is NOT {c(ADJECTIVES)}, so {low(s)} {c(VERBS_PRESENT)} it {c(ADVERBS)}."
    if kind == 12:
        return f"{poss} {a} {n} {c(VERBS_PAST)} {c(NUMBERS)} {pl} {c(CLAUSES)}!"
    if kind == 13:
        return f"How many {a} {pl} has {c(NAMES)} {c(VERBS_PAST)} {c(PLACES)}?"
    if kind == 14:
        extra = rng.choice([" 🙂", " See https://example.org/news for details.", " #update", ""])
        return f"{s} {c(VERBS_PAST)} a {a} {n} for {c(NUMBERS)} dollars {c(TIME)}.{extra}"
    return f"{s} {c(VERBS_PAST)} the {n} {c(ADVERBS)}, {c(VERBS_PAST)} the {c(NOUNS)} {c(PLACES)} and {c(VERBS_PAST)} {c(PLURALS)} {c(CLAUSES)}."


def main() -> None:
    rng = random.Random(2019)
    seen: set[str] = set()
    lines: list[str] = []
    while len(lines) < 2000:
        s = sentence(rng)
        if s not in seen:
            seen.add(s)
            lines.append(s)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} sentences to {OUT}")


if __name__ == "__main__":
    main()
