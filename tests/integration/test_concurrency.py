"""Two gradecli processes on one database at once: both finish, or one says to retry; the ledger verifies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gradecli.services import bank, grades, staff
from gradecli.services.context import Context
from tests.helpers import person, roster

ROOT = Path(__file__).resolve().parents[2]
BANKS = ROOT / "question_bank"
RETRY = "the database is busy"


def cli(db: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gradecli", "--db", db, *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_an_import_and_a_paper_generation_at_once(db_url, tmp_path):
    ctx = Context(url=db_url)
    bank.import_paths(ctx, [BANKS / "客服" / "tier-3.yaml", BANKS / "common" / "tier-3.yaml"])
    staff.import_roster_file(ctx, roster(tmp_path / "first.xlsx", [person("K0")]))
    grades.import_grades_file(ctx, _grades(tmp_path))
    big = roster(tmp_path / "big.xlsx", [person(f"B{i:05d}", name=f"职工{i}") for i in range(3000)])
    procs = [cli(db_url, "staff", "import", str(big)),
             cli(db_url, "paper", "generate", "--tier", "3", "--family", "客服", "--count", "40", "--seed", "c")]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert code == 0 or (code == 1 and RETRY in err), (code, out, err)
    imported = results[0][0] == 0
    assert (len(staff.list_staff(ctx).rows) == 3001) == imported
    assert grades.verify(ctx).data["ok"] is True
    verify = cli(db_url, "audit", "verify")
    assert verify.wait(timeout=60) == 0


def _grades(tmp_path):
    from tests.helpers import write_xlsx

    return write_xlsx(tmp_path / "g.xlsx", ["工号", "等", "级", "生效日期"], [["K0", 2, 3, "2024-01-01"]])
