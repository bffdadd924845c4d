from pathlib import Path

import pytest

from gradecli.domain.errors import BadInput
from gradecli.domain.policy import Policy
from gradecli.formats import policy_toml


def test_defaults_are_spec_defaults():
    p = Policy()
    assert p.ladder.tiers == 5 and p.ladder.levels_per_tier == 3
    assert p.ladder.target_shares == [35, 25, 20, 13, 7]
    assert (p.eligibility.level_wait_months, p.eligibility.tier_wait_months) == (12, 24)
    assert p.eligibility.frontline_share * 12 == 8
    assert (p.evaluation.weight_theory, p.evaluation.weight_skill, p.evaluation.weight_performance) == (40, 30, 30)
    assert p.evaluation.objection_days == 7
    assert sum(s.count * s.points for s in p.blueprint.sections) == 100


def test_init_file_round_trips_to_the_defaults(tmp_path: Path):
    f = tmp_path / "policy.toml"
    f.write_text(policy_toml.render(Policy()), encoding="utf-8")
    text = f.read_text(encoding="utf-8")
    assert "# Months at the current level before a level step." in text
    assert policy_toml.load(f) == Policy()


def test_changed_value_is_applied(tmp_path: Path):
    f = tmp_path / "policy.toml"
    f.write_text(policy_toml.render(Policy()).replace("level_wait_months = 12", "level_wait_months = 18"),
                 encoding="utf-8")
    assert policy_toml.load(f).eligibility.level_wait_months == 18


def test_errors_carry_line_numbers(tmp_path: Path):
    f = tmp_path / "policy.toml"
    text = policy_toml.render(Policy())
    text = text.replace("weight_skill = 30", "weight_skill = 35").replace("tiers = 5", "tierz = 5")
    f.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput) as err:
        policy_toml.load(f)
    lines = err.value.lines()
    tierz_line = text.splitlines().index("tierz = 5") + 1
    assert f"{f}:{tierz_line}: ladder.tierz: unknown key" in lines[0] or any(
        f"{f}:{tierz_line}: ladder.tierz" in ln for ln in lines)
    weights_line = text.splitlines().index("[evaluation]  # 选升评定 and its consequences: pass marks, weights, quotas, fast track, demotion.") + 1
    assert any(ln.startswith(f"{f}:{weights_line}: evaluation: weights add up to 105") for ln in lines)


def test_bad_toml_names_line(tmp_path: Path):
    f = tmp_path / "policy.toml"
    f.write_text("[ladder]\ntiers = = 5\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"policy.toml:2: not valid TOML"):
        policy_toml.load(f)


def test_cross_checks():
    with pytest.raises(ValueError, match="not one of the ratings"):
        Policy.model_validate({"evaluation": {"min_rating": "很好"}})
    with pytest.raises(ValueError, match="not 100"):
        Policy.model_validate({"blueprint": {"sections": [{"type": "single", "count": 10, "points": 2}]}})
