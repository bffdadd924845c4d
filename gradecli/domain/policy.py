"""The policy model: every rule number of docs/rules.md as a default that an HR officer can change.

A policy file (TOML) overrides any of these; ``gradecli policy init FILE`` writes them all out
with the comments below, so the descriptions here are what the HR officer reads.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gradecli.i18n import N_, Reason

TITLES = ("无", "初级", "中级", "副高级", "正高级")
RATINGS = ("优秀", "良好", "合格", "基本合格", "不合格")  # best first
QUESTION_TYPES = ("single", "multiple", "judge", "fill", "short")


class PolicyError(ValueError):
    """A value that breaks a rule of the policy: a Reason that names the key and says how to fix it,
    rendered in the run's language when shown (formats.policy_toml adds the file and the line)."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.template)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason.text()


class _Section(BaseModel):
    """A section of the policy file; its ``__doc__`` (an N_-marked msgid) is the section's comment there."""

    model_config = ConfigDict(extra="forbid")


class LadderPolicy(_Section):
    __doc__ = N_("Grades: tiers and levels.")

    tiers: int = Field(5, ge=1, le=9, description=N_("Number of tiers on every ladder."))
    levels_per_tier: int = Field(
        3, ge=1, le=9, description=N_("Levels in each tier unless a post family sets its own.")
    )
    family_levels: dict[str, int] = Field(
        default_factory=dict,
        description=N_('Levels per tier for a post family, e.g. { 航标 = 4 }; others use levels_per_tier.'),
    )
    families: list[str] = Field(
        default_factory=lambda: ["客服", "航标", "测量", "通信"],
        description=N_("Post families known before any roster is imported."),
    )
    tier_labels: list[str] = Field(
        default_factory=lambda: ["一等", "二等", "三等", "四等", "五等"],
        description=N_("Label of each tier, entry tier first."),
    )
    level_label: str = Field("{n}级", description=N_("Label of a level; {n} is the level number."))
    target_shares: list[int] = Field(
        default_factory=lambda: [35, 25, 20, 13, 7],
        description=N_("Target share of staff per tier in percent (the pyramid), tier 1 first; sums to 100."),
    )

    @model_validator(mode="after")
    def _consistent(self) -> "LadderPolicy":
        if len(self.tier_labels) != self.tiers:
            raise PolicyError(Reason("tier_labels_count", "tier_labels has {labels} labels for {tiers} tiers; write "
                                     "one label per tier", labels=len(self.tier_labels), tiers=self.tiers))
        if len(self.target_shares) != self.tiers:
            raise PolicyError(Reason("target_shares_count", "target_shares has {values} values for {tiers} tiers; "
                                     "write one share per tier", values=len(self.target_shares), tiers=self.tiers))
        if sum(self.target_shares) != 100:
            raise PolicyError(Reason("target_shares_sum", "target_shares add up to {total}, not 100; change them so "
                                     "that they add up to 100", total=sum(self.target_shares)))
        for fam, n in self.family_levels.items():
            if not 1 <= n <= 9:
                raise PolicyError(Reason("family_levels_range", "family_levels.{family} = {levels}: levels per tier "
                                         "must be 1 to 9", family=fam, levels=n))
        return self


