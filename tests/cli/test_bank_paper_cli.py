"""bank and paper commands end to end."""

import json
from pathlib import Path

from typer.testing import CliRunner

from gradecli.cli.app import app

runner = CliRunner()
BANKS = Path(__file__).resolve().parents[2] / "question_bank"


def run(db, *args):
    return runner.invoke(app, ["--db", db, *[str(a) for a in args]])


def test_bank_and_papers_for_every_tier(db_url, tmp_path):
    r = run(db_url, "bank", "import", BANKS)
    assert r.exit_code == 0, r.output
    stats = json.loads(run(db_url, "--json", "bank", "stats").stdout)
    assert {c["tier"] for c in stats["capacity"]} == {1, 2, 3, 4, 5}
    for tier in range(1, 6):
        r = run(db_url, "--json", "paper", "generate", "--tier", tier, "--count", 2, "--seed", "cli")
        assert r.exit_code == 0, r.output
        codes = [p["paper"] for p in json.loads(r.stdout)["papers"]]
        r = run(db_url, "paper", "export", *codes, "--out", tmp_path / f"t{tier}")
        assert r.exit_code == 0, r.output
        assert (tmp_path / f"t{tier}" / f"{codes[0]}.html").exists()
        assert (tmp_path / f"t{tier}" / f"{codes[0]}-key.xlsx").exists()
    shown = json.loads(run(db_url, "--json", "paper", "show", codes[0]).stdout)
    assert shown["total"] == 100 and len(shown["rows"]) == 47 and "answer" not in shown["rows"][0]
    keyed = json.loads(run(db_url, "--json", "paper", "show", codes[0], "--key").stdout)
    assert "answer" in keyed["rows"][0]


def test_variants_and_bad_requests(db_url, tmp_path):
    run(db_url, "bank", "import", BANKS / "客服" / "tier-2.yaml", BANKS / "common" / "tier-2.yaml")
    r = run(db_url, "--json", "paper", "generate", "--tier", "2", "--variants", "2", "--seed", "ab")
    assert r.exit_code == 0, r.output
    assert [p["variant"] for p in json.loads(r.stdout)["papers"]] == ["A", "B"]
    r = run(db_url, "paper", "generate", "--tier", "2", "--variants", "2", "--count", "2")
    assert r.exit_code == 2 and "not both" in r.stderr
    r = run(db_url, "paper", "generate", "--tier", "3", "--count", "1")
    assert r.exit_code == 2 and "tier 3 has no questions" in r.stderr
    r = run(db_url, "paper", "show", "P9-9999-001")
    assert r.exit_code == 2 and "no paper 'P9-9999-001'" in r.stderr


def test_bad_bank_file_exit_2_every_problem(db_url, tmp_path):
    f = tmp_path / "客服" / "tier-1.yaml"
    f.parent.mkdir()
    f.write_text("tier: 1\nfamily: 客服\nquestions:\n  - id: A\n    type: single\n    stem: s\n"
                 "    options: [x, y]\n    answer: AB\n    points: 2\n    difficulty: 0.5\n    areas: [a]\n",
                 encoding="utf-8")
    r = run(db_url, "bank", "import", f)
    assert r.exit_code == 2
    assert r.stderr.strip() == f"Error: {f}:4: question A: a single-choice question has one answer, not AB"
