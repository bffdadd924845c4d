"""The policy model: every rule number of SPEC.md as a default that an HR officer can change.

A policy file (TOML) overrides any of these; ``gradecli policy init FILE`` writes them all out
with the comments below, so the descriptions here are what the HR officer reads.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TITLES = ("无", "初级", "中级", "副高级", "正高级")
RATINGS = ("优秀", "良好", "合格", "基本合格", "不合格")  # best first
QUESTION_TYPES = ("single", "multiple", "judge", "fill", "short")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LadderPolicy(_Section):
    """等级: tiers (等) and levels (级)."""

    tiers: int = Field(5, ge=1, le=9, description="Number of tiers (等) on every ladder.")
    levels_per_tier: int = Field(
        3, ge=1, le=9, description="Levels (级) in each tier unless a post family sets its own."
    )
    family_levels: dict[str, int] = Field(
        default_factory=dict,
        description='Levels per tier for a post family, e.g. { 航标 = 4 }; others use levels_per_tier.',
    )
    families: list[str] = Field(
        default_factory=lambda: ["客服", "航标", "测量", "通信"],
        description="Post families (岗位序列) known before any roster is imported.",
    )
    tier_labels: list[str] = Field(
        default_factory=lambda: ["一等", "二等", "三等", "四等", "五等"],
        description="Label of each tier, entry tier first.",
    )
    level_label: str = Field("{n}级", description="Label of a level; {n} is the level number.")
    target_shares: list[int] = Field(
        default_factory=lambda: [35, 25, 20, 13, 7],
        description="Target share of staff per tier in percent (the pyramid), tier 1 first; sums to 100.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> "LadderPolicy":
        if len(self.tier_labels) != self.tiers:
            raise ValueError(f"tier_labels has {len(self.tier_labels)} labels for {self.tiers} tiers")
        if len(self.target_shares) != self.tiers:
            raise ValueError(f"target_shares has {len(self.target_shares)} values for {self.tiers} tiers")
        if sum(self.target_shares) != 100:
            raise ValueError(f"target_shares add up to {sum(self.target_shares)}, not 100")
        for fam, n in self.family_levels.items():
            if not 1 <= n <= 9:
                raise ValueError(f"family_levels.{fam} = {n}: levels per tier must be 1 to 9")
        return self


class EligibilityPolicy(_Section):
    """报名资格: waiting times, title requirements, deferral."""

    level_wait_months: int = Field(12, ge=0, description="Months at the current level before a level step.")
    tier_wait_months: int = Field(
        24, ge=0, description="Months at the top level of a tier before a tier step."
    )
    frontline_wait_share: str = Field(
        "2/3",
        description='Share of the wait that front-line and hardship posts serve ("缩短晋级年限"), as a fraction '
        '("2/3"), counted from the post history since the grade: a day served in a front-line post counts '
        '1 / share days (1.5 with 2/3), a day elsewhere 1, so only time actually served there shortens the wait.',
    )
    deferral_cycles: int = Field(
        1, ge=0,
        description='Cycles of each kind a deferral bars ("对于有特定情形的，给予延期选升"): the next N annual and '
        'the next N semiannual exams whose exam date falls after the deferral takes effect (0: none). '
        'Replaces deferral_months.',
    )
    title_requirements: dict[str, str] = Field(
        default_factory=dict,
        description='Lowest professional title (职称) for a target tier, e.g. { "4" = "中级" }; none by default. '
        'The ladder is a second career path for those whom titles stop ("大多数人将在中级专业技术职务上达到个人瓶颈"), '
        'and people with one title should differ by skill and performance ("相同专业技术职级的人员…在等级晋升上应存在差异").',
    )
    titles: list[str] = Field(
        default_factory=lambda: list(TITLES), description="Professional titles, lowest first."
    )
    certificate_requirements: dict[str, list[str]] = Field(
        default_factory=dict,
        description='Certificates (证书) a candidate must hold to step up into a tier, as named in the roster\'s '
        '证书 column, e.g. { "4" = ["客服中级证书"] }; none by default. Checked for tier steps, like titles.',
    )

    @field_validator("frontline_wait_share")
    @classmethod
    def _fraction(cls, v: str) -> str:
        try:
            f = Fraction(v)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f'"{v}" is not a fraction; write it like "2/3"') from None
        if not 0 < f <= 1:
            raise ValueError(f'"{v}" must lie between 0 and 1')
        return v

    @model_validator(mode="after")
    def _titles_known(self) -> "EligibilityPolicy":
        for tier, title in self.title_requirements.items():
            if title not in self.titles:
                raise ValueError(f'title_requirements."{tier}" = "{title}" is not one of {self.titles}')
            if not tier.isdigit():
                raise ValueError(f'title_requirements key "{tier}" must be a tier number')
        for tier, names in self.certificate_requirements.items():
            if not tier.isdigit():
                raise ValueError(f'certificate_requirements key "{tier}" must be a tier number')
            if any(not n.strip() for n in names):
                raise ValueError(f'certificate_requirements."{tier}" has an empty certificate name')
        return self

    @cached_property
    def frontline_share(self) -> Fraction:
        return Fraction(self.frontline_wait_share)  # parsed once: eligibility asks for every person


class PerformancePolicy(_Section):
    """工作业绩: appraisal ratings and the score each maps to."""

    ratings: list[str] = Field(default_factory=lambda: list(RATINGS), description="Ratings, best first.")
    scores: dict[str, int] = Field(
        default_factory=lambda: {"优秀": 95, "良好": 85, "合格": 75, "基本合格": 65, "不合格": 50},
        description="Performance score (0–100) for each rating.",
    )

    @model_validator(mode="after")
    def _every_rating_scored(self) -> "PerformancePolicy":
        missing = [r for r in self.ratings if r not in self.scores]
        if missing:
            raise ValueError(f"scores has no value for {', '.join(missing)}")
        bad = [f"{k} = {v}" for k, v in self.scores.items() if not 0 <= v <= 100]
        if bad:
            raise ValueError(f"scores must lie in 0–100: {', '.join(bad)}")
        return self

    def rank(self, rating: str) -> int:
        """0 for the best rating; a higher number is worse."""
        return self.ratings.index(rating)


class EvaluationPolicy(_Section):
    """选升评定 and its consequences: pass marks, weights, quotas, fast track, demotion."""

    pass_theory: int = Field(60, ge=0, le=100, description="Pass mark of the theory exam (理论考试).")
    pass_skill: int = Field(60, ge=0, le=100, description="Pass mark of the practical skill part (实际操作技能).")
    min_rating: str = Field("合格", description="Lowest appraisal rating that passes the performance part.")
    weight_theory: int = Field(40, ge=0, le=100, description="Weight of theory in the composite, percent.")
    weight_skill: int = Field(30, ge=0, le=100, description="Weight of skill in the composite, percent.")
    weight_performance: int = Field(30, ge=0, le=100, description="Weight of performance, percent.")
    quota_mode: Literal["share", "pyramid", "fixed"] = Field(
        "share",
        description='How the annual quota per target tier is set: "share" of the registered candidates, '
        '"pyramid" (seats left under the target share), or "fixed" (given with --quota at evaluation).',
    )
    quota_shares: dict[str, int] = Field(
        default_factory=lambda: {"2": 50, "3": 40, "4": 30, "5": 20},
        description="Quota share per target tier in percent of registered candidates (rounded down, at least 1 when anyone passed).",
    )
    semiannual_quota_share: int | None = Field(
        None, ge=0, le=100, description="Quota for semiannual level steps in percent; leave out for no quota."
    )
    fast_track_composite: int = Field(90, ge=0, le=100, description="Composite needed for the fast track (快速通道).")
    fast_track_rating: str = Field("优秀", description="Rating needed for the fast track.")
    fast_track_cap_share: int = Field(20, ge=0, le=100, description="Fast-track places as a percent of the quota.")
    fast_track_cap_min: int = Field(1, ge=0, description="Fast-track places at least, whatever the quota.")
    deferral_below_rating: str = Field(
        "合格", description="A rating below this one (or a disciplinary record) defers promotion (延期选升)."
    )
    demotion_rating: str = Field("不合格", description="A rating that demotes one level (降低等级).")
    demotion_consecutive_fails: int = Field(
        2, ge=1, description="Consecutive failed intra-tier exams that demote one level."
    )
    transfer_drop: Literal["tier", "level"] = Field(
        "tier", description='Drop on transfer out of a front-line post: "tier" or "level".'
    )
    objection_days: int = Field(7, ge=0, description="Days of the objection window after a notice (公示).")

    @model_validator(mode="after")
    def _weights(self) -> "EvaluationPolicy":
        total = self.weight_theory + self.weight_skill + self.weight_performance
        if total != 100:
            raise ValueError(f"weights add up to {total}, not 100")
        return self


class FirstEvaluationPolicy(_Section):
    """首次评定 (lenient first placement)."""

    title_tier: dict[str, int] = Field(
        default_factory=lambda: {"无": 1, "初级": 2, "中级": 3, "副高级": 4, "正高级": 5},
        description="Starting tier for each professional title.",
    )
    service_year_steps: list[int] = Field(
        default_factory=lambda: [5, 10],
        description="Years of service at which the starting level rises: under 5 → level 1, 5–9 → 2, 10+ → 3.",
    )
    ratings_up: list[str] = Field(default_factory=lambda: ["优秀"], description="Ratings that move the level up one.")
    ratings_down: list[str] = Field(
        default_factory=lambda: ["基本合格", "不合格"], description="Ratings that move the level down one."
    )


class ExamPolicy(_Section):
    """Exam cycles and scoring of answer sheets."""

    multiple_scoring: Literal["all_or_nothing", "half_for_partial"] = Field(
        "all_or_nothing",
        description='Multiple choice: "all_or_nothing", or "half_for_partial" (少选得一半分，错选不得分).',
    )
    annual_exam_date: str = Field("11-15", description="Default exam day of the annual cycle (MM-DD).")
    h1_exam_date: str = Field("06-15", description="Default exam day of the first half-year cycle (MM-DD).")
    h2_exam_date: str = Field("12-15", description="Default exam day of the second half-year cycle (MM-DD).")


class SectionSpec(_Section):
    type: Literal["single", "multiple", "judge", "fill", "short"]
    count: int = Field(ge=1)
    points: int = Field(ge=1)


class BlueprintPolicy(_Section):
    """组卷方案: how a 100-point paper is drawn."""

    sections: list[SectionSpec] = Field(
        default_factory=lambda: [
            SectionSpec(type="single", count=20, points=2),
            SectionSpec(type="multiple", count=10, points=3),
            SectionSpec(type="judge", count=10, points=1),
            SectionSpec(type="fill", count=5, points=2),
            SectionSpec(type="short", count=2, points=5),
        ],
        description="Sections by question type: count and points each; they must total 100 points.",
    )
    sections_by_tier: dict[str, list[SectionSpec]] = Field(
        default_factory=dict,
        description='Sections for one tier or one tier and exam kind, replacing the default: keys "3", '
        '"annual-3" or "semiannual-3". An empty list means no blueprint: any active questions totalling 100.',
    )
    expected_scores: dict[str, int] = Field(
        default_factory=lambda: {"1": 75, "2": 70, "3": 65, "4": 60, "5": 55},
        description="Target expected score (Σ points × difficulty) per tier.",
    )
    tolerance: int = Field(2, ge=0, description="Allowed distance from the target expected score, points.")
    required_areas: list[str] = Field(
        default_factory=lambda: ["岗位职责", "服务规范与礼仪", "投诉处理", "等级制度"],
        description="Knowledge areas (知识点) each paper must cover at least once.",
    )
    exposure_last_papers: int = Field(2, ge=0, description="Avoid questions from the candidate's last N papers.")
    exposure_sitting_share: int = Field(
        50, ge=1, le=100, description="No question in more than this percent of one sitting's papers."
    )
    variant_overlap_share: int = Field(
        30, ge=0, le=100, description="Shared variants: at most this percent of questions in common."
    )
    enemy_groups: list[list[str]] = Field(
        default_factory=list, description="Groups of question ids that must not appear on one paper."
    )

    @model_validator(mode="after")
    def _hundred(self) -> "BlueprintPolicy":
        for name, sections in [("sections", self.sections), *self.sections_by_tier.items()]:
            total = sum(s.count * s.points for s in sections)
            if sections and total != 100:
                raise ValueError(f"{name}: sections total {total} points, not 100")
        for key in self.sections_by_tier:
            kind, _, tier = key.rpartition("-")
            if kind not in ("", "annual", "semiannual") or not tier.isdigit():
                raise ValueError(f'sections_by_tier key "{key}" must look like "3", "annual-3" or "semiannual-3"')
        return self

    def sections_for(self, tier: int, kind: str | None = None) -> list[SectionSpec]:
        """The most specific sections set for a tier and exam kind."""
        for key in ([f"{kind}-{tier}"] if kind else []) + [str(tier)]:
            if key in self.sections_by_tier:
                return self.sections_by_tier[key]
        return self.sections


class AllowancePolicy(_Section):
    """等级津贴: the front-line differential (岗位级差)."""

    frontline_mode: Literal["share", "fixed"] = Field(
        "share", description='Front-line differential: "share" of the grade amount, or a "fixed" monthly amount.'
    )
    frontline_share_percent: Decimal = Field(Decimal("15"), ge=0, description="Differential share in percent.")
    frontline_fixed_yuan: Decimal = Field(Decimal("0"), ge=0, description="Differential in yuan a month when fixed.")


NOTICE_COLUMNS = ("emp_no", "name", "department", "family", "step", "theory", "skill", "performance", "composite",
                  "rank", "outcome", "rating", "reasons")
OUTCOMES = ("promoted", "fast_track", "qualified_not_promoted", "failed", "absent")
DECISION_KINDS = ("tier_promotion", "level_promotion", "fast_track", "demotion", "deferral")


class NoticePolicy(_Section):
    """公示: what the public notice shows. China's Personal Information Protection Law (个人信息保护法)
    allows disclosing personal information only as far as needed: results are public ("评定结果公开"),
    disciplinary records, low ratings, reasons and objection texts stay in the internal results
    workbook (`gradecli cycle results CYCLE --out FILE.xlsx`, marked 内部资料)."""

    public_columns: list[str] = Field(
        default_factory=lambda: ["emp_no", "name", "department", "step", "theory", "skill", "performance",
                                 "composite", "rank", "outcome"],
        description="Columns of the public results table, in order; any of " + ", ".join(NOTICE_COLUMNS)
        + ' ("rating" and "reasons" reveal private details and are left out by default).',
    )
    outcome_wording: dict[str, str] = Field(
        default_factory=lambda: {"promoted": "晋升", "fast_track": "晋升（快速通道）",
                                 "qualified_not_promoted": "合格，名额已满未晋升", "failed": "不符合晋升条件",
                                 "absent": "缺考"},
        description="Public wording of each outcome, instead of its reasons.",
    )
    public_decisions: list[str] = Field(
        default_factory=lambda: list(DECISION_KINDS),
        description="Grade decisions listed on the notice (without their grounds); any of " + ", ".join(DECISION_KINDS) + ".",
    )

    @model_validator(mode="after")
    def _known(self) -> "NoticePolicy":
        bad = [c for c in self.public_columns if c not in NOTICE_COLUMNS]
        if bad:
            raise ValueError(f"public_columns: {', '.join(bad)} not one of {', '.join(NOTICE_COLUMNS)}")
        missing = [o for o in OUTCOMES if o not in self.outcome_wording]
        if missing:
            raise ValueError(f"outcome_wording has no wording for {', '.join(missing)}")
        bad = [k for k in self.public_decisions if k not in DECISION_KINDS]
        if bad:
            raise ValueError(f"public_decisions: {', '.join(bad)} not one of {', '.join(DECISION_KINDS)}")
        return self


class BackupPolicy(_Section):
    """备份: automatic backups of a SQLite database, into a backups/ folder beside its file."""

    automatic: bool = Field(
        True,
        description="Take a verified copy before `cycle close` and `allowance compute --replace` write "
        "(on PostgreSQL they are skipped with a note: back up with pg_dump).",
    )
    keep: int = Field(
        10, ge=1, description="Automatic backups kept per database; older ones are deleted. Copies made with "
        "`gradecli db backup` are never deleted.",
    )


class Policy(_Section):
    """The whole policy. Every section has SPEC.md's defaults."""

    ladder: LadderPolicy = Field(default_factory=LadderPolicy)
    eligibility: EligibilityPolicy = Field(default_factory=EligibilityPolicy)
    performance: PerformancePolicy = Field(default_factory=PerformancePolicy)
    evaluation: EvaluationPolicy = Field(default_factory=EvaluationPolicy)
    first_evaluation: FirstEvaluationPolicy = Field(default_factory=FirstEvaluationPolicy)
    exam: ExamPolicy = Field(default_factory=ExamPolicy)
    blueprint: BlueprintPolicy = Field(default_factory=BlueprintPolicy)
    allowance: AllowancePolicy = Field(default_factory=AllowancePolicy)
    notice: NoticePolicy = Field(default_factory=NoticePolicy)
    backup: BackupPolicy = Field(default_factory=BackupPolicy)

    @model_validator(mode="after")
    def _cross_checks(self) -> "Policy":
        ratings = self.performance.ratings
        for name in ("min_rating", "fast_track_rating", "deferral_below_rating", "demotion_rating"):
            value = getattr(self.evaluation, name)
            if value not in ratings:
                raise ValueError(f"evaluation.{name} = {value!r} is not one of the ratings {ratings}")
        for title, tier in self.first_evaluation.title_tier.items():
            if title not in self.eligibility.titles:
                raise ValueError(f"first_evaluation.title_tier: {title!r} is not a title")
            if not 1 <= tier <= self.ladder.tiers:
                raise ValueError(f"first_evaluation.title_tier.{title} = {tier} is outside tiers 1–{self.ladder.tiers}")
        return self

    def levels_for(self, family: str | None) -> int:
        """Levels per tier for a post family."""
        if family and family in self.ladder.family_levels:
            return self.ladder.family_levels[family]
        return self.ladder.levels_per_tier