class EligibilityPolicy(_Section):
    __doc__ = N_("Eligibility: waiting times, title requirements, deferral.")

    level_wait_months: int = Field(12, ge=0, description=N_("Months at the current level before a level step."))
    tier_wait_months: int = Field(
        24, ge=0, description=N_("Months at the top level of a tier before a tier step.")
    )
    frontline_wait_share: str = Field(
        "2/3",
        description=N_('Share of the wait that front-line and hardship posts serve (a shorter wait), as a fraction '
        '("2/3"), counted from the post history since the grade: a day served in a front-line post counts '
        '1 / share days (1.5 with 2/3), a day elsewhere 1, so only time actually served there shortens the wait.'),
    )
    deferral_cycles: int = Field(
        1, ge=0,
        description=N_('Cycles of each kind a deferral bars: the next N annual and '
        'the next N semiannual exams whose exam date falls after the deferral takes effect (0: none). '
        'Replaces deferral_months.'),
    )
    title_requirements: dict[str, str] = Field(
        default_factory=dict,
        description=N_('Lowest professional title for a target tier, e.g. { "4" = "中级" }; none by default. '
        'The ladder is a second career path for those whom titles stop (most people reach their limit at the '
        'intermediate title), and people with one title should differ by skill and performance.'),
    )
    titles: list[str] = Field(
        default_factory=lambda: list(TITLES), description=N_("Professional titles, lowest first.")
    )
    certificate_requirements: dict[str, list[str]] = Field(
        default_factory=dict,
        description=N_('Certificates a candidate must hold to step up into a tier, as named in the roster\'s '
        'Certificates column, e.g. { "4" = ["客服中级证书"] }; none by default. Checked for tier steps, like titles.'),
    )

    @field_validator("frontline_wait_share")
    @classmethod
    def _fraction(cls, v: str) -> str:
        try:
            f = Fraction(v)
        except (ValueError, ZeroDivisionError):
            raise PolicyError(Reason("not_a_fraction", '"{value}" is not a fraction; write it like "2/3"',
                                     value=v)) from None
        if not 0 < f <= 1:
            raise PolicyError(Reason("fraction_range", '"{value}" must lie between 0 and 1 (more than 0, at most 1), '
                                     'e.g. "2/3"', value=v))
        return v

    @model_validator(mode="after")
    def _titles_known(self) -> "EligibilityPolicy":
        for tier, title in self.title_requirements.items():
            if title not in self.titles:
                raise PolicyError(Reason("unknown_title", 'title_requirements."{tier}" = "{title}" is not one of the '
                                         'titles ({titles}); write one of them, or add it to titles', tier=tier,
                                         title=title, titles=list(self.titles)))
            if not tier.isdigit():
                raise PolicyError(Reason("tier_key", '{key} key "{tier}" must be a tier number, e.g. "4"',
                                         key="title_requirements", tier=tier))
        for tier, names in self.certificate_requirements.items():
            if not tier.isdigit():
                raise PolicyError(Reason("tier_key", '{key} key "{tier}" must be a tier number, e.g. "4"',
                                         key="certificate_requirements", tier=tier))
            if any(not n.strip() for n in names):
                raise PolicyError(Reason("empty_certificate", 'certificate_requirements."{tier}" has an empty '
                                         'certificate name; remove it, or write the name as the roster has it',
                                         tier=tier))
        return self

    @cached_property
    def frontline_share(self) -> Fraction:
        return Fraction(self.frontline_wait_share)  # parsed once: eligibility asks for every person


class PerformancePolicy(_Section):
    __doc__ = N_("Work performance: appraisal ratings and the score each maps to.")

    ratings: list[str] = Field(default_factory=lambda: list(RATINGS), description=N_("Ratings, best first."))
    scores: dict[str, int] = Field(
        default_factory=lambda: {"优秀": 95, "良好": 85, "合格": 75, "基本合格": 65, "不合格": 50},
        description=N_("Performance score (0–100) for each rating."),
    )

    @model_validator(mode="after")
    def _every_rating_scored(self) -> "PerformancePolicy":
        missing = [r for r in self.ratings if r not in self.scores]
        if missing:
            raise PolicyError(Reason("rating_without_score", "scores has no value for {ratings}; give every rating a "
                                     "score", ratings=missing))
        bad = [f"{k} = {v}" for k, v in self.scores.items() if not 0 <= v <= 100]
        if bad:
            raise PolicyError(Reason("score_range", "scores must lie in 0–100: {scores}", scores=bad))
        return self

    def rank(self, rating: str) -> int:
        """0 for the best rating; a higher number is worse."""
        return self.ratings.index(rating)


