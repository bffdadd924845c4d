"""A wheel built from the repo carries migrations/ and question_bank/ and works outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

RUNNER = """
import sys
# leave out the editable install of the checkout, so only the unpacked wheel can be imported
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
sys.path[:] = [p for p in sys.path if p not in ("", ".", {root!r})]
sys.path.insert(0, {wheel!r})
import gradecli
assert gradecli.__file__.startswith({wheel!r}), gradecli.__file__
sys.argv = ["gradecli", "--db", "sqlite:///outside.db", "db", "upgrade"]
from gradecli.cli.app import main
main()
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True)
    return next(out.glob("gradecli-*.whl"))


def test_wheel_carries_migrations_and_banks(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "gradecli/migrations/env.py" in names
    assert any(n.startswith("gradecli/migrations/versions/0001") for n in names)
    assert "gradecli/migrations/script.py.mako" in names
    assert "gradecli/question_bank/README.md" in names
    for family in ("航标", "测量", "通信", "客服", "common"):
        assert all(f"gradecli/question_bank/{family}/tier-{t}.yaml" in names for t in range(1, 6)), family
    assert not any(n.startswith("tests/") for n in names)


def test_wheel_works_outside_the_checkout(wheel, tmp_path):
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    work = tmp_path / "elsewhere"
    work.mkdir()
    code = RUNNER.format(root=str(ROOT), wheel=str(unpacked))
    result = subprocess.run([sys.executable, "-c", code], cwd=work, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    from gradecli.store.migrate import head_revision

    assert f"upgraded empty database → {head_revision()}" in result.stdout.replace("\n", " ")
    assert (work / "outside.db").exists()
