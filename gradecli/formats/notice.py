"""The public notice (公示) of a cycle's results, as Excel and as printable HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gradecli.domain.policy import Policy
from gradecli.domain.values import AbsentMark
from gradecli.formats.excel import ABSENT_TEXT, SheetOut, write_workbook
from gradecli.formats.paper_out import FONT_STACK

KIND_TITLE = {"annual": "分等考试（年度）", "semiannual": "等内考试（半年度）", "first": "首次评定"}
FIRST_COLUMNS = ["emp_no", "name", "department", "family", "step", "outcome"]
COLUMN_HEADERS = {"emp_no": "工号", "name": "姓名", "department": "部门", "family": "岗位序列", "step": "申报",
                  "theory": "理论", "skill": "实操", "performance": "业绩", "composite": "综合", "rank": "名次",
                  "outcome": "结果", "rating": "考核等次", "reasons": "说明"}
COLUMN_WIDTHS = {"reasons": 60, "outcome": 18, "department": 12, "step": 12, "family": 10}
DECISION_NAMES = {"tier_promotion": "晋等", "level_promotion": "晋级", "fast_track": "快速通道晋升",
                  "deferral": "延期选升", "demotion": "降低等级", "initial_placement": "定级"}
INTERNAL = "内部资料"


def _deferral_bar(cycles: int) -> str:
    if cycles == 0:
        return "记录在案，不限制申报"
    n = "一" if cycles == 1 else f" {cycles} "
    return f"生效后举行的下{n}次分等考试和下{n}次等内考试均不得申报"


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
    changes: list[str] = field(default_factory=list)
    appeals: list[str] = field(default_factory=list)
    groups: list[tuple[str, int]] = field(default_factory=list)  # (family, tier whose standard applies)

    @property
    def title(self) -> str:
        rev = f"（第{self.revision}版·修订）" if self.revision > 1 else ""
        if self.kind == "first":
            return f"岗位等级首次评定结果公示（{self.exam_date} 定级）{rev}"
        return f"{self.cycle} 岗位等级{KIND_TITLE[self.kind]}评定结果公示{rev}"

    @property
    def columns(self) -> list[str]:
        return FIRST_COLUMNS if self.kind == "first" else self.policy.notice.public_columns

    def standards(self) -> list[str]:
        if self.kind == "first":
            return self._placement_rules()
        e = self.policy.evaluation
        labels = self.policy.ladder.tier_labels
        lines = []
        for family, tier in self.groups:
            st = self.policy.standard(family, tier)
            where = labels[tier - 1] if tier <= len(labels) else f"{tier}等"
            lines.append(f"{where}等级标准（{family}）：{st.text} 合格线：理论考试 ≥ {st.pass_theory} 分，"
                         f"实际操作技能 ≥ {st.pass_skill} 分。")
        lines += [
            f"合格标准：理论、实操达到所申报等级的合格线，工作业绩考核 {e.min_rating} 及以上；三项均合格方可晋升。",
            f"综合成绩 = 理论 × {e.weight_theory}% + 实操 × {e.weight_skill}% + 业绩 × {e.weight_performance}%"
            f"（业绩：" + "、".join(f"{k} {v}" for k, v in self.policy.performance.scores.items()) + "）。",
            "排名：综合成绩高者在前；相同时依次比较业绩、实操、任现等级时间（长者在前）、工号。",
            f"快速通道：综合成绩 ≥ {e.fast_track_composite} 且业绩 {e.fast_track_rating}，不受名额与年限限制"
            f"（不超过名额的 {e.fast_track_cap_share}%，至少 {e.fast_track_cap_min} 人）。",
            f"延期选升：当年度有处分或考核低于 {e.deferral_below_rating}，{_deferral_bar(self.policy.eligibility.deferral_cycles)}。",
            f"降低等级：考核 {e.demotion_rating}，或等内考试连续 {e.demotion_consecutive_fails} 次不合格，降低一级。",
        ]
        for group, q in self.quotas.items():
            quota = q["quota"] if q["quota"] is not None else "不限"
            lines.append(f"名额（{group}）：{quota} —— {q['derivation']}；报名 {q['registered']} 人。")
        return lines

    def _placement_rules(self) -> list[str]:
        fe = self.policy.first_evaluation
        labels = self.policy.ladder.tier_labels
        points = "、".join(f"{k} {v} 分" for k, v in fe.rating_points.items())
        table = "；".join(f"平均 ≥ {low} 分定{labels[t - 1]}" for low, t in fe.tier_by_points)
        lines = [
            "首评从宽：以工作业绩为主要依据，同时参考考试考核的成绩，将所有专业技术岗位职工纳入等级制度。",
            f"工作业绩：取定级日前 {fe.rating_years} 个年度的考核等次（{points}），按平均分定等：{table}；"
            f"无考核记录者定{labels[fe.no_rating_tier - 1]}。",
            "工龄：满 " + "、".join(f"{y}" for y in fe.service_year_steps) + " 年依次定为 2、3 级"
            + (f"；工龄满 {fe.service_tier_years} 年者上调一等（首次评定最高{labels[fe.max_tier - 1]}）。"
               if fe.service_tier_years else "。"),
            f"考试成绩仅作参考：业绩接近上一等标准（差 {fe.borderline_points} 分以内）且考试达到 {fe.exam_lift_score} 分者"
            "定入上一等；考试成绩不降低任何人的定级。",
        ]
        if fe.title_min_tier:
            lines.append("职称：" + "、".join(f"{k}不低于{labels[v - 1]}" for k, v in fe.title_min_tier.items()) + "。")
        return lines

    def procedure(self) -> list[str]:
        eff = self.effective.isoformat() if self.effective else "结束公示后的次月1日"
        day = "定级日期" if self.kind == "first" else "考试日期"
        return [
            f"{day}：{self.exam_date}；公示日期：{self.published_on}；异议期至 {self.window_ends}（含）。",
            f"对结果有异议者，请于 {self.window_ends} 前以书面形式向人事部门提出，写明姓名、工号和理由。",
            f"异议处理完毕、公示期满后，结果自 {eff} 起生效，并记入等级台账。",
        ]

    def public_rows(self) -> tuple[list[str], list[list]]:
        """The results table as posted: the policy's public columns, outcomes in public wording."""
        cols = self.columns
        wording = self.policy.notice.outcome_wording
        body = [[wording.get(r["outcome_code"], r["outcome_code"]) if k == "outcome" else r.get(k) for k in cols]
                for r in self.rows]
        return [COLUMN_HEADERS[k] for k in cols], body

    def public_decisions(self) -> list[list]:
        """Grade decisions as posted: who, what, from and to — never the grounds."""
        kinds = set(self.policy.notice.public_decisions)
        return [[d["emp_no"], d["name"], DECISION_NAMES.get(d["kind"], d["kind"]), d["from"], d["to"]]
                for d in self.decisions if d["kind"] in kinds]