class EvaluationPolicy(_Section):
    __doc__ = N_("Promotion evaluation and its consequences: pass marks, weights, quotas, fast track, demotion.")

    pass_theory: int = Field(60, ge=0, le=100, description=N_("Pass mark of the theory exam."))
    pass_skill: int = Field(60, ge=0, le=100, description=N_("Pass mark of the practical skill part."))
    min_rating: str = Field("合格", description=N_("Lowest appraisal rating that passes the performance part."))
    weight_theory: int = Field(40, ge=0, le=100, description=N_("Weight of theory in the composite, percent."))
    weight_skill: int = Field(30, ge=0, le=100, description=N_("Weight of skill in the composite, percent."))
    weight_performance: int = Field(30, ge=0, le=100, description=N_("Weight of performance, percent."))
    quota_mode: Literal["share", "pyramid", "fixed"] = Field(
        "share",
        description=N_('How the annual quota per target tier is set: "share" of the registered candidates, '
        '"pyramid" (seats left under the target share), or "fixed" (given with --quota at evaluation).'),
    )
    quota_shares: dict[str, int] = Field(
        default_factory=lambda: {"2": 50, "3": 40, "4": 30, "5": 20},
        description=N_("Quota share per target tier in percent of the quota base (rounded down, at least 1 when anyone passed)."),
    )
    quota_base: Literal["eligible", "registered"] = Field(
        "eligible",
        description=N_('What a quota share is a share of: "eligible" — everyone of the family who may sit for that '
        'target on the exam date, so sign-ups do not create seats and absentees do not take them '
        '(promotion is strict: candidates compete through the exams) — or "registered" (the candidates, as before).'),
    )
    semiannual_quota_mode: Literal["share", "none"] = Field(
        "share",
        description=N_('Level steps of the semiannual exam compete for seats too: "share" of the '
        'quota base, or "none" (everyone who passes steps up).'),
    )
    semiannual_quota_share: int = Field(
        50, ge=0, le=100, description=N_("Quota for semiannual level steps in percent of the quota base.")
    )
    skill_assessors: int = Field(
        5, ge=1, le=20, description=N_("Assessors on the skill panel: the skill-score template has a column for each."))
    skill_trim_from: int = Field(
        5, ge=0, description=N_("With at least this many marks, the highest and the lowest are dropped before averaging "
        '(the evaluation is open and keeps personal bias out); 0 never drops. Every mark is kept as evidence.'))
    fast_track_composite: int = Field(90, ge=0, le=100, description=N_("Composite needed for the fast track."))
    fast_track_rating: str = Field("优秀", description=N_("Rating needed for the fast track."))
    fast_track_cap_share: int = Field(20, ge=0, le=100, description=N_("Fast-track places as a percent of the quota."))
    fast_track_cap_min: int = Field(1, ge=0, description=N_("Fast-track places at least, whatever the quota."))
    deferral_below_rating: str = Field(
        "合格", description=N_("A rating below this one (or a disciplinary record) defers promotion.")
    )
    demotion_rating: str = Field("不合格", description=N_("A rating that demotes one level."))
    demotion_consecutive_fails: int = Field(
        2, ge=1, description=N_("Consecutive failed intra-tier exams that demote one level.")
    )
    transfer_drop: Literal["tier", "level"] = Field(
        "tier", description=N_('Drop on transfer out of a front-line post: "tier" or "level".')
    )
    objection_days: int = Field(7, ge=0, description=N_("Days of the objection window after a notice."))

    @model_validator(mode="after")
    def _weights(self) -> "EvaluationPolicy":
        total = self.weight_theory + self.weight_skill + self.weight_performance
        if total != 100:
            raise PolicyError(Reason("weights_sum", "weights add up to {total}, not 100; change weight_theory, "
                                     "weight_skill and weight_performance so that they add up to 100", total=total))
        return self


