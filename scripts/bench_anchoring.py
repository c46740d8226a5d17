"""Time re-anchoring on a synthetic 100,000-word text with 200 annotations (no assertions; prints timings).

    .venv/bin/python scripts/bench_anchoring.py [--words 100000] [--annotations 200] [--edits 60] [--seed 1]

The text is invented (random sentences from a small policy vocabulary), then edited: sentences inserted
and deleted, words corrected, a few paragraphs rewritten.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter

from summit_reader.core.anchoring import reanchor_all
from summit_reader.core.models import Annotation

SUBJECTS = ["The participating governments", "Developers of frontier models", "Safety institutes", "The signatories",
            "National regulators", "The secretariat", "Independent evaluators", "Member states", "Civil society groups"]
VERBS = ["commit to", "will support", "recognise the need to", "should", "agree to", "will consider how to",
         "encourage partners to", "must", "intend to"]
ACTIONS = ["publish evaluation results", "share information on incidents", "fund research on alignment",
           "strengthen cooperation on testing", "report on compute thresholds", "protect fundamental rights",
           "assess risks before deployment", "build capacity in developing countries", "support open science",
           "review progress every year", "monitor energy use of data centres", "promote inclusive growth"]
TAILS = ["", " in line with international law", " where appropriate", " before the next summit",
         " with the support of industry", " in a transparent manner", " across borders"]


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(ACTIONS)}{rng.choice(TAILS)} (item {rng.randrange(10_000)})."


def make_text(rng: random.Random, words: int) -> str:
    paragraphs, count = [], 0
    while count < words:
        para = " ".join(sentence(rng) for _ in range(rng.randint(3, 7)))
        paragraphs.append(para)
        count += len(para.split())
    return "\n\n".join(paragraphs)


def edit(rng: random.Random, text: str, edits: int) -> str:
    for _ in range(edits):
        kind = rng.choice(["insert", "delete", "typo", "rewrite"])
        pos = rng.randrange(len(text))
        if kind == "insert":
            cut = text.find(". ", pos) + 2 or pos
            text = text[:cut] + sentence(rng) + " " + text[cut:]
        elif kind == "delete":
            a = text.find(". ", pos) + 2
            b = text.find(". ", a) + 2
            if 1 < a < b:
                text = text[:a] + text[b:]
        elif kind == "typo":
            text = text[:pos] + text[pos + 1 :]
        else:
            a = text.find("\n\n", pos)
            b = text.find("\n\n", a + 2)
            if 0 <= a < b:
                text = text[: a + 2] + " ".join(sentence(rng) for _ in range(4)) + text[b:]
    return text


def make_annotations(rng: random.Random, text: str, count: int) -> list[Annotation]:
    starts = [i + 1 for i, ch in enumerate(text) if ch == " "]
    result = []
    for i in range(count):
        start = rng.choice(starts)
        end = start
        for _ in range(rng.choice([1, 1, 3, 5, 8, 12, 20])):
            nxt = text.find(" ", end + 1)
            end = nxt if nxt > 0 else end
        if end <= start:
            end = start + 1
        result.append(
            Annotation(f"a{i}", 1, start, end, text[start:end], text[max(0, start - 32) : start], text[end : end + 32],
                       "", "", "", "")
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--annotations", type=int, default=200)
    parser.add_argument("--edits", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    old = make_text(rng, args.words)
    new = edit(rng, old, args.edits)
    annotations = make_annotations(rng, old, args.annotations)
    began = time.perf_counter()
    placements = reanchor_all(old, new, annotations)
    elapsed = time.perf_counter() - began
    print(f"{len(old.split()):,} words ({len(old):,} characters), {args.edits} edits, {len(annotations)} annotations")
    print(f"re-anchored in {elapsed:.3f} s: {dict(Counter(p.status for p in placements))}")


if __name__ == "__main__":
    main()
