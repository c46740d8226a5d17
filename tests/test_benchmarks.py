"""The benchmarks' own code runs (CI also runs `python -m benchmarks --quick`); no time is asserted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks import corpus
from benchmarks.run import (
    QUICK,
    Inputs,
    Row,
    Sizes,
    comparison,
    machine_info,
    markdown,
    measure_analysis,
    measure_store,
    plain_table,
    previous_ratios,
)


def test_synthetic_prose_is_deterministic_and_summit_like() -> None:
    text = corpus.prose(3000, seed=5)
    assert text == corpus.prose(3000, seed=5) and text != corpus.prose(3000, seed=6)
    assert len(text.split()) >= 3000
    assert re.match(r"1\. [A-Z]", text)  # numbered paragraphs of sentences
    assert "\n\n2. " in text
    from summit_reader.core.analysis import Analyzer

    analysis = Analyzer().analyse(text)
    density = len(analysis.matches) / analysis.word_count
    assert 0.04 < density < 0.12  # a realistic share of lexicon terms, not word soup
    spans = corpus.annotation_spans(text, 50)
    assert all(0 <= s < e <= len(text) and not text[s].isspace() and not text[e - 1].isspace() for s, e in spans)


def test_quick_measurements_run_on_tiny_inputs(tmp_path: Path) -> None:
    tiny = Sizes(2_000, 1_000, 60, 300, repeat=1, saves=3, scroll_pages=2, label="test")
    inputs = Inputs(tiny, tmp_path)
    rows = measure_analysis(inputs) + measure_store(inputs)
    names = [r.name for r in rows]
    assert any("analysis" in n for n in names) and any("import 60" in n for n in names)
    assert any("annotation panel" in n for n in names)
    for row in rows:
        assert row.verdict in ("met", "MISSED", "reported", "no baseline")
    text = markdown(rows, machine_info(), QUICK, 1.0)
    assert "| measurement |" in text and "## Machine" in text
    assert plain_table(rows)


def test_verdicts() -> None:
    assert Row("a", "b", "≤ 2.0×", 1.0, 1.0, 2.0).verdict == "met"
    assert Row("a", "b", "≤ 2.0×", 3.0, 1.0, 2.0).verdict == "MISSED"
    assert Row("a", "—", "< 0.3 s", 0.1, None, 0.3, absolute=True).verdict == "met"
    assert Row("a", "—", "< 0.3 s", note="not measured").verdict == "reported"


def test_compare_reads_the_written_table_and_marks_what_moved() -> None:
    before = [
        Row("merge <tags>", "executemany", "≤ 2.0×", 1.3, 1.0, 2.0, note="a note"),
        Row("export", "shell", "≤ 2.0×", 1.5, 1.0, 2.0),
        Row("save", "insert", "≤ 2.0×", 1.6, 1.0, 2.0),
        Row("panel", "—", "< 0.3 s", 0.03, None, 0.3, absolute=True),
        Row("dropped", "x", "report", 2.0, 1.0, None),
    ]
    table = markdown(before, machine_info(), QUICK, 1.0)
    assert previous_ratios(table) == {"merge <tags>": 1.3, "export": 1.5, "save": 1.6, "dropped": 2.0}
    now = [
        Row("merge <tags>", "executemany", "≤ 2.0×", 1.6, 1.0, 2.0),  # +23%
        Row("export", "shell", "≤ 2.0×", 1.2, 1.0, 2.0),  # -20%
        Row("save", "insert", "≤ 2.0×", 1.65, 1.0, 2.0),  # +3%: noise
        Row("new one", "x", "report", 1.0, 1.0, None),
    ]
    lines = {line.split("  ")[-1].strip(): line for line in comparison(now, previous_ratios(table)).splitlines()[1:]}
    assert "worse" in lines["merge <tags>"] and "+23%" in lines["merge <tags>"]
    assert "better" in lines["export"]
    assert "worse" not in lines["save"] and "better" not in lines["save"]
    assert "new" in lines["new one"] and "gone" in lines["dropped"]
    assert "dropped" not in comparison(now, previous_ratios(table), partial=True)


def test_compare_refuses_a_file_that_is_not_a_benchmark_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.run import main

    for path, why in ((tmp_path / "missing.md", "cannot read"), (tmp_path / "notes.md", "no table of ratios")):
        if path.name == "notes.md":
            path.write_text("# Notes\n\nNothing measured here.\n", encoding="utf-8")
        with pytest.raises(SystemExit) as stop:
            main(["--quick", "--no-write", "--compare", str(path)])
        assert stop.value.code == 2
        assert why in capsys.readouterr().err