class FirstEvaluationPolicy(_Section):
    __doc__ = N_("First placement: lenient, mainly by work performance, with exam scores for reference; it brings\n"
                 "every professional-technical employee onto the ladder. The appraisal record of the last years\n"
                 "places each person in a tier (the main basis), years of service set the level and may add a tier\n"
                 "(secondary), a professional title counts only where title_min_tier says so, and an exam score is\n"
                 "a reference that may lift a borderline case and never lowers anyone. Placements are published with\n"
                 "an objection window and written to the ledger when that closes, like a cycle.")

    rating_years: int = Field(3, ge=1, le=10, description=N_("Appraisal years read: the last N before the placement date."))
    rating_points: dict[str, int] = Field(
        default_factory=lambda: {"优秀": 4, "良好": 3, "合格": 2, "基本合格": 1, "不合格": 0},
        description=N_("Points of each rating; a person's mean over the years read places them."),
    )
    tier_by_points: list[tuple[Decimal, int]] = Field(
        default_factory=lambda: [(Decimal("3.6"), 4), (Decimal("3.0"), 3), (Decimal("2.0"), 2), (Decimal("0"), 1)],
        description=N_("The placement table: [lowest mean points, tier], best first — mostly 优秀 → tier 4, "
        "良好 on average → 3, 合格 on average → 2, below → 1. Tier 5 is reached only by promotion."),
    )
    no_rating_tier: int = Field(1, ge=1, description=N_("Tier of someone with no appraisal in the years read (new staff)."))
    service_year_steps: list[int] = Field(
        default_factory=lambda: [5, 10],
        description=N_("Years of service at which the level rises: under 5 → level 1, 5–9 → 2, 10+ → 3."),
    )
    service_tier_years: int | None = Field(
        20, ge=1, description=N_("Years of service that add one tier to the placement (secondary input; never above max_tier)."),
    )
    max_tier: int = Field(4, ge=1, description=N_("The highest tier a first placement gives."))
    title_min_tier: dict[str, int] = Field(
        default_factory=dict,
        description=N_('Lowest tier for a professional title, only where the office wants titles to count, e.g. '
        '{ "正高级" = 4 }; none by default (the ladder is a second career path beside the titles).'),
    )
    exam_lift_score: Decimal = Field(
        Decimal("85"), ge=0, le=100,
        description=N_("An exam score at least this lifts a borderline case into the next tier (reference only: "
        "a low score never lowers a placement)."),
    )
    borderline_points: Decimal = Field(
        Decimal("0.34"), ge=0, description=N_("How far below the next tier's lowest mean points counts as borderline."),
    )
    notice_required: bool = Field(
        True, description=N_("Placements are published and take effect only when the objection window closes; "
        "false allows `first-evaluation --apply` to record them at once."),
    )

    @model_validator(mode="after")
    def _table(self) -> "FirstEvaluationPolicy":
        mins = [m for m, _ in self.tier_by_points]
        if mins != sorted(mins, reverse=True) or not mins or mins[-1] != 0:
            raise PolicyError(Reason("tier_by_points_order", "tier_by_points: list [lowest mean points, tier] from "
                                     "the best down, the last with 0"))
        return self


class ExamPolicy(_Section):
    __doc__ = N_("Exam cycles and scoring of answer sheets.")

    multiple_scoring: Literal["all_or_nothing", "half_for_partial"] = Field(
        "all_or_nothing",
        description=N_('Multiple choice: "all_or_nothing", or "half_for_partial" (half the points for a correct but incomplete answer, none for a wrong one).'),
    )
    annual_exam_date: str = Field("11-15", description=N_("Default exam day of the annual cycle (MM-DD)."))
    h1_exam_date: str = Field("06-15", description=N_("Default exam day of the first half-year cycle (MM-DD)."))
    h2_exam_date: str = Field("12-15", description=N_("Default exam day of the second half-year cycle (MM-DD)."))


class SectionSpec(_Section):
    type: Literal["single", "multiple", "judge", "fill", "short"]
    count: int = Field(ge=1)
    points: int = Field(ge=1)


# Knowledge areas (知识点) of the shipped sample banks (question_bank/<family>/); a family the policy
# does not name gets only the common areas.
FAMILY_AREAS = {
    "航标": ["航标标志", "灯质与灯器", "航标维护", "航标能源与遥测", "航标作业安全"],
    "测量": ["水深测量", "定位与基准", "水位与声速改正", "扫测与侧扫声呐", "数据处理与质量控制"],
    "通信": ["GMDSS系统与海区", "遇险与安全通信程序", "甚高频与中高频通信", "海上安全信息播发", "岸台值守与设备维护"],
    "客服": ["岗位职责", "服务规范与礼仪", "投诉处理"],
}


