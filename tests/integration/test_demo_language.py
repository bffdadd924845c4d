"""Everything `make demo` writes speaks Chinese by default: notices, eligibility and results sheets,
papers and answer keys, reports (sheets, headers, chart titles), the payroll and index.html. The
only English allowed is codes (tests/lang.py) and the English half of a bilingual import header
(`工号 / Employee No.`), which offices exchange."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gradecli.cli.app import app
from tests.lang import cli_words, english_words

ROOT = Path(__file__).resolve().parents[2]
BILINGUAL = re.compile(r"^([^A-Za-z]*[\u4e00-\u9fff][^A-Za-z]*) / [A-Za-z][A-Za-z .'()/-]*$")  # 工号 / Employee No.
# Function words are never allowed: a sentence with them is an untranslated sentence.
STOP = {"the", "of", "and", "to", "in", "on", "for", "not", "but", "one", "over", "then", "why", "will", "is", "this",
        "a", "an", "or", "by", "at", "as", "be", "it", "with", "from", "that", "are", "was", "no", "yes", "all"}


def _bank_texts() -> list[str]:
    """The shipped questions' own text (maritime English: MAYDAY, SafetyCast, kHz, …): a paper and
    its answer key quote them as they are."""
    import yaml

    texts: list[str] = []
    for f in (ROOT / "question_bank").rglob("*.yaml"):
        for q in (yaml.safe_load(f.read_text(encoding="utf-8")) or {}).get("questions", []):
            for p in [q.get("stem"), q.get("answer"), q.get("explanation"), *(q.get("options") or [])]:
                if isinstance(p, list):
                    texts += [str(x) for x in p]
                elif isinstance(p, str):
                    texts.append(p)
    return [t for t in texts if re.search(r"[A-Za-z]{2,}", t)]


BANK_TEXTS = _bank_texts()
ALLOW = {w for t in BANK_TEXTS for w in re.findall(r"[A-Za-z]{2,}", t) if w.lower() not in STOP}
ALLOW |= cli_words(app)  # a step may name the command to run next (import-answers)


def english_outside_questions(text: str) -> list[str]:
    words = english_words(text, ALLOW)
    if words and any(w.lower() in STOP for w in words):  # a question's own sentence quoted whole is data
        for t in BANK_TEXTS:
            if len(t) >= 8 and t in text:
                text = text.replace(t, " ")
        words = english_words(text, ALLOW)
    return words
ANSWER_COLUMN = re.compile(r"^题\d+")  # a candidate's answers in an answer sheet are their data


def _strip_bilingual(text: str) -> str:
    m = BILINGUAL.match(text.strip())
    return m.group(1) if m else text


def xlsx_texts(path: Path):
    wb = load_workbook(path)
    for ws in wb.worksheets:
        yield f"{path.name}: sheet name", ws.title
        answers = {c.column for c in next(ws.iter_rows(max_row=1), ()) if isinstance(c.value, str)
                   and ANSWER_COLUMN.match(c.value)}
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.row > 1 and c.column in answers:
                    continue
                if isinstance(c.value, str):
                    yield f"{path.name}: {ws.title}!{c.coordinate}", _strip_bilingual(c.value)
                if c.comment is not None:
                    yield f"{path.name}: {ws.title}!{c.coordinate} comment", c.comment.text
        for chart in getattr(ws, "_charts", []):
            for label, text in _chart_texts(chart):
                yield f"{path.name}: {ws.title} chart {label}", text
        for dv in getattr(ws.data_validations, "dataValidation", []):
            for attr in ("prompt", "error", "promptTitle", "errorTitle"):
                if getattr(dv, attr, None):
                    yield f"{path.name}: {ws.title} validation {attr}", getattr(dv, attr)


def _chart_texts(chart):
    def rich(t):
        if t is None or t.tx is None or t.tx.rich is None:
            return ""
        return "".join(r.t or "" for p in t.tx.rich.p for r in (p.r or []))

    yield "title", rich(chart.title)
    for axis in ("x_axis", "y_axis"):
        ax = getattr(chart, axis, None)
        if ax is not None:
            yield axis, rich(ax.title)


def html_texts(path: Path):
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S | re.I)
    for attr in re.findall(r'\b(?:title|alt|aria-label|placeholder)="([^"]*)"', raw):
        yield f"{path.name}: attribute", html.unescape(attr)
    text = re.sub(r"<[^>]+>", "\n", raw)
    for line in html.unescape(text).splitlines():
        if line.strip():
            yield f"{path.name}", _strip_bilingual(line)


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if k not in ("GRADECLI_LANG", "GRADECLI_DATABASE_URL")}
    r = subprocess.run([sys.executable, "-m", "gradecli", "demo", "--out", str(where / "out")], cwd=where, env=env,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    (where / "stdout.txt").write_text(r.stdout, encoding="utf-8")
    (where / "stderr.txt").write_text(r.stderr, encoding="utf-8")
    return where / "out"


def _english(texts) -> list[str]:
    found = []
    for where, text in texts:
        words = english_outside_questions(text)
        if words:
            found.append(f"{where}: {' '.join(words[:8])}  ← {text[:120]!r}")
    return found


def test_every_file_the_demo_writes_is_chinese(demo_out: Path):
    files = sorted(p for p in demo_out.rglob("*") if p.suffix in (".xlsx", ".html"))
    assert len(files) > 20 and (demo_out / "index.html") in files
    found = []
    for f in files:
        found += _english(xlsx_texts(f) if f.suffix == ".xlsx" else html_texts(f))
    assert not found, f"{len(found)} texts with English words:\n" + "\n".join(found[:60])


def test_the_demo_speaks_chinese_on_the_terminal(demo_out: Path):
    found = _english((name, line) for name in ("stdout.txt", "stderr.txt")
                     for line in (demo_out.parent / name).read_text(encoding="utf-8").splitlines())
    assert not found, "\n".join(found[:40])
