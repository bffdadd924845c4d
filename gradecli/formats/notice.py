"""The public notice (公示) of a cycle's results, as Excel and as printable HTML.

Every word comes from the message catalogue, in the run's language (Chinese by default); what the
office wrote in its policy (the public wording of outcomes, the grade standards, the tier labels)
and the data (names, departments, post families, ratings) are shown as they are."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from gradecli.domain.ledger import DECISION_LABELS
from gradecli.domain.policy import Policy
from gradecli.domain.values import AbsentMark
from gradecli.formats.excel import ABSENT_TEXT, SheetOut, write_workbook
from gradecli.formats.paper_out import FONT_STACK
from gradecli.i18n import Msg, N_, Reason, _, catalogue, language, loads, render

FIRST_COLUMNS = ["emp_no", "name", "department", "family", "step", "outcome"]
COLUMN_HEADERS = {"emp_no": N_("Employee No."), "name": N_("Name"), "department": N_("Department"),
                  "family": N_("Post family"), "step": N_("Step"), "theory": N_("Theory"), "skill": N_("Skill"),
                  "performance": N_("Performance"), "composite": N_("Composite"), "rank": N_("Rank"),
                  "outcome": N_("Outcome"), "rating": N_("Appraisal rating"), "reasons": N_("Reasons")}
COLUMN_WIDTHS = {"reasons": 60, "outcome": 18, "department": 12, "step": 12, "family": 10}
# The built-in public wording of each outcome; the policy's [notice] outcome_wording may replace it
# with the office's own text. The defaults of the policy are these texts in Chinese.
PUBLIC_WORDING = {"promoted": N_("promoted"), "fast_track": N_("promoted (fast track)"),
                  "qualified_not_promoted": N_("qualified; the quota is filled, not promoted"),
                  "qualified_inside_wait": N_("qualified (waiting time not served, fast-track bar not met)"),
                  "failed": N_("does not meet the conditions for promotion"), "absent": N_("absent"),
                  "placed": N_("placed")}
APPEAL_STATUS = {"pending": N_("pending"), "upheld": N_("upheld"), "rejected": N_("rejected")}
DECISION_HEADERS = [N_("Employee No."), N_("Name"), N_("Decision"), N_("Former grade"), N_("New grade")]


def public_outcome(policy: Policy, code: str) -> Reason:
    """An outcome as the notice words it: the policy's wording, or the built-in one in the run's
    language where the policy keeps its default (the built-in wording in Chinese)."""
    wording = policy.notice.outcome_wording.get(code)
    builtin = PUBLIC_WORDING.get(code)
    if builtin is not None and (wording is None or wording == builtin or wording == catalogue("zh").gettext(builtin)):
        wording = builtin
    return Reason(code, wording or code)


def decision_name(kind: str) -> Msg | str:
    name = DECISION_LABELS.get(kind)
    return Reason(kind, name) if name else kind


def group_name(key: str, q: dict) -> Msg | str:
    """A quota group (a family and a target tier) in words, from its parts or, as evaluations stored
    it before, from its key (FAMILY → tier N)."""
    if q.get("tier") is not None:
        return Msg("{family} → tier {tier}", family=q.get("family") or "", tier=q["tier"])
    m = re.fullmatch(r"(.*) → tier (\d+)", key)
    return Msg("{family} → tier {tier}", family=m.group(1), tier=int(m.group(2))) if m else key


def _deferral_rule(rating: str, cycles: int) -> Msg:
    if cycles == 0:
        return Msg("Deferral: a disciplinary record or an appraisal below {rating} in the year is recorded, with no "
                   "bar on registering.", rating=rating)
    if cycles == 1:
        return Msg("Deferral: after a disciplinary record or an appraisal below {rating} in the year, no registration "
                   "for the next inter-tier exam or the next intra-tier exam held after it takes effect.", rating=rating)
    return Msg("Deferral: after a disciplinary record or an appraisal below {rating} in the year, no registration for "
               "the next {count} inter-tier exams or the next {count} intra-tier exams held after it takes effect.",
               rating=rating, count=cycles)


@dataclass
class Notice:
    cycle: str
    kind: str
    revision: int
    published_on: date
    window_ends: date
    exam_date: date
    effective: date | None
    policy: Policy
    quotas: dict
    rows: list[dict]
    decisions: list[dict]
    changes: list[Any] = field(default_factory=list)  # messages (text stored before messages were data)
    appeals: list[Any] = field(default_factory=list)
    groups: list[tuple[str, int]] = field(default_factory=list)  # (family, tier whose standard applies)
    fairness: list[Msg] = field(default_factory=list)  # a line per tier: how alike its papers were (试卷难度一致性)

    @property
    def title(self) -> Msg:
        revised = self.revision > 1
        if self.kind == "first":
            return (Msg("Public notice of the first grade placement (placed as of {date}), revision {revision}",
                        date=self.exam_date, revision=self.revision) if revised else
                    Msg("Public notice of the first grade placement (placed as of {date})", date=self.exam_date))
        if self.kind == "annual":
            return (Msg("Public notice of the results of the {cycle} inter-tier exam (annual), revision {revision}",
                        cycle=self.cycle, revision=self.revision) if revised else
                    Msg("Public notice of the results of the {cycle} inter-tier exam (annual)", cycle=self.cycle))
        return (Msg("Public notice of the results of the {cycle} intra-tier exam (half-yearly), revision {revision}",
                    cycle=self.cycle, revision=self.revision) if revised else
                Msg("Public notice of the results of the {cycle} intra-tier exam (half-yearly)", cycle=self.cycle))

    @property
    def columns(self) -> list[str]:
        return FIRST_COLUMNS if self.kind == "first" else self.policy.notice.public_columns

    def standards(self) -> list[Msg]:
        if self.kind == "first":
            return self._placement_rules()
        e = self.policy.evaluation
        labels = self.policy.ladder.tier_labels
        lines = list(self.fairness)
        for family, tier in self.groups:
            st = self.policy.standard(family, tier)
            where = labels[tier - 1] if tier <= len(labels) else Msg("tier {tier}", tier=tier)
            lines.append(Msg("Standard of {tier} ({family}): {text} Pass marks: theory exam ≥ {theory}, practical skill "
                             "≥ {skill}.", tier=where, family=family, text=st.text, theory=st.pass_theory,
                             skill=st.pass_skill))
        points = [Msg("{rating} {points}", rating=k, points=v) for k, v in self.policy.performance.scores.items()]
        lines += [
            Msg("To pass: theory and practical skill at the pass marks of the grade applied for, and a work performance "
                "appraisal of {rating} or better; a promotion needs all three.", rating=e.min_rating),
            Msg("Composite = theory × {theory}% + skill × {skill}% + performance × {performance}% (performance points: "
                "{points}).", theory=e.weight_theory, skill=e.weight_skill, performance=e.weight_performance,
                points=points),
            Msg("Ranking: the higher composite first; on a tie, performance, then skill, then time in the current grade "
                "(longer first), then employee number."),
            Msg("Fast track: a composite ≥ {composite} and performance {rating}, outside the quota and the waiting time "
                "(at most {share} percent of the quota, at least {minimum}).", composite=e.fast_track_composite,
                rating=e.fast_track_rating, share=e.fast_track_cap_share, minimum=e.fast_track_cap_min),
            _deferral_rule(e.deferral_below_rating, self.policy.eligibility.deferral_cycles),
            Msg("Demotion: an appraisal of {rating}, or {count} failed intra-tier exams in a row, lowers the grade by one "
                "level.", rating=e.demotion_rating, count=e.demotion_consecutive_fails),
        ]
        for group, q in self.quotas.items():
            how = loads(q["derivation"]) if isinstance(q.get("derivation"), str) else q.get("derivation")
            if q["quota"] is None:
                lines.append(Msg("Quota ({group}): no limit — {derivation}; {registered} registered.",
                                 group=group_name(group, q), derivation=how, registered=q["registered"]))
            else:
                lines.append(Msg("Quota ({group}): {quota} — {derivation}; {registered} registered.",
                                 group=group_name(group, q), quota=q["quota"], derivation=how,
                                 registered=q["registered"]))
        return lines

    def _placement_rules(self) -> list[Msg]:
        fe = self.policy.first_evaluation
        labels = self.policy.ladder.tier_labels
        points = [Msg("{rating} {points} points", rating=k, points=v) for k, v in fe.rating_points.items()]
        table = [Msg("mean ≥ {low} points: {tier}", low=low, tier=labels[t - 1]) for low, t in fe.tier_by_points]
        steps = list(fe.service_year_steps)
        lines = [
            Msg("Lenient first placement: work performance is the main basis and the exam a reference; every "
                "professional-technical employee enters the grade system."),
            Msg("Work performance: the appraisals of the {years} years before the placement date ({points}), tiered by "
                "their mean: {table}; without an appraisal record: {lowest}.", years=fe.rating_years, points=points,
                table=table, lowest=labels[fe.no_rating_tier - 1]),
            Msg("Years of service: {years} years give levels {levels} in turn; {tier_years} years of service move one "
                "tier up (a first placement goes no higher than {highest}).", years=steps,
                levels=list(range(2, len(steps) + 2)), tier_years=fe.service_tier_years, highest=labels[fe.max_tier - 1])
            if fe.service_tier_years else
            Msg("Years of service: {years} years give levels {levels} in turn.", years=steps,
                levels=list(range(2, len(steps) + 2))),
            Msg("The exam is a reference only: a record close to the next tier (within {margin} points) with an exam of "
                "{score} or more is placed in that tier; the exam lowers nobody's placement.",
                margin=fe.borderline_points, score=fe.exam_lift_score),
        ]
        if fe.title_min_tier:
            rules = [Msg("{title} at least {tier}", title=k, tier=labels[v - 1]) for k, v in fe.title_min_tier.items()]
            lines.append(Msg("Titles: {rules}.", rules=rules))
        return lines

    def procedure(self) -> list[Msg]:
        dates = dict(day=self.exam_date, published=self.published_on, window=self.window_ends)
        return [
            Msg("Placement date: {day}; published: {published}; objections until {window} (inclusive).", **dates)
            if self.kind == "first" else
            Msg("Exam date: {day}; published: {published}; objections until {window} (inclusive).", **dates),
            Msg("Anyone who objects to a result writes to the HR department by {window}, giving their name, employee "
                "number and reasons.", window=self.window_ends),
            Msg("Once the objections are settled and the notice period is over, the results take effect on {date} and "
                "are entered in the grade ledger.", date=self.effective) if self.effective else
            Msg("Once the objections are settled and the notice period is over, the results take effect on the first "
                "day of the next month and are entered in the grade ledger."),
        ]

    def public_rows(self) -> tuple[list[str], list[list]]:
        """The results table as posted: the policy's public columns, outcomes in public wording."""
        cols = self.columns
        body = [[public_outcome(self.policy, r["outcome_code"]) if k == "outcome" else _cell(r.get(k)) for k in cols]
                for r in self.rows]
        return [COLUMN_HEADERS[k] for k in cols], body

    def public_decisions(self) -> list[list]:
        """Grade decisions as posted: who, what, from and to — never the grounds."""
        kinds = set(self.policy.notice.public_decisions)
        return [[d["emp_no"], d["name"], decision_name(d["kind"]), d["from"], d["to"]]
                for d in self.decisions if d["kind"] in kinds]

    def what_changed(self) -> list[Any]:
        return [*(self.changes or [Msg("No change in the results")]), *self.appeals]