def _check_sections(name: str, sections: list[SectionSpec] | None,
                    by_tier: dict[str, list[SectionSpec]] | None) -> None:
    """Every set of sections totals 100 points; sections_by_tier keys name a tier (and exam kind)."""
    for label, secs in [(name + "sections", sections or []),
                        *((f"{name}sections_by_tier.{k}", v) for k, v in (by_tier or {}).items())]:
        total = sum(s.count * s.points for s in secs)
        if secs and total != 100:
            raise PolicyError(Reason("sections_total", "{key}: sections total {total} points, not 100; change count "
                                     "or points so that they total 100", key=label, total=total))
    for key in by_tier or {}:
        kind, _, tier = key.rpartition("-")
        if kind not in ("", "annual", "semiannual") or not tier.isdigit():
            raise PolicyError(Reason("sections_key", '{key} key "{value}" must look like "3", "annual-3" or '
                                     '"semiannual-3"', key=name + "sections_by_tier", value=key))


def _sections_in(by_tier: dict[str, list[SectionSpec]], tier: int, kind: str | None) -> list[SectionSpec] | None:
    for key in ([f"{kind}-{tier}"] if kind else []) + [str(tier)]:
        if key in by_tier:
            return by_tier[key]
    return None


class FamilyBlueprint(_Section):
    """The paper blueprint of one post family: what its papers add to, or change in, the [blueprint] above."""

    required_areas: list[str] = Field(
        default_factory=list,
        description=N_("Knowledge areas of the family's own bank that each of its papers must cover, "
        "besides the [blueprint] required_areas."),
    )
    expected_scores: dict[str, int] | None = Field(
        None, description=N_("Target expected score per tier for this family; a tier left out keeps the [blueprint] target."),
    )
    sections: list[SectionSpec] | None = Field(
        None, description=N_("Sections for this family's papers instead of the [blueprint] sections; they must total 100 points."),
    )
    sections_by_tier: dict[str, list[SectionSpec]] | None = Field(
        None, description=N_('Sections for one tier (or "annual-3", "semiannual-3") of this family; they come first.'),
    )

    @model_validator(mode="after")
    def _hundred(self) -> "FamilyBlueprint":
        _check_sections("", self.sections, self.sections_by_tier)
        return self


def _default_families() -> dict[str, FamilyBlueprint]:
    return {fam: FamilyBlueprint(required_areas=list(areas)) for fam, areas in FAMILY_AREAS.items()}


