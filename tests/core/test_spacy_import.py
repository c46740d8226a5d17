"""spaCy imported without its command-line interface (summit_reader.core.spacy_import): the same tokens and
analyses, and the interface still there on first use. Each check runs in a fresh interpreter, since this
one may have imported spaCy already."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

ANALYSE = """
from summit_reader.core.analysis import Analyzer
text = "We will ensure safe AI. The parties shall not deploy risky systems before 21 May 2025; they can't wait."
result = Analyzer().analyse(text)
print(json.dumps({"matches": [[m.start, m.end, m.category, m.term, m.negated] for m in result.matches],
                  "words": result.word_count, "sentences": result.sentence_count}))
"""


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def test_spacy_loads_without_its_command_line_interface_and_finds_it_on_first_use() -> None:
    out = _run(
        """
        import json, sys
        from summit_reader.core.spacy_import import install, is_stand_in
        assert install()
        import spacy
        heavy = [m for m in ("requests", "httpx", "typer", "rich", "weasel", "jinja2") if m in sys.modules]
        tokens = [t.text for t in spacy.blank("en")("We can't stop; AI-related risks, e.g. misuse.")]
        stand_in = is_stand_in(sys.modules["spacy.cli"])
        info = spacy.info()  # the real spacy.cli.info, imported now
        from spacy.cli import download
        import spacy.cli
        print(json.dumps({"heavy": heavy, "tokens": tokens, "stand_in": stand_in,
                          "version": info["spacy_version"] == spacy.__version__, "download": callable(download),
                          "real_after": not is_stand_in(spacy.cli) and sys.modules["spacy.cli"] is spacy.cli}))
        """
    )
    found = json.loads(out)
    assert found["heavy"] == [] and found["stand_in"]
    assert found["tokens"] == ["We", "ca", "n't", "stop", ";", "AI", "-", "related", "risks", ",", "e.g.", "misuse", "."]
    assert found["version"] and found["download"] and found["real_after"]


def test_analyses_are_the_same_with_and_without_spacys_command_line_interface() -> None:
    plain = _run("import json\nimport spacy\n" + ANALYSE)  # spaCy imported first: with its interface
    without_cli = _run("import json\nfrom summit_reader.core.spacy_import import install\ninstall()\n" + ANALYSE)
    assert json.loads(plain)["matches"] and plain == without_cli


def test_install_steps_aside_when_spacys_interface_is_already_imported() -> None:
    out = _run(
        """
        import spacy
        from summit_reader.core.spacy_import import install
        print(install())
        """
    )
    assert out == "False"