def _labels(headers: list[str]) -> list[Msg]:
    """N_-marked headers, translated when the sheet is written."""
    return [Msg(h) for h in headers]


def _cell(v: Any) -> Any:
    """A value for a sheet cell: messages and lists as text in the run's language."""
    return render(v) if isinstance(v, (list, tuple)) else loads(v) if isinstance(v, str) else v


def write(out: Path, n: Notice) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    stem = f"notice-{n.cycle}-r{n.revision}"
    xlsx, page = out / f"{stem}.xlsx", out / f"{stem}.html"
    headers, body = n.public_rows()
    sheets = [
        SheetOut(Msg("Results"), _labels(headers), body,
                 widths=[COLUMN_WIDTHS.get(k, 8) for k in n.columns]),
        SheetOut(Msg("Decisions"), _labels(DECISION_HEADERS), n.public_decisions(), widths=[10, 8, 14, 8, 8]),
        SheetOut(Msg("Standards and procedure"), [n.title], ([line] for line in n.standards() + n.procedure()),
                 widths=[120]),
    ]
    if n.revision > 1:
        sheets.append(SheetOut(Msg("Changes"), [Msg("What changed in this revision")],
                               ([_cell(c)] for c in n.what_changed()), widths=[120]))
    write_workbook(xlsx, sheets)
    page.write_text(_html(n), encoding="utf-8")
    return [xlsx, page]