class BlueprintPolicy(_Section):
    __doc__ = N_("Paper blueprint: how a 100-point paper is drawn.")

    sections: list[SectionSpec] = Field(
        default_factory=lambda: [
            SectionSpec(type="single", count=20, points=2),
            SectionSpec(type="multiple", count=10, points=3),
            SectionSpec(type="judge", count=10, points=1),
            SectionSpec(type="fill", count=5, points=2),
            SectionSpec(type="short", count=2, points=5),
        ],
        description=N_("Sections by question type: count and points each; they must total 100 points."),
    )
    sections_by_tier: dict[str, list[SectionSpec]] = Field(
        default_factory=dict,
        description=N_('Sections for one tier or one tier and exam kind, replacing the default: keys "3", '
        '"annual-3" or "semiannual-3". An empty list means no blueprint: any active questions totalling 100.'),
    )
    expected_scores: dict[str, int] = Field(
        default_factory=lambda: {"1": 70, "2": 70, "3": 70, "4": 70, "5": 70},
        description=N_("Target expected score (Σ points × difficulty) per tier. A question's difficulty is the share "
        "of candidates at that tier's standard expected to answer it, so every tier aims at 70: a candidate at "
        "the standard scores about 70, ten above the pass mark, whichever tier they sit. Higher tiers are harder "
        "in content, not in this number; how few step up is set by the quotas, not by the paper."),
    )
    tolerance: Decimal = Field(
        Decimal("0.5"), gt=0, decimal_places=2,
        description=N_("Allowed distance from the target expected score, points (two decimals at most, e.g. 0.25). "
        "Every paper of a sitting lies within it, so two candidates' papers differ by at most twice it "
        "(0.5: within one expected point); shared variants lie within half of it, so any two differ by at "
        "most the tolerance."),
    )
    required_areas: list[str] = Field(
        default_factory=lambda: ["等级制度", "安全生产"],
        description=N_("Knowledge areas of the common bank that every paper, of every family, must cover "
        "at least once; a family adds its own under [blueprint.families.<family>]."),
    )
    families: dict[str, FamilyBlueprint] = Field(
        default_factory=_default_families,
        description=N_("Per post family: required_areas of its own bank, and optionally expected_scores, sections "
        "and sections_by_tier that replace the ones above for its papers. A family without a table gets only "
        "the settings above; a built-in family left out of the file keeps its built-in areas "
        "(write its table with required_areas = [] to drop them)."),
    )
    exposure_last_papers: int = Field(2, ge=0, description=N_("Avoid questions from the candidate's last N papers."))
    exposure_sitting_share: int = Field(
        50, ge=1, le=100, description=N_("No question in more than this percent of one sitting's papers.")
    )
    variant_overlap_share: int = Field(
        30, ge=0, le=100, description=N_("Shared variants: at most this percent of questions in common.")
    )
    enemy_groups: list[list[str]] = Field(
        default_factory=list, description=N_("Groups of question ids that must not appear on one paper.")
    )

    @field_validator("families", mode="before")
    @classmethod
    def _keep_builtin_families(cls, value: object) -> object:
        """A file that names some families keeps the built-in settings of the others."""
        if isinstance(value, dict):
            return {**_default_families(), **value}
        return value

    @model_validator(mode="after")
    def _hundred(self) -> "BlueprintPolicy":
        _check_sections("", self.sections, self.sections_by_tier)
        return self

    def family(self, family: str | None) -> FamilyBlueprint | None:
        return self.families.get(family) if family else None

    def sections_for(self, tier: int, kind: str | None = None, family: str | None = None) -> list[SectionSpec]:
        """The most specific sections set for a tier, exam kind and family: the family's own by tier,
        then its sections, then the [blueprint] ones by tier, then the [blueprint] sections."""
        fam = self.family(family)
        if fam is not None:
            found = _sections_in(fam.sections_by_tier or {}, tier, kind)
            if found is not None:
                return found
            if fam.sections is not None:
                return fam.sections
        found = _sections_in(self.sections_by_tier, tier, kind)
        return self.sections if found is None else found

    def expected_score(self, tier: int, family: str | None = None) -> int | None:
        fam = self.family(family)
        if fam is not None and fam.expected_scores and str(tier) in fam.expected_scores:
            return fam.expected_scores[str(tier)]
        return self.expected_scores.get(str(tier))

    def areas_for(self, family: str | None) -> list[str]:
        """The common areas, then the family's own (each once)."""
        fam = self.family(family)
        return list(dict.fromkeys(self.required_areas + (fam.required_areas if fam else [])))


class AllowancePolicy(_Section):
    __doc__ = N_("Grade allowance: the front-line differential.")

    frontline_mode: Literal["share", "fixed"] = Field(
        "share", description=N_('Front-line differential: "share" of the grade amount, or a "fixed" monthly amount.')
    )
    frontline_share_percent: Decimal = Field(Decimal("15"), ge=0, description=N_("Differential share in percent."))
    frontline_fixed_yuan: Decimal = Field(Decimal("0"), ge=0, description=N_("Differential in yuan a month when fixed."))


class TierStandard(_Section):
    """One tier's standard: what the tier requires, and its own pass marks (unset: the
    evaluation section's pass_theory / pass_skill)."""

    text: str = Field("", description=N_("What a holder of this tier can do, as published on the notice."))
    pass_theory: int | None = Field(None, ge=0, le=100, description=N_("Theory pass mark for stepping into or within this tier."))
    pass_skill: int | None = Field(None, ge=0, le=100, description=N_("Skill pass mark for stepping into or within this tier."))


DEFAULT_STANDARDS = {
    "1": "掌握本岗位基本知识、安全规程和作业程序，能在指导下完成常规作业。",
    "2": "能独立完成本岗位常规作业，理解规程要求及其原因，正确处理一般情况。",
    "3": "能分析诊断常见故障和异常，制定作业计划并组织实施，指导初级人员。",
    "4": "能带领班组完成复杂任务，负责质量控制与成果验收，妥善处置突发情况。",
    "5": "能设计技术方案、审核重要成果、制定作业标准，承担培训与技术把关。",
}