DECISION_HEADERS = ["工号", "姓名", "决定", "原等级", "新等级"]


def write(out: Path, n: Notice) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    stem = f"notice-{n.cycle}-r{n.revision}"
    xlsx, page = out / f"{stem}.xlsx", out / f"{stem}.html"
    headers, body = n.public_rows()
    sheets = [
        SheetOut("公示 Results", headers, body,
                 widths=[COLUMN_WIDTHS.get(k, 8) for k in n.columns]),
        SheetOut("决定 Decisions", DECISION_HEADERS, n.public_decisions(), widths=[10, 8, 14, 8, 8]),
        SheetOut("标准与程序 Standards", [n.title], ([line] for line in n.standards() + n.procedure()), widths=[120]),
    ]
    if n.revision > 1:
        sheets.append(SheetOut("修订 Changes", ["本版变更 / What changed"],
                               ([c] for c in (n.changes or ["无成绩变化"]) + n.appeals), widths=[120]))
    write_workbook(xlsx, sheets)
    page.write_text(_html(n), encoding="utf-8")
    return [xlsx, page]


def write_internal(path: Path, n: Notice, appeals: list[dict]) -> Path:
    """Every detail of a cycle's results, for the HR office only (内部资料): ratings, reasons,
    the grounds of each decision, the quota derivations and the objections with their texts."""
    cols = list(COLUMN_HEADERS)
    note = [[f"{INTERNAL}：含考核等次、处分、评定理由和异议内容等个人信息，仅供人事部门使用，不得公开张贴。"],
            ["公开张贴请使用 `gradecli cycle publish` 生成的公示。"], [n.title.replace("公示", "（内部）")]]
    sheets = [
        SheetOut(f"{INTERNAL} 说明", [f"【{INTERNAL}】"], note, widths=[100]),
        SheetOut(f"{INTERNAL} 结果", [COLUMN_HEADERS[k] for k in cols],
                 ([n.policy.notice.outcome_wording.get(r["outcome_code"], r["outcome_code"]) if k == "outcome"
                   else r.get(k) for k in cols] for r in n.rows),
                 widths=[COLUMN_WIDTHS.get(k, 8) for k in cols]),
        SheetOut(f"{INTERNAL} 决定", DECISION_HEADERS + ["依据"],
                 ([d["emp_no"], d["name"], DECISION_NAMES.get(d["kind"], d["kind"]), d["from"], d["to"], d["reason"]]
                  for d in n.decisions), widths=[10, 8, 14, 8, 8, 80]),
        SheetOut(f"{INTERNAL} 名额", ["范围", "名额", "依据", "报名", "晋升", "快速通道"],
                 ([g, q["quota"], q["derivation"], q["registered"], q["promoted"], q["fast_track"]]
                  for g, q in n.quotas.items()), widths=[18, 8, 80, 8, 8, 10]),
        SheetOut(f"{INTERNAL} 异议", ["工号", "提出日期", "理由", "状态", "处理意见", "处理日期"],
                 ([a["emp_no"], a["filed_on"], a["reason"], a["status"], a["note"], a["resolved_on"]] for a in appeals),
                 widths=[10, 12, 50, 10, 50, 12]),
    ]
    return write_workbook(path, sheets)


