"""The command line speaks Chinese by default and English on request (--lang en, GRADECLI_LANG or
the policy file): help, usage errors and Typer's own words included."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gradecli.cli.app import app
from tests.lang import cli_words, english_words

runner = CliRunner()
NAMES = cli_words(app)


def _run(*args: str, lang: str | None = None):
    return runner.invoke(app, list(args), env={"GRADECLI_LANG": lang, "COLUMNS": "100"},
                         prog_name="gradecli")


@pytest.mark.parametrize("args", [["--help"], ["cycle", "--help"], ["staff", "--help"], ["cycle", "close", "--help"],
                                  ["allowance", "--help"], ["bank", "--help"], ["grade", "--help"]])
def test_help_is_chinese_by_default(args):
    r = _run(*args)
    assert r.exit_code == 0, r.output
    assert "用法：" in r.output and "选项" in r.output
    assert "Usage" not in r.output and "Options" not in r.output
    assert not english_words(r.output, NAMES), english_words(r.output, NAMES)


@pytest.mark.parametrize("args", [["--help"], ["cycle", "--help"]])
def test_help_is_english_with_lang_en(args):
    r = _run("--lang", "en", *args)
    assert r.exit_code == 0, r.output
    assert "Usage:" in r.output and "Options" in r.output and "用法" not in r.output
    assert "Show this message and exit." in r.output


def test_the_environment_and_the_policy_file_choose_the_language_too(tmp_path):
    assert "Usage:" in _run("cycle", "--help", lang="en").output
    policy = tmp_path / "p.toml"
    policy.write_text('[ui]\nlanguage = "en"\n', encoding="utf-8")
    assert "Usage:" in _run("--policy", str(policy), "cycle", "--help").output
    assert "用法：" in _run("--lang", "zh", "--policy", str(policy), "cycle", "--help", lang="en").output  # --lang wins


def test_a_usage_error_is_chinese_by_default_and_english_on_request():
    r = _run("cycle", "frobnicate")
    assert r.exit_code == 2
    assert "没有“frobnicate”这个命令" in r.output or "没有 'frobnicate' 这个命令" in r.output, r.output
    assert "用法：" in r.output and "No such command" not in r.output
    r = _run("--lang", "en", "cycle", "frobnicate")
    assert r.exit_code == 2 and "No such command 'frobnicate'" in r.output


def test_a_missing_argument_is_chinese():
    r = _run("staff", "import")
    assert r.exit_code == 2
    assert "缺少参数" in r.output and "Missing argument" not in r.output


def test_an_unknown_language_is_refused():
    r = _run("--lang", "fr", "cycle", "list")
    assert r.exit_code == 2 and "zh" in r.output and "en" in r.output


def test_error_lines_are_chinese_by_default(tmp_path):
    r = _run("--db", f"sqlite:///{tmp_path / 'x.db'}", "staff", "import", str(tmp_path / "nope.xlsx"))
    assert r.exit_code == 2
    assert r.output.startswith("错误：") and "文件不存在" in r.output, r.output