class StandardsPolicy(_Section):
    __doc__ = N_("Grade standards: what each tier requires, published with the promotion procedure, the data and\n"
                 "the results, and applied: a candidate must meet the standard of the grade applied for. A step is\n"
                 "judged by the standard of the tier it leads into (annual: the next tier; semiannual: the tier\n"
                 "held). Keys are tier numbers; a post family may set its own standards under\n"
                 "[standards.families.<family>.<tier>], each key falling back to the general one.")

    tiers: dict[str, TierStandard] = Field(
        default_factory=lambda: {t: TierStandard(text=x) for t, x in DEFAULT_STANDARDS.items()},
        description=N_("The standard of each tier."),
    )
    families: dict[str, dict[str, TierStandard]] = Field(
        default_factory=dict, description=N_("Standards of a post family that differ from the general ones.")
    )

    @model_validator(mode="after")
    def _tiers_are_numbers(self) -> "StandardsPolicy":
        for where, table in [("tiers", self.tiers), *((f"families.{f}", t) for f, t in self.families.items())]:
            bad = [k for k in table if not k.isdigit()]
            if bad:
                raise PolicyError(Reason("standards_key", "standards.{table}: keys must be tier numbers, not {keys}",
                                         table=where, keys=bad))
        return self


NOTICE_COLUMNS = ("emp_no", "name", "department", "family", "step", "theory", "skill", "performance", "composite",
                  "rank", "outcome", "rating", "reasons")
OUTCOMES = ("promoted", "fast_track", "qualified_not_promoted", "qualified_inside_wait", "failed", "absent", "placed")
DECISION_KINDS = ("tier_promotion", "level_promotion", "fast_track", "demotion", "deferral", "initial_placement")


class NoticePolicy(_Section):
    __doc__ = N_("Notice: what the public notice shows. China's Personal Information Protection Law allows\n"
                 "disclosing personal information only as far as needed: results are public; disciplinary\n"
                 "records, low ratings, reasons and objection texts stay in the internal results workbook\n"
                 "(`gradecli cycle results CYCLE --out FILE.xlsx`, marked internal).")

    public_columns: list[str] = Field(
        default_factory=lambda: ["emp_no", "name", "department", "step", "theory", "skill", "performance",
                                 "composite", "rank", "outcome"],
        description=N_('Columns of the public results table, in order; any of emp_no, name, department, family, step, '
                       'theory, skill, performance, composite, rank, outcome, rating, reasons ("rating" and "reasons" '
                       'reveal private details and are left out by default).'),
    )
    outcome_wording: dict[str, str] = Field(
        default_factory=lambda: {"promoted": "晋升", "fast_track": "晋升（快速通道）",
                                 "qualified_not_promoted": "合格，名额已满未晋升",
                                 "qualified_inside_wait": "合格（未满年限，未达快速通道条件）", "failed": "不符合晋升条件",
                                 "absent": "缺考", "placed": "定级"},
        description=N_("Public wording of each outcome, instead of its reasons."),
    )
    public_decisions: list[str] = Field(
        default_factory=lambda: list(DECISION_KINDS),
        description=N_("Grade decisions listed on the notice (without their grounds); any of tier_promotion, "
                       "level_promotion, fast_track, demotion, deferral, initial_placement."),
    )

    @model_validator(mode="after")
    def _known(self) -> "NoticePolicy":
        bad = [c for c in self.public_columns if c not in NOTICE_COLUMNS]
        if bad:
            raise PolicyError(Reason("unknown_column", "public_columns: {columns} not one of {known}", columns=bad,
                                     known=list(NOTICE_COLUMNS)))
        missing = [o for o in OUTCOMES if o not in self.outcome_wording]
        if missing:
            raise PolicyError(Reason("outcome_without_wording", "outcome_wording has no wording for {outcomes}; add "
                                     "one for each", outcomes=missing))
        bad = [k for k in self.public_decisions if k not in DECISION_KINDS]
        if bad:
            raise PolicyError(Reason("unknown_decision", "public_decisions: {kinds} not one of {known}", kinds=bad,
                                     known=list(DECISION_KINDS)))
        return self


class BackupPolicy(_Section):
    __doc__ = N_("Backups: automatic backups of a SQLite database, into a backups/ folder beside its file.")

    automatic: bool = Field(
        True,
        description=N_("Take a verified copy before `cycle close` and `allowance compute --replace` write "
        "(on PostgreSQL they are skipped with a note: back up with pg_dump)."),
    )
    keep: int = Field(
        10, ge=1, description=N_("Automatic backups kept per database; older ones are deleted. Copies made with "
        "`gradecli db backup` are never deleted."),
    )


