"""The Chinese user guide (docs/zh/使用指南.md) works exactly as written, in the default language.

Like tests/cli/test_readme.py: after `make demo` in a fresh folder, every line of the guide's ```sh
blocks runs in one bash script with `set -e` (lines starting with `make ` are skipped). The guide's
readers have no GRADECLI_LANG, so it is removed from the commands' environment (tests/conftest.py
sets it to en for the rest of the suite): Chinese, the default, is in force.

``guide_output(folder)`` gives what a reader sees (stdout and stderr of the demo and of every
command), for a test that scans it for English once the messages are all Chinese."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "zh" / "使用指南.md"
EXIT_ECHO = '|| echo "退出码：$?"'  # how the guide shows the exit code of a command meant to fail
# Links the guide may hold before their target lands (docs/json.md comes with issue 14's typed JSON).
NOT_YET: set[str] = set()

needs_venv = pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "activate").exists(),
                                reason="needs the .venv that make creates")


def shell_lines() -> list[str]:
    """Every command line of the guide's ```sh blocks, in order (blank lines and `make …` left out)."""
    text = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    return [ln for b in blocks for ln in b.splitlines() if ln.strip() and not ln.startswith("make ")]


def guide_env() -> dict[str, str]:
    """The reader's environment: no database URL, and no GRADECLI_LANG (so the default, Chinese)."""
    return {k: v for k, v in os.environ.items() if k not in ("GRADECLI_DATABASE_URL", "GRADECLI_LANG")}


_RUNS: dict[Path, tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]] = {}


def run_guide(folder: Path) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """`make demo` (as `gradecli demo --out out`), then the guide's shell lines with `set -e`, in
    ``folder`` with .venv and question_bank linked in; run once per folder. Returns both runs."""
    folder = Path(folder).resolve()
    if folder not in _RUNS:
        folder.mkdir(parents=True, exist_ok=True)
        for name in (".venv", "question_bank"):
            if not (folder / name).exists():
                (folder / name).symlink_to(ROOT / name)
        env = guide_env()
        demo = subprocess.run([sys.executable, "-m", "gradecli", "demo", "--out", "out"], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=600)
        assert demo.returncode == 0, demo.stderr[-3000:]
        script = "set -e\n" + "\n".join(shell_lines()) + "\n"
        tour = subprocess.run(["bash", "-c", script], cwd=folder, env=env, capture_output=True, text=True,
                              timeout=900)
        _RUNS[folder] = (demo, tour)
    return _RUNS[folder]


def guide_output(folder: Path) -> tuple[str, str]:
    """(stdout, stderr) of everything the guide has a reader run: the demo, then each command of its
    ```sh blocks, in the default language."""
    demo, tour = run_guide(folder)
    return demo.stdout + tour.stdout, demo.stderr + tour.stderr


def _untracked() -> set[str] | None:
    """Untracked files of the repository (None when it is not a git checkout)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return None
    r = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=all"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None
    return {ln[3:] for ln in r.stdout.splitlines() if ln.startswith("??")}


@pytest.fixture(scope="module")
def guide_run(tmp_path_factory):
    """The folder the guide ran in, and the repository's untracked files from before the run."""
    before = _untracked()
    folder = tmp_path_factory.mktemp("guide")
    run_guide(folder)
    return folder, before


@needs_venv
def test_guide_commands_run(guide_run):
    folder, _ = guide_run
    _demo, tour_run = run_guide(folder)
    assert tour_run.returncode == 0, tour_run.stdout[-3000:] + tour_run.stderr[-3000:]
    tour = folder / "tour"  # the guide's scratch folder
    for made in ("my-policy.toml", "roster-blank.xlsx", "ratings-blank.xlsx", "grades-blank.xlsx", "bank-blank.xlsx",
                 "gradecli.db", "grades.xlsx", "papers/P3-0001-001.xlsx", "papers/P3-0001-001-key.html",
                 "eligibility.xlsx", "register-2026H2.xlsx", "answers-2026H2.xlsx", "skill-2026H2.xlsx",
                 "results-2026H2.xlsx", "certs.toml", "what-if.xlsx", "arrears.xlsx", "pyramid.xlsx", "cycle.xlsx",
                 "items.xlsx", "allowance-blank.xlsx", "payroll-2026-12.xlsx", "arrears-tour.xlsx",
                 "before-correction.db", "old-policy.toml"):
        assert (tour / made).exists(), made
    assert len(list((tour / "papers-2026H2").glob("*-key.html"))) == 10  # one key per candidate's paper
    assert list((tour / "backups").glob("gradecli-*-allowance-compute-2026-12.db"))
    assert list(tour.glob("gradecli.db.before-restore-*"))
    assert not (tour / "missing").exists()  # the unusable database URL created nothing
    assert (folder / "out" / "index.html").exists() and (folder / "out" / "demo.db").exists()


@needs_venv
def test_guide_runs_in_the_default_language(guide_run):
    folder, _ = guide_run
    _stdout, stderr = guide_output(folder)
    assert "错误：" in stderr  # the guide's failing examples speak Chinese: GRADECLI_LANG=en did not leak in


@needs_venv
def test_failing_examples_exit_as_the_guide_says(guide_run):
    folder, _ = guide_run
    expected = []
    for line in shell_lines():
        if EXIT_ECHO in line:
            m = re.search(r"#.*退出码 (\d)", line)
            assert m, f"say the exit code in the comment: {line}"
            expected.append(int(m.group(1)))
    assert len(expected) >= 10
    stdout, _ = guide_output(folder)
    assert [int(c) for c in re.findall(r"^退出码：(\d+)$", stdout, flags=re.M)] == expected


@needs_venv
def test_guide_leaves_nothing_untracked(guide_run):
    _folder, before = guide_run
    if before is None:
        pytest.skip("not a git checkout")
    assert _untracked() == before


def test_guide_links_resolve_and_readme_links_the_guide():
    text = GUIDE.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#\s]+)\)", text)
    assert "../json.md" in links and "../rules.md" in links and "../architecture.md" in links
    for link in links:
        if link in NOT_YET or re.match(r"[a-z]+://", link):
            continue
        assert (GUIDE.parent / link).exists(), link
    assert "(docs/zh/使用指南.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


@needs_venv
def test_every_command_of_the_guide_speaks_chinese(guide_run):
    from tests.integration.test_demo_language import english_outside_questions

    folder, _ = guide_run
    stdout, stderr = guide_output(folder)
    json_line = re.compile(r'^\s*([\[\]{}]|"[a-z_]+": )')  # --json output: English keys for scripts
    english = [f"{line!r}: {words}" for line in (stdout + stderr).splitlines()
               if not json_line.match(line) and (words := english_outside_questions(line))]
    assert not english, "\n".join(english[:40])
