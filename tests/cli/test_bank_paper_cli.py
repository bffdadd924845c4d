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
    for tier, family in zip(range(1, 6), ["航标", "测量", "通信", "客服", "航标"]):
        r = run(db_url, "--json", "paper", "generate", "--tier", tier, "--family", family, "--count", 2, "--seed", "cli")
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


def test_bank_check_passes_on_every_shipped_bank(db_url):
    r = run(db_url, "--json", "bank", "check", BANKS, "--strict")  # the files, before any import
    assert r.exit_code == 0, r.stdout[-3000:] + r.stderr
    out = json.loads(r.stdout)
    assert (out["ok"], out["blocking"], out["warnings"]) == (True, 0, 0)
    banks = {(b["tier"], b["family"]) for b in out["banks"]}
    assert banks == {(t, f) for t in range(1, 6) for f in ("航标", "测量", "通信", "客服", "common")}
    capacity = [row for row in out["rows"] if row["check"] == "capacity"]
    assert len(capacity) == 20 and all(row["params"]["short_for_sitting"] == [] for row in capacity)
    assert run(db_url, "bank", "import", BANKS).exit_code == 0
    r = run(db_url, "--json", "bank", "check", "--tier", "3", "--family", "通信")  # the imported banks
    assert r.exit_code == 0, r.stdout[-3000:]
    out = json.loads(r.stdout)
    assert [(b["tier"], b["family"]) for b in out["banks"]] == [(3, "通信")]
    areas = {a["area"] for a in out["banks"][0]["areas"]}
    assert areas == {"等级制度", "安全生产", "GMDSS系统与海区", "遇险与安全通信程序", "甚高频与中高频通信",
                     "海上安全信息播发", "岸台值守与设备维护"}
    r = run(db_url, "bank", "check", "--family", "气象")
    assert r.exit_code == 1 and "no question bank for 气象" in r.stderr


def _planted(tmp_path, *, repeat_option: bool) -> Path:
    """航标 tier 3 with a paraphrase of HB-T3-020 added, every single-choice key moved to B and,
    optionally, an option of HB-T3-001 written twice."""
    import yaml

    doc = yaml.safe_load((BANKS / "航标" / "tier-3.yaml").read_text(encoding="utf-8"))
    qs = doc["questions"]
    for q in qs:
        if q["type"] == "single":
            k = "ABCD".index(q["answer"])
            right = q["options"].pop(k)
            q["options"].insert(1, right)
            q["answer"] = "B"
    original = next(q for q in qs if q["id"] == "HB-T3-020")
    qs.append({**original, "id": "HB-T3-900", "stem": "在软泥底质的海区，浮标屡次走锚，比较合理的整改办法是？"})
    if repeat_option:
        first = next(q for q in qs if q["id"] == "HB-T3-001")
        first["options"][3] = first["options"][2] + " "
    f = tmp_path / "航标" / "tier-3.yaml"
    f.parent.mkdir(exist_ok=True)
    f.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return f


def test_bank_check_flags_planted_problems(db_url, tmp_path):
    assert run(db_url, "bank", "import", BANKS / "common" / "tier-3.yaml").exit_code == 0
    f = _planted(tmp_path, repeat_option=True)
    r = run(db_url, "--json", "bank", "check", f)
    assert r.exit_code == 1
    rows = json.loads(r.stdout)["rows"]
    found = {row["check"]: row for row in rows if row["severity"] != "info"}
    assert found["repeated_option"]["severity"] == "blocking" and found["repeated_option"]["qids"] == ["HB-T3-001"]
    assert found["near_duplicate"]["severity"] == "warning"
    assert found["near_duplicate"]["qids"] == ["HB-T3-020", "HB-T3-900"]
    assert found["single_letters"]["severity"] == "warning" and found["single_letters"]["params"]["uneven"]["B"] > 40
    detail = found["single_letters"]["detail"]
    assert detail["code"] == "single_letters" and detail["params"]["questions"] == 50
    assert detail["text"].startswith("single-choice keys A 0, B 50, C 0, D 0 of 50 questions")
    r = run(db_url, "bank", "import", f)  # the import refuses the repeated option outright
    assert r.exit_code == 2 and "question HB-T3-001: two options are the same" in r.stderr
    # warnings alone pass, unless --strict
    f = _planted(tmp_path, repeat_option=False)
    r = run(db_url, "bank", "check", f)
    assert r.exit_code == 0, r.output
    assert "0 blocking, 2 warning(s)" in r.stdout
    assert run(db_url, "bank", "check", f, "--strict").exit_code == 1


def test_bank_check_reads_the_excel_template_and_names_a_missing_common_bank(db_url, tmp_path):
    assert run(db_url, "bank", "import", BANKS / "测量" / "tier-2.yaml").exit_code == 0
    out = tmp_path / "t2.xlsx"
    assert run(db_url, "bank", "export", "--tier", "2", "--family", "测量", "--out", out).exit_code == 0
    r = run(db_url, "--json", "bank", "check", out)
    assert r.exit_code == 1  # no common bank for tier 2: its areas are missing
    missing = [row["params"]["area"] for row in json.loads(r.stdout)["rows"] if row["check"] == "area_missing"]
    assert missing == ["等级制度", "安全生产"]
    r = run(db_url, "bank", "check", out, BANKS / "common" / "tier-2.yaml")
    assert r.exit_code == 0, r.stdout[-2000:]