class UiPolicy(_Section):
    __doc__ = N_("Interface: the language of everything gradecli writes for people (overridden by --lang and "
                 "GRADECLI_LANG).")

    language: Literal["zh", "en"] = Field("zh", description=N_('"zh" (Simplified Chinese, the default) or "en" (English).'))


class Policy(_Section):
    """The whole policy. Every section has docs/rules.md's defaults."""

    ladder: LadderPolicy = Field(default_factory=LadderPolicy)
    eligibility: EligibilityPolicy = Field(default_factory=EligibilityPolicy)
    performance: PerformancePolicy = Field(default_factory=PerformancePolicy)
    evaluation: EvaluationPolicy = Field(default_factory=EvaluationPolicy)
    first_evaluation: FirstEvaluationPolicy = Field(default_factory=FirstEvaluationPolicy)
    exam: ExamPolicy = Field(default_factory=ExamPolicy)
    blueprint: BlueprintPolicy = Field(default_factory=BlueprintPolicy)
    allowance: AllowancePolicy = Field(default_factory=AllowancePolicy)
    standards: StandardsPolicy = Field(default_factory=StandardsPolicy)
    notice: NoticePolicy = Field(default_factory=NoticePolicy)
    backup: BackupPolicy = Field(default_factory=BackupPolicy)
    ui: UiPolicy = Field(default_factory=UiPolicy)

    @model_validator(mode="after")
    def _cross_checks(self) -> "Policy":
        ratings = self.performance.ratings
        for name in ("min_rating", "fast_track_rating", "deferral_below_rating", "demotion_rating"):
            value = getattr(self.evaluation, name)
            if value not in ratings:
                raise PolicyError(Reason("unknown_rating", 'evaluation.{key} = "{value}" is not one of the ratings '
                                         '({ratings}); write one of them', key=name, value=value, ratings=list(ratings)))
        fe = self.first_evaluation
        for title, tier in fe.title_min_tier.items():
            if title not in self.eligibility.titles:
                raise PolicyError(Reason("unknown_title", 'first_evaluation.title_min_tier: "{title}" is not a title; '
                                         'write one of {titles}', title=title, titles=list(self.eligibility.titles)))
            if not 1 <= tier <= self.ladder.tiers:
                raise PolicyError(Reason("title_tier_range", "first_evaluation.title_min_tier.{title} = {tier} is "
                                         "outside tiers 1–{tiers}", title=title, tier=tier, tiers=self.ladder.tiers))
        missing = [r for r in self.performance.ratings if r not in fe.rating_points]
        if missing:
            raise PolicyError(Reason("rating_without_points", "first_evaluation.rating_points has no points for "
                                     "{ratings}; give every rating its points", ratings=missing))
        tiers = [t for _, t in fe.tier_by_points] + [fe.no_rating_tier, fe.max_tier]
        if any(not 1 <= t <= self.ladder.tiers for t in tiers):
            raise PolicyError(Reason("placement_tier_range", "first_evaluation: tier_by_points, no_rating_tier and "
                                     "max_tier must name tiers 1–{tiers}", tiers=self.ladder.tiers))
        return self

    def standard(self, family: str | None, tier: int) -> TierStandard:
        """The standard of a tier for a family, every unset key filled from the general standard and
        the evaluation section's pass marks."""
        general = self.standards.tiers.get(str(tier), TierStandard())
        own = self.standards.families.get(family or "", {}).get(str(tier), TierStandard())
        return TierStandard(
            text=own.text or general.text,
            pass_theory=next(v for v in (own.pass_theory, general.pass_theory, self.evaluation.pass_theory) if v is not None),
            pass_skill=next(v for v in (own.pass_skill, general.pass_skill, self.evaluation.pass_skill) if v is not None))

    def levels_for(self, family: str | None) -> int:
        """Levels per tier for a post family."""
        if family and family in self.ladder.family_levels:
            return self.ladder.family_levels[family]
        return self.ladder.levels_per_tier