def write_internal(path: Path, n: Notice, appeals: list[dict]) -> Path:
    """Every detail of a cycle's results, for the HR office only (内部资料): ratings, reasons,
    the grounds of each decision, the quota derivations and the objections with their texts."""
    cols = list(COLUMN_HEADERS)
    note = [[Msg("INTERNAL: holds appraisal ratings, disciplinary records, the grounds of each result and the texts of "
                 "objections — personal information for the HR department only; never post it.")],
            [Msg("To post the results, use the notice written by `gradecli cycle publish`.")],
            [Msg("Internal copy: {title}", title=n.title)]]
    sheets = [
        SheetOut(Msg("Internal notes"), [Msg("[INTERNAL]")], note, widths=[100]),
        SheetOut(Msg("Internal results"), _labels([COLUMN_HEADERS[k] for k in cols]),
                 ([public_outcome(n.policy, r["outcome_code"]) if k == "outcome" else _cell(r.get(k)) for k in cols]
                  for r in n.rows),
                 widths=[COLUMN_WIDTHS.get(k, 8) for k in cols]),
        SheetOut(Msg("Internal decisions"), _labels(DECISION_HEADERS + [N_("Grounds")]),
                 ([d["emp_no"], d["name"], decision_name(d["kind"]), d["from"], d["to"], _cell(d["reason"])]
                  for d in n.decisions), widths=[10, 8, 14, 8, 8, 80]),
        SheetOut(Msg("Internal quotas"), _labels([N_("Group"), N_("Quota"), N_("Derivation"), N_("Registered"),
                                                  N_("Promoted"), N_("Fast track")]),
                 ([group_name(g, q), q["quota"], _cell(q["derivation"]), q["registered"], q["promoted"], q["fast_track"]]
                  for g, q in n.quotas.items()), widths=[18, 8, 80, 8, 8, 10]),
        SheetOut(Msg("Internal objections"), _labels([N_("Employee No."), N_("Filed on"), N_("Objection"), N_("Objection status"),
                                                      N_("Resolution"), N_("Resolved on")]),
                 ([a["emp_no"], a["filed_on"], a["reason"],
                   Reason(a["status"], APPEAL_STATUS[a["status"]]) if a["status"] in APPEAL_STATUS else a["status"],
                   a["note"], a["resolved_on"]] for a in appeals),
                 widths=[10, 12, 50, 10, 50, 12]),
    ]
    return write_workbook(path, sheets)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if v.__class__ is AbsentMark:
        return _(ABSENT_TEXT)
    return render(_cell(v))


