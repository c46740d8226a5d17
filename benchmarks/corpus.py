"""Deterministic synthetic inputs for the benchmarks: summit-like prose, documents, annotations.

The prose is built by this project from templates and word lists (no real declaration text): numbered
paragraphs of sentences with a subject, an operative verb or a modal, an object phrase and a qualifier,
so that about 5-10 % of tokens are lexicon terms, as in the real summit texts. Everything is seeded: the
same arguments give the same text on every machine.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

# ---- word lists (written for these benchmarks) -------------------------------------------------------
_SUBJECTS = (
    "We", "The participants", "Governments", "Developers of advanced systems", "Member states",
    "International partners", "All actors", "Civil society organisations", "The private sector",
    "Research institutes", "Public authorities", "The parties to this statement", "Regional bodies",
    "National agencies", "Our ministers", "Academic institutions",
)
_OPERATIVE = (
    "note", "recognise", "acknowledge", "welcome", "encourage", "support", "affirm", "reaffirm",
    "endorse", "commit to", "resolve to", "take note of", "call on partners to", "urge all actors to",
)
_MODALS = ("may", "might", "can", "could", "should", "will", "shall", "must", "ought to")
_VERBS = (
    "consider", "develop", "promote", "strengthen", "share", "review", "build", "advance", "pursue",
    "examine", "deepen", "improve", "coordinate", "foster", "protect", "expand", "assess", "maintain",
    "establish", "clarify", "address", "prepare", "publish", "measure",
)
# plain nouns and adjectives: most of each sentence, as in real texts
_NOUNS = (
    "approach", "dialogue", "process", "capacity", "practice", "principle", "initiative", "network",
    "community", "research", "evaluation", "system", "model", "tool", "method", "understanding",
    "commitment", "resource", "agenda", "programme", "mechanism", "capability", "infrastructure", "data",
    "science", "technology", "application", "deployment", "expertise", "evidence", "report", "roadmap",
    "guidance", "measure", "exchange", "meeting", "summit", "declaration", "effort", "outcome",
    "question", "discussion", "region", "sector", "society", "economy", "institution", "organisation",
    "partner", "country", "citizen", "people", "government", "industry", "company", "laboratory",
)
_ADJECTIVES = (
    "advanced", "general-purpose", "frontier", "shared", "common", "international", "national",
    "scientific", "technical", "practical", "effective", "appropriate", "coherent", "human-centric",
    "responsible", "consistent", "proportionate", "global", "regional", "existing", "new", "further",
    "relevant", "complementary", "broad", "specific", "emerging", "robust", "meaningful", "clear",
)
# lexicon terms (several categories), used sparingly
_TERMS = (
    "safety", "security", "risks", "harm", "trust", "innovation", "growth", "governance", "oversight",
    "transparency", "inclusion", "diversity", "sovereignty", "cooperation", "partnership", "workers",
    "skills", "energy", "sustainability", "climate", "opportunities", "investment", "accountability",
    "standards", "frameworks", "the public good", "developing countries", "the digital divide",
    "market concentration", "open source", "the future of work", "stakeholders", "threats", "misuse",
    "reliability", "policy", "the rule of law", "future generations",
)
_QUALIFIERS = (
    "in the coming years", "across borders", "in line with national law", "where appropriate",
    "for the benefit of all people", "through existing fora", "before the next meeting",
    "with due regard to local context", "as a matter of priority", "on a voluntary basis",
    "in every region", "at all stages of the life cycle", "within our respective mandates",
    "in close consultation with experts", "without delay", "over the long run",
)
_CONNECTORS = ("and", "while", "so that", "because", "as", "where", "although")


_UNCOUNTABLE = frozenset({"data", "research", "evidence", "guidance", "expertise", "infrastructure", "science", "people", "industry", "technology", "understanding"})


def _plural(noun: str) -> str:
    if noun in _UNCOUNTABLE:
        return noun
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


class ProseGenerator:
    """Seeded sentences and paragraphs of summit-like prose."""

    def __init__(self, seed: int = 2023) -> None:
        self.rng = random.Random(seed)

    def _noun_phrase(self) -> str:
        r = self.rng
        choice = r.random()
        if choice < 0.19:
            return r.choice(_TERMS)
        words = []
        if r.random() < 0.55:
            words.append(r.choice(("the", "a", "our", "this", "such", "their", "each")))
        if r.random() < 0.6:
            words.append(r.choice(_ADJECTIVES))
        words.append(r.choice(_NOUNS))
        if r.random() < 0.4:
            noun = r.choice(_NOUNS)
            words += ["of", r.choice(("the", "our", "all")), _plural(noun) if r.random() < 0.5 else noun]
        return " ".join(words)

    def _object(self) -> str:
        r = self.rng
        phrase = self._noun_phrase()
        if r.random() < 0.35:
            phrase += f" and {self._noun_phrase()}"
        if r.random() < 0.45:
            phrase += f" {r.choice(('for', 'in', 'on', 'with', 'to'))} {self._noun_phrase()}"
        return phrase

    def sentence(self) -> str:
        r = self.rng
        subject = r.choice(_SUBJECTS)
        kind = r.random()
        if kind < 0.28:
            verb = r.choice(_OPERATIVE)
            body = f"{subject} {verb} {self._object()}"
        elif kind < 0.55:
            modal = r.choice(_MODALS)
            negation = " not" if r.random() < 0.08 else ""
            body = f"{subject} {modal}{negation} {r.choice(_VERBS)} {self._object()}"
        elif kind < 0.75:
            body = f"{subject} {r.choice(_VERBS)} {self._object()}"
        else:
            body = f"{self._noun_phrase().capitalize()} {r.choice(('is', 'remains', 'has become', 'requires'))} {self._object()}"
        if r.random() < 0.5:
            body += f" {r.choice(_QUALIFIERS)}"
        if r.random() < 0.3:
            body += f", {r.choice(_CONNECTORS)} {self._noun_phrase()} {r.choice(_MODALS)} {r.choice(_VERBS)} {self._object()}"
        body = body[0].upper() + body[1:]
        return body + "."

    def paragraph(self, number: int) -> str:
        r = self.rng
        sentences = [self.sentence() for _ in range(r.randint(2, 6))]
        return f"{number}. " + " ".join(sentences)

    def paragraphs(self) -> Iterator[str]:
        number = 1
        while True:
            yield self.paragraph(number)
            number += 1


def prose(words: int, seed: int = 2023, title: str | None = None) -> str:
    """About ``words`` words (whole paragraphs, at least ``words``) of prose, paragraphs separated by a
    blank line; a heading first if ``title`` is given. Already normalised text."""
    out: list[str] = [title] if title else []
    count = len(title.split()) if title else 0
    for paragraph in ProseGenerator(seed).paragraphs():
        out.append(paragraph)
        count += len(paragraph.split())
        if count >= words:
            break
    return "\n\n".join(out)


def documents(count: int, words_each: int, seed: int = 1) -> list[tuple[str, str, str]]:
    """``count`` (title, date, text) triples of ``words_each`` words, each with its own seed."""
    result = []
    for i in range(count):
        year = 2023 + i % 3
        title = f"Synthetic Summit Statement {i + 1} ({year})"
        date = f"{year}-{(i % 12) + 1:02d}-{(i % 27) + 1:02d}"
        result.append((title, date, prose(words_each, seed=seed * 1000 + i, title=title)))
    return result


def annotation_spans(text: str, count: int, seed: int = 7) -> list[tuple[int, int]]:
    """``count`` (start, end) passages of ``text``: runs of 1-12 whole words, not starting or ending with
    white space (the same span may occur twice, as when two colleagues annotate one passage)."""
    import re

    starts = [m.start() for m in re.finditer(r"\S+", text)]
    ends = [m.end() for m in re.finditer(r"\S+", text)]
    rng = random.Random(seed)
    spans = []
    n = len(starts)
    for _ in range(count):
        i = rng.randrange(n)
        j = min(n - 1, i + rng.randint(0, 11))
        spans.append((starts[i], ends[j]))
    return spans
