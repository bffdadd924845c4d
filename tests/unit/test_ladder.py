import pytest

from gradecli.domain.errors import BadInput
from gradecli.domain.ladder import Grade, Ladder
from gradecli.domain.policy import LadderPolicy, Policy


@pytest.fixture
def ladder():
    return Ladder.for_family(Policy(), "客服")


def test_default_ladder_has_fifteen_steps(ladder):
    assert len(ladder.steps()) == 15
    assert ladder.top == Grade(5, 3)
    assert ladder.label(Grade(2, 3)) == "二等3级"


def test_family_levels_override():
    p = Policy(ladder=LadderPolicy(family_levels={"航标": 4}))
    assert Ladder.for_family(p, "航标").levels == 4
    assert Ladder.for_family(p, "客服").levels == 3


@pytest.mark.parametrize("before,after", [
    (Grade(3, 2), Grade(3, 1)),
    (Grade(3, 1), Grade(2, 3)),  # from level 1: the top level of the tier below
    (Grade(1, 2), Grade(1, 1)),
    (Grade(1, 1), Grade(1, 1)),  # the floor
])
def test_demote(ladder, before, after):
    assert ladder.demote(before) == after


@pytest.mark.parametrize("before,mode,after", [
    (Grade(3, 2), "tier", Grade(2, 2)),  # keeps the level number
    (Grade(1, 3), "tier", Grade(1, 1)),  # tier 1 falls to level 1
    (Grade(3, 1), "level", Grade(2, 3)),
])
def test_transfer_drop(ladder, before, mode, after):
    assert ladder.transfer_drop(before, mode) == after


def test_transfer_drop_caps_level_at_lower_tier_top():
    lad = Ladder(family="x", tiers=5, levels=3, tier_labels=("a",) * 5, level_label="{n}")
    assert lad.transfer_drop(Grade(4, 3), "tier") == Grade(3, 3)


def test_steps_up(ladder):
    assert ladder.level_up(Grade(2, 2)) == Grade(2, 3)
    assert ladder.level_up(Grade(2, 3)) is None
    assert ladder.tier_up(Grade(2, 3)) == Grade(3, 1)
    assert ladder.tier_up(Grade(5, 1)) is None


@pytest.mark.parametrize("text,grade", [("3-2", Grade(3, 2)), (" 3.2 ", Grade(3, 2)), ("3等2级", Grade(3, 2))])
def test_parse(text, grade):
    assert Grade.parse(text) == grade


def test_parse_rejects_nonsense():
    with pytest.raises(BadInput, match="TIER-LEVEL"):
        Grade.parse("three")


def test_check_rejects_grade_outside_ladder(ladder):
    with pytest.raises(BadInput, match="outside the ladder"):
        ladder.check(Grade(6, 1))
    with pytest.raises(BadInput, match="levels 1–3"):
        ladder.check(Grade(2, 4))
