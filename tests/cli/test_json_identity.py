"""--json is the same in every language: a script that reads it in Chinese reads the same keys,
types and values in English. Only the display texts differ: `text` (of a message's
{code, params, text}), `title`, `summary` and `notes`."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from gradecli.cli.app import app
from tests.lang import cli_words, english_words

NAMES = cli_words(app)  # a text may name the command to run next (gradecli allowance arrears)

ROOT = Path(__file__).resolve().parents[2]
DISPLAY_KEYS = {"text", "title", "summary", "notes"}

# read-only commands over the demo database (every kind of listing and result)
COMMANDS = [
    ["staff", "list", "--family", "航标"], ["staff", "show", "H0025"], ["grade", "history", "H0025"],
    ["grade", "as-of", "2026-12-31"], ["ladder", "show"], ["ladder", "standards", "--family", "航标"],
    ["cycle", "list"], ["cycle", "show", "2026"], ["cycle", "eligibility", "2026"], ["cycle", "results", "2026"],
    ["cycle", "results", "2026H2"], ["cycle", "show", "F2025"], ["allowance", "show", "--on", "2027-01-01"],
    ["allowance", "compute", "--month", "2027-01"], ["allowance", "arrears", "--from", "2026-12", "--to", "2027-02"],
    ["audit", "verify"], ["audit", "cycle", "2026"], ["bank", "stats", "--tier", "3"], ["bank", "check", "--tier", "2"],
    ["report", "pyramid"], ["report", "cycle", "2026"], ["report", "items", "2026H2"], ["policy", "show"],
    ["db", "current"], ["first-evaluation", "--as-of", "2027-01-01"],
]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    where = tmp_path_factory.mktemp("json")
    env = {k: v for k, v in os.environ.items() if k != "GRADECLI_DATABASE_URL"}
    r = subprocess.run([sys.executable, "-m", "gradecli", "demo", "--out", str(where / "out")], cwd=where, env=env,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return f"sqlite:///{where / 'out' / 'demo.db'}"


def run_json(db: str, lang: str, args: list[str]) -> tuple[int, object]:
    env = {k: v for k, v in os.environ.items() if k not in ("GRADECLI_LANG", "GRADECLI_DATABASE_URL")}
    r = subprocess.run([sys.executable, "-m", "gradecli", "--db", db, "--lang", lang, "--json", *args],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode in (0, 1), r.stderr[-2000:]
    return r.returncode, json.loads(r.stdout)


def _is_message(value: dict) -> bool:
    return {"code", "params", "text"} <= set(value)


def without_display(value: object, top: bool = True) -> object:
    """The JSON without its display texts: a message's `text` anywhere; `title`, `summary` and
    `notes` of the result itself (a row's `title` is an employee's 职称, which is data)."""
    if isinstance(value, dict):
        drop = {"text"} if _is_message(value) else set()
        if top:
            drop |= DISPLAY_KEYS - {"text"}
        return {k: without_display(v, False) for k, v in value.items() if k not in drop}
    if isinstance(value, list):
        return [without_display(v, False) for v in value]
    return value


def texts(value: object, top: bool = True) -> list[str]:
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if (k == "text" and _is_message(value)) or (top and k in DISPLAY_KEYS):
                out += [v] if isinstance(v, str) else [t for t in v if isinstance(t, str)] if isinstance(v, list) else []
            else:
                out += texts(v, False)
    elif isinstance(value, list):
        out = [t for v in value for t in texts(v, False)]
    return out


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_json_is_the_same_in_chinese_and_english(demo_db, args):
    zh_code, zh = run_json(demo_db, "zh", args)
    en_code, en = run_json(demo_db, "en", args)
    assert zh_code == en_code
    assert without_display(zh) == without_display(en)
    # the display texts are there, each in its language: the Chinese has no English sentence left
    assert texts(zh) != texts(en)
    english = [t for t in texts(zh) if english_words(t, NAMES)]
    assert not english, english[:5]


DOC = ROOT / "docs" / "json.md"
EXAMPLE = re.compile(r"```sh\ngradecli --json (.+?)\n```\s*```json\n(.*?)\n```", re.S)


def _kind(v: object) -> str:
    return {bool: "boolean", int: "number", float: "number", str: "string", type(None): "null",
            dict: "object", list: "array"}[type(v)]


def shape_problems(example: object, actual: object, path: str = "$") -> list[str]:
    """Where an example's shape differs from the command's: keys at every level, the first
    element of lists, and the type of every value (null matches anything: absent, or not set)."""
    if example is None or actual is None:
        return []
    if _kind(example) != _kind(actual):
        return [f"{path}: {_kind(example)} in the example, {_kind(actual)} printed"]
    if isinstance(example, dict):
        if {"code", "params", "text"} <= set(example):  # a message: its parameters depend on its code
            return []
        out = [f"{path}: keys {sorted(set(example) ^ set(actual))} differ"] if set(example) != set(actual) else []
        return out + [p for k in set(example) & set(actual) for p in shape_problems(example[k], actual[k], f"{path}.{k}")]
    if isinstance(example, list) and example and actual:
        return shape_problems(example[0], actual[0], f"{path}[0]")
    return []


def test_docs_json_md_examples_have_the_shape_the_commands_print(demo_db):
    examples = EXAMPLE.findall(DOC.read_text(encoding="utf-8"))
    assert len(examples) >= 20
    documented = set()
    for command, body in examples:
        args = shlex.split(command)
        documented.add(tuple(args[:2]))
        _, printed = run_json(demo_db, "en", args)
        problems = shape_problems(json.loads(body), printed)
        assert not problems, f"docs/json.md, gradecli --json {command}: {problems[:5]}"
    assert {tuple(a[:2]) for a in COMMANDS} <= documented