def _html(n: Notice) -> str:
    e = html.escape
    headers, body_rows = n.public_rows()
    head = "".join(f"<th>{e(_(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{e(_text(v))}</td>" for v in row) + "</tr>" for row in body_rows)
    dec = "".join("<tr>" + "".join(f"<td>{e(_text(v))}</td>" for v in d) + "</tr>" for d in n.public_decisions())
    dec_head = "".join(f"<th>{e(_(h))}</th>" for h in DECISION_HEADERS)
    changes = ""
    if n.revision > 1:
        items = "".join(f"<li>{e(_text(c))}</li>" for c in n.what_changed())
        heading = _("This is a revised notice; what changed:")
        changes = f'<h2>{e(heading)}</h2><ul class="changes">{items}</ul>'
    std = "".join(f"<li>{e(render(x))}</li>" for x in n.standards())
    proc = "".join(f"<li>{e(render(x))}</li>" for x in n.procedure())
    css = (f"@page {{ size: A4 landscape; margin: 14mm; }} body {{ font-family: {FONT_STACK}; font-size: 10pt; }}"
           "h1 { text-align: center; font-size: 16pt; } h2 { font-size: 12pt; margin-top: 5mm; }"
           "table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #000; padding: 1mm 2mm; }"
           "th { background: #eee; } tr { page-break-inside: avoid; } .changes li { color: #a00; }")
    title = e(render(n.title))
    period = Msg("Notice period: {start} to {end}", start=n.published_on, end=n.window_ends)
    h_std, h_proc = e(_("1. Evaluation standards")), e(_("2. Procedure and dates"))
    h_results, h_decisions = e(_("3. Results")), e(_("4. Grade decisions"))
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if language() == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{title}</title><style>{css}</style></head><body><h1>{title}</h1>{changes}"
            f"<h2>{h_std}</h2><ul>{std}</ul><h2>{h_proc}</h2><ul>{proc}</ul>"
            f"<h2>{h_results}</h2><table><tr>{head}</tr>{body}</table>"
            f"<h2>{h_decisions}</h2><table><tr>{dec_head}</tr>{dec}</table>"
            f"<p>{e(render(period))}</p></body></html>\n")