def _text(v) -> str:  # noqa: ANN001
    return "" if v is None else ABSENT_TEXT if v.__class__ is AbsentMark else str(v)


def _html(n: Notice) -> str:
    e = html.escape
    headers, body_rows = n.public_rows()
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{e(_text(v))}</td>" for v in row) + "</tr>" for row in body_rows)
    dec = "".join("<tr>" + "".join(f"<td>{e(_text(v))}</td>" for v in d) + "</tr>" for d in n.public_decisions())
    dec_head = "".join(f"<th>{e(h)}</th>" for h in DECISION_HEADERS)
    changes = ""
    if n.revision > 1:
        items = "".join(f"<li>{e(c)}</li>" for c in (n.changes or ["无成绩变化"]) + n.appeals)
        changes = f'<h2>本版为修订版，变更如下</h2><ul class="changes">{items}</ul>'
    std = "".join(f"<li>{e(x)}</li>" for x in n.standards())
    proc = "".join(f"<li>{e(x)}</li>" for x in n.procedure())
    css = (f"@page {{ size: A4 landscape; margin: 14mm; }} body {{ font-family: {FONT_STACK}; font-size: 10pt; }}"
           "h1 { text-align: center; font-size: 16pt; } h2 { font-size: 12pt; margin-top: 5mm; }"
           "table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #000; padding: 1mm 2mm; }"
           "th { background: #eee; } tr { page-break-inside: avoid; } .changes li { color: #a00; }")
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{e(n.title)}</title>'
            f"<style>{css}</style></head><body><h1>{e(n.title)}</h1>{changes}"
            f"<h2>一、评定标准</h2><ul>{std}</ul><h2>二、程序与时间</h2><ul>{proc}</ul>"
            f"<h2>三、评定结果</h2><table><tr>{head}</tr>{body}</table>"
            f"<h2>四、等级决定</h2><table><tr>{dec_head}</tr>{dec}</table>"
            f"<p>公示期：{n.published_on} 至 {n.window_ends}</p></body></html>\n")
