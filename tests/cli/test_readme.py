"""The README's commands work exactly as written (after `make demo`, in a fresh folder)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_demo_language import english_outside_questions

ROOT = Path(__file__).resolve().parents[2]


def shell_blocks() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    lines = [ln for b in blocks for ln in b.splitlines() if ln.strip() and not ln.startswith("make ")]
    return "\n".join(lines) + "\n"


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "activate").exists(), reason="needs the .venv that make creates")
def test_readme_commands_run(tmp_path):
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / "question_bank").symlink_to(ROOT / "question_bank")
    # a reader's environment: no database URL and no GRADECLI_LANG (the suite's English), so Chinese
    env = {k: v for k, v in os.environ.items() if k not in ("GRADECLI_DATABASE_URL", "GRADECLI_LANG")}
    demo = subprocess.run([sys.executable, "-m", "gradecli", "demo", "--out", "out"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert demo.returncode == 0, demo.stderr
    script = "set -e\n" + shell_blocks()
    r = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    tour = tmp_path / "tour"  # the tour works in its scratch folder
    for made in ("my-policy.toml", "roster-blank.xlsx", "grades.xlsx", "eligibility.xlsx", "answers-2026H2.xlsx",
                 "pyramid.xlsx", "payroll-2026-12.xlsx", "arrears-tour.xlsx", "what-if.xlsx", "before-correction.db",
                 "register-2026H2.xlsx", "skill-2026H2.xlsx", "allowance-blank.xlsx"):
        assert (tour / made).exists(), made
    assert list((tour / "backups").glob("gradecli-*-allowance-compute-2026-12.db"))
    assert list(tour.glob("gradecli.db.before-restore-*"))
    assert "没有变化" in r.stdout  # the roster imported twice
    # every command of the tour speaks Chinese, on stdout and stderr
    json_line = re.compile(r'^\s*([\[\]{}]|"[a-z_]+": )')  # --json output: English keys for scripts
    english = [f"{line!r}: {words}" for line in without_question_text(r.stdout + r.stderr + demo.stdout + demo.stderr)
               if not json_line.match(line) and (words := english_outside_questions(line))]
    assert not english, "\n".join(english[:40])


def without_question_text(output: str) -> list[str]:
    """The output's lines, the question texts that `paper show` lists taken out of its table: they
    are the bank's data (VHF, AIS, Fl(2) 5s, …), not the tool's words. The table starts below the
    paper's title line and ends at its bottom border; its last column holds the question."""
    lines, in_paper = [], False
    for line in output.splitlines():
        if re.match(r"^\s*试卷 P\d-\d{4}-\w+：", line):
            in_paper = True
        elif in_paper and line.startswith("└"):
            in_paper = False
        elif in_paper and line.startswith("│"):
            line = line.rstrip().rstrip("│").rsplit("│", 1)[0] + "│"
        lines.append(line)
    return lines
