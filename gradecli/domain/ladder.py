"""The ladder (等级): grades as (tier, level) and the steps up and down it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gradecli.domain.errors import BadInput
from gradecli.domain.policy import Policy
from gradecli.i18n import Reason


@dataclass(frozen=True, order=True)
class Grade:
    """A grade: tier (等) 1 = entry … top, level (级) 1 … levels of that tier."""

    tier: int
    level: int

    def __str__(self) -> str:
        return f"{self.tier}-{self.level}"

    @classmethod
    def parse(cls, text: str) -> "Grade":
        """Read '3-2' (tier 3, level 2); also '3.2', '3/2' and '3等2级'."""
        m = re.fullmatch(r"\s*(\d+)\s*(?:[-./]|等)\s*(\d+)\s*级?\s*", str(text))
        if not m:
            raise BadInput(Reason("not_a_grade", "'{text}' is not a grade; write TIER-LEVEL, e.g. 3-2 for tier 3 "
                                  "level 2", text=str(text)))
        return cls(int(m.group(1)), int(m.group(2)))


@dataclass(frozen=True)
class Ladder:
    """The ladder of one post family."""

    family: str
    tiers: int
    levels: int
    tier_labels: tuple[str, ...]
    level_label: str

    @classmethod
    def for_family(cls, policy: Policy, family: str | None) -> "Ladder":
        lp = policy.ladder
        return cls(
            family=family or "",
            tiers=lp.tiers,
            levels=policy.levels_for(family),
            tier_labels=tuple(lp.tier_labels),
            level_label=lp.level_label,
        )

    @property
    def top(self) -> Grade:
        return Grade(self.tiers, self.levels)

    def steps(self) -> list[Grade]:
        return [Grade(t, lv) for t in range(1, self.tiers + 1) for lv in range(1, self.levels + 1)]

    def contains(self, grade: Grade) -> bool:
        return 1 <= grade.tier <= self.tiers and 1 <= grade.level <= self.levels

    def check(self, grade: Grade) -> Grade:
        if not self.contains(grade):
            if self.family:
                raise BadInput(Reason("grade_outside_ladder", "grade {grade} is outside the ladder of {family}: tiers "
                                      "1–{tiers}, levels 1–{levels}", grade=str(grade), family=self.family,
                                      tiers=self.tiers, levels=self.levels))
            raise BadInput(Reason("grade_outside_ladder", "grade {grade} is outside the ladder: tiers 1–{tiers}, levels "
                                  "1–{levels}", grade=str(grade), tiers=self.tiers, levels=self.levels))
        return grade

    def label(self, grade: Grade) -> str:
        return f"{self.tier_labels[grade.tier - 1]}{self.level_label.format(n=grade.level)}"

    def is_top_of_tier(self, grade: Grade) -> bool:
        return grade.level == self.levels

    def level_up(self, grade: Grade) -> Grade | None:
        """Next level inside the tier (等内晋级), or None at the tier's top level."""
        return Grade(grade.tier, grade.level + 1) if grade.level < self.levels else None

    def tier_up(self, grade: Grade) -> Grade | None:
        """First level of the next tier (分等晋升), or None at the top tier."""
        return Grade(grade.tier + 1, 1) if grade.tier < self.tiers else None

    def demote(self, grade: Grade) -> Grade:
        """Down one level; from level 1 to the top level of the tier below; 1-1 is the floor."""
        if grade.level > 1:
            return Grade(grade.tier, grade.level - 1)
        if grade.tier > 1:
            return Grade(grade.tier - 1, self.levels)
        return grade

    def transfer_drop(self, grade: Grade, mode: str) -> Grade:
        """Leaving a front-line post: one tier down keeping the level (capped), or one level down."""
        if mode == "level":
            return self.demote(grade)
        if grade.tier == 1:
            return Grade(1, 1)
        return Grade(grade.tier - 1, min(grade.level, self.levels))
