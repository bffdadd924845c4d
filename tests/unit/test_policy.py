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
    weights_line = text.splitlines().index("[evaluation]  # Promotion evaluation and its consequences: pass marks, weights, quotas, fast track, demotion.") + 1
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


def test_blueprint_defaults_per_family():
    from gradecli.domain.assembly import Blueprint

    p = Policy()
    assert p.blueprint.required_areas == ["等级制度", "安全生产"]
    assert p.blueprint.expected_scores == {str(t): 70 for t in range(1, 6)}
    assert sorted(p.blueprint.families) == sorted(["航标", "测量", "通信", "客服"])
    hb = Blueprint.from_policy(p, 3, family="航标")
    assert hb.required_areas == ("等级制度", "安全生产", "航标标志", "灯质与灯器", "航标维护", "航标能源与遥测", "航标作业安全")
    assert Blueprint.from_policy(p, 3, family="客服").required_areas == ("等级制度", "安全生产", "岗位职责", "服务规范与礼仪", "投诉处理")
    unknown = Blueprint.from_policy(p, 3, family="气象")  # a family the policy does not know: the common areas only
    assert unknown.required_areas == ("等级制度", "安全生产") and unknown.target == 70
    assert "ten above the pass mark" in policy_toml.render(p)


FAMILY_OVERRIDES = """
[blueprint.families."通信"]
required_areas = ["GMDSS系统与海区", "新区域"]
expected_scores = { 5 = 65 }
sections_by_tier = { "semiannual-2" = [{ type = "judge", count = 100, points = 1 }] }

[[blueprint.families."通信".sections]]
type = "single"
count = 50
points = 2

[blueprint.families."客服"]
required_areas = []
"""


def test_family_blueprint_overrides(tmp_path: Path):
    from gradecli.domain.assembly import Blueprint

    f = tmp_path / "policy.toml"
    f.write_text(FAMILY_OVERRIDES, encoding="utf-8")
    p = policy_toml.load(f)
    tx5 = Blueprint.from_policy(p, 5, family="通信")
    assert tx5.required_areas == ("等级制度", "安全生产", "GMDSS系统与海区", "新区域")  # unknown area names are fine
    assert tx5.target == 65 and [(s.type, s.count) for s in tx5.sections] == [("single", 50)]
    tx4 = Blueprint.from_policy(p, 4, family="通信")
    assert tx4.target == 70 and tx4.sections == tx5.sections  # a tier left out keeps the [blueprint] target
    assert [(s.type, s.count) for s in Blueprint.from_policy(p, 2, "semiannual", "通信").sections] == [("judge", 100)]
    assert len(Blueprint.from_policy(p, 2, "annual", "通信").sections) == 1
    # other families keep their built-in settings; 客服's own areas were dropped
    hb = Blueprint.from_policy(p, 5, family="航标")
    assert len(hb.sections) == 5 and "航标标志" in hb.required_areas and hb.target == 70
    assert Blueprint.from_policy(p, 5, family="客服").required_areas == ("等级制度", "安全生产")
    # and the policy file written from it reads back the same
    g = tmp_path / "again.toml"
    g.write_text(policy_toml.render(p), encoding="utf-8")
    assert policy_toml.load(g) == p


def test_family_sections_must_total_100_with_the_line(tmp_path: Path):
    f = tmp_path / "policy.toml"
    text = FAMILY_OVERRIDES.replace("count = 50", "count = 40")
    f.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput) as err:
        policy_toml.load(f)
    line = text.splitlines().index('[blueprint.families."通信"]') + 1
    assert err.value.lines() == [f"{f}:{line}: blueprint.families.通信: sections: sections total 80 points, not 100; "
                                 "change count or points so that they total 100"]
