"""The public notice (公示) of a cycle's results, as Excel and as printable HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gradecli.domain.policy import Policy
from gradecli.formats.excel import SheetOut, write_workbook
from gradecli.formats.paper_out import FONT_STACK

KIND_TITLE = {"annual": "分等考试（年度）", "semiannual": "等内考试（半年度）"}
RESULT_HEADERS = [("emp_no", "工号"), ("name", "姓名"), ("department", "部门"), ("step", "申报"),
                  ("theory", "理论"), ("skill", "实操"), ("performance", "业绩"), ("composite", "综合"),
                  ("rank", "名次"), ("outcome", "结果"), ("reasons", "说明")]
DECISION_NAMES = {"tier_promotion": "晋等", "level_promotion": "晋级", "fast_track": "快速通道晋升",
                  "deferral": "延期选升", "demotion": "降低等级"}


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

    @property
    def title(self) -> str:
        rev = f"（第{self.revision}版·修订）" if self.revision > 1 else ""
        return f"{self.cycle} 岗位等级{KIND_TITLE[self.kind]}评定结果公示{rev}"

    def standards(self) -> list[str]:
        e = self.policy.evaluation
        lines = [
            f"合格标准：理论考试 ≥ {e.pass_theory} 分，实际操作技能 ≥ {e.pass_skill} 分，工作业绩考核 {e.min_rating} 及以上；三项均合格方可晋升。",
            f"综合成绩 = 理论 × {e.weight_theory}% + 实操 × {e.weight_skill}% + 业绩 × {e.weight_performance}%"
            f"（业绩：" + "、".join(f"{k} {v}" for k, v in self.policy.performance.scores.items()) + "）。",
            "排名：综合成绩高者在前；相同时依次比较业绩、实操、任现等级时间（长者在前）、工号。",
            f"快速通道：综合成绩 ≥ {e.fast_track_composite} 且业绩 {e.fast_track_rating}，不受名额与年限限制"
            f"（不超过名额的 {e.fast_track_cap_share}%，至少 {e.fast_track_cap_min} 人）。",
            f"延期选升：当年度有处分或考核低于 {e.deferral_below_rating}，{self.policy.eligibility.deferral_months} 个月内不得申报。",
            f"降低等级：考核 {e.demotion_rating}，或等内考试连续 {e.demotion_consecutive_fails} 次不合格，降低一级。",
        ]
        for group, q in self.quotas.items():
            quota = q["quota"] if q["quota"] is not None else "不限"
            lines.append(f"名额（{group}）：{quota} —— {q['derivation']}；报名 {q['registered']} 人。")
        return lines

    def procedure(self) -> list[str]:
        eff = self.effective.isoformat() if self.effective else "结束公示后的次月1日"
        return [
            f"考试日期：{self.exam_date}；公示日期：{self.published_on}；异议期至 {self.window_ends}（含）。",
            f"对结果有异议者，请于 {self.window_ends} 前以书面形式向人事部门提出，写明姓名、工号和理由。",
            f"异议处理完毕、公示期满后，结果自 {eff} 起生效，并记入等级台账。",
        ]


def write(out: Path, n: Notice) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    stem = f"notice-{n.cycle}-r{n.revision}"
    xlsx, page = out / f"{stem}.xlsx", out / f"{stem}.html"
    sheets = [
        SheetOut("公示 Results", [h for _, h in RESULT_HEADERS], ([r.get(k) for k, _ in RESULT_HEADERS] for r in n.rows),
                 widths=[10, 8, 12, 12, 8, 8, 8, 8, 6, 18, 60]),
        SheetOut("决定 Decisions", ["工号", "姓名", "决定", "原等级", "新等级", "依据"],
                 ([d["emp_no"], d["name"], DECISION_NAMES.get(d["kind"], d["kind"]), d["from"], d["to"], d["reason"]]
                  for d in n.decisions), widths=[10, 8, 14, 8, 8, 80]),
        SheetOut("标准与程序 Standards", [n.title], ([line] for line in n.standards() + n.procedure()), widths=[120]),
    ]
    if n.revision > 1:
        sheets.append(SheetOut("修订 Changes", ["本版变更 / What changed"],
                               ([c] for c in (n.changes or ["无成绩变化"]) + n.appeals), widths=[120]))
    write_workbook(xlsx, sheets)
    page.write_text(_html(n), encoding="utf-8")
    return [xlsx, page]


def _html(n: Notice) -> str:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for _, h in RESULT_HEADERS)
    body = "".join("<tr>" + "".join(f"<td>{e(str(r.get(k) if r.get(k) is not None else ''))}</td>" for k, _ in RESULT_HEADERS)
                   + "</tr>" for r in n.rows)
    dec = "".join(f"<tr><td>{e(d['emp_no'])}</td><td>{e(d['name'])}</td><td>{e(DECISION_NAMES.get(d['kind'], d['kind']))}</td>"
                  f"<td>{e(d['from'])}</td><td>{e(d['to'])}</td><td>{e(d['reason'])}</td></tr>" for d in n.decisions)
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
            f"<h2>四、等级决定</h2><table><tr><th>工号</th><th>姓名</th><th>决定</th><th>原等级</th><th>新等级</th><th>依据</th></tr>{dec}</table>"
            f"<p>公示期：{n.published_on} 至 {n.window_ends}</p></body></html>\n")
