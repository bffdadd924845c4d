"""Printable papers and answer keys, as Excel and as A4 HTML. A candidate file never holds an answer."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from gradecli.domain.assembly import PaperItem, shown_answer
from gradecli.domain.bank import LETTERS, Question
from gradecli.formats.excel import SheetOut, write_workbook

SECTION_TITLES = {"single": "单项选择题", "multiple": "多项选择题", "judge": "判断题", "fill": "填空题",
                  "short": "简答题"}
SECTION_HINTS = {"single": "每题只有一个正确答案，将其字母填在括号内",
                 "multiple": "每题有两个或两个以上正确答案，将字母填在括号内",
                 "judge": "正确的打“√”，错误的打“×”", "fill": "将答案写在横线上", "short": "简要回答，写在答题区内"}
CN_NUMBERS = "一二三四五六七八九十"
SHORT_LINES_PER_POINT = 2
FONT_STACK = ('"Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "SimSun", "STSong", '
              '"Noto Sans CJK SC", "Microsoft YaHei", serif')


@dataclass(frozen=True)
class Header:
    code: str
    tier: int
    family: str
    emp_no: str | None = None
    name: str | None = None
    variant: str | None = None

    @property
    def title(self) -> str:
        fam = "" if self.family == "common" else f"{self.family}岗位"
        return f"{fam}{CN_NUMBERS[self.tier - 1]}等 理论考试试卷"


def answer_text(q: Question, order: tuple[int, ...]) -> str:
    a = shown_answer(q, order)
    if q.type == "judge":
        return "√（正确）" if a else "×（错误）"
    if q.type == "fill":
        return " / ".join(a)
    return str(a)


def _sections(items: Sequence[PaperItem]) -> list[tuple[str, int, list[tuple[int, PaperItem]]]]:
    """Consecutive runs of one type: (type, points each, [(number, item)])."""
    out: list[tuple[str, int, list[tuple[int, PaperItem]]]] = []
    for n, item in enumerate(items, 1):
        q = item.question
        if out and out[-1][0] == q.type and out[-1][1] == q.points:
            out[-1][2].append((n, item))
        else:
            out.append((q.type, q.points, [(n, item)]))
    return out


def _stem(q: Question) -> str:
    return q.stem.replace("____", "＿＿＿＿＿＿")


def write(out: Path, header: Header, items: Sequence[PaperItem], fmt: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    base = out / header.code
    if fmt == "html":
        paper, key = base.with_suffix(".html"), out / f"{header.code}-key.html"
        paper.write_text(_html_paper(header, items), encoding="utf-8")
        key.write_text(_html_key(header, items), encoding="utf-8")
    else:
        paper, key = base.with_suffix(".xlsx"), out / f"{header.code}-key.xlsx"
        _xlsx_paper(paper, header, items)
        _xlsx_key(key, header, items)
    return [paper, key]


# ---------------------------------------------------------------- HTML

CSS = f"""
@page {{ size: A4; margin: 18mm 16mm 18mm 16mm; }}
body {{ font-family: {FONT_STACK}; font-size: 11pt; line-height: 1.6; color: #000; max-width: 180mm; margin: auto; }}
h1 {{ text-align: center; font-size: 16pt; margin: 0 0 4mm; }}
.meta {{ display: flex; justify-content: space-between; border-bottom: 1px solid #000; padding-bottom: 2mm; margin-bottom: 4mm; }}
.meta span {{ min-width: 40mm; }}
h2 {{ font-size: 12pt; margin: 5mm 0 2mm; }}
.q {{ margin: 0 0 3mm; page-break-inside: avoid; }}
.opts {{ margin: 1mm 0 0 6mm; display: grid; grid-template-columns: 1fr 1fr; gap: 0 6mm; }}
.ans {{ display: inline-block; min-width: 14mm; margin-left: 2mm; }}
.lines div {{ border-bottom: 1px solid #999; height: 8mm; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border: 1px solid #000; padding: 1mm 2mm; vertical-align: top; }}
@media print {{ a {{ color: #000; text-decoration: none; }} }}
"""


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{body}</body></html>\n")


def _meta(header: Header) -> str:
    who = html.escape(header.emp_no or "")
    name = html.escape(header.name or "")
    return (f'<div class="meta"><span>工号：{who or "＿＿＿＿＿＿"}</span><span>姓名：{name or "＿＿＿＿＿＿"}</span>'
            f'<span>试卷号：{html.escape(header.code)}</span></div>')


def _html_paper(header: Header, items: Sequence[PaperItem]) -> str:
    e = html.escape
    parts = [f"<h1>{e(header.title)}</h1>", _meta(header)]
    for k, (typ, pts, group) in enumerate(_sections(items)):
        parts.append(f"<h2>{CN_NUMBERS[k]}、{SECTION_TITLES[typ]}（每题{pts}分，共{pts * len(group)}分；"
                     f"{SECTION_HINTS[typ]}）</h2>")
        for n, item in group:
            q = item.question
            if typ in ("single", "multiple", "judge"):
                parts.append(f'<div class="q">{n}. {e(_stem(q))}<span class="ans">（　　）</span>')
            else:
                parts.append(f'<div class="q">{n}. {e(_stem(q))}')
            if item.order:
                opts = "".join(f"<div>{LETTERS[j]}. {e(q.options[i])}</div>" for j, i in enumerate(item.order))
                parts.append(f'<div class="opts">{opts}</div>')
            if typ == "short":
                parts.append('<div class="lines">' + "<div></div>" * (q.points * SHORT_LINES_PER_POINT) + "</div>")
            parts.append("</div>")
    return _page(f"{header.code} {header.title}", "".join(parts))


def _html_key(header: Header, items: Sequence[PaperItem]) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{n}</td><td>{SECTION_TITLES[i.question.type]}</td><td>{i.question.points}</td>"
        f"<td>{e(answer_text(i.question, i.order))}</td><td>{e(i.question.explanation)}</td>"
        f"<td>{e(i.question.qid)} v{i.question.version}</td></tr>"
        for n, i in enumerate(items, 1))
    body = (f"<h1>{e(header.title)} — 答案 / Answer key</h1>"
            f'<div class="meta"><span>试卷号：{e(header.code)}</span><span>工号：{e(header.emp_no or "—")}</span></div>'
            f"<table><tr><th>题号</th><th>题型</th><th>分值</th><th>答案</th><th>解析</th><th>试题</th></tr>{rows}</table>")
    return _page(f"{header.code} answer key", body)


# ---------------------------------------------------------------- Excel

def _xlsx_paper(path: Path, header: Header, items: Sequence[PaperItem]) -> None:
    rows: list[list] = [[header.title], [f"工号：{header.emp_no or ''}", f"姓名：{header.name or ''}", f"试卷号：{header.code}"], []]
    for k, (typ, pts, group) in enumerate(_sections(items)):
        rows.append([f"{CN_NUMBERS[k]}、{SECTION_TITLES[typ]}（每题{pts}分，共{pts * len(group)}分）", SECTION_HINTS[typ]])
        for n, item in group:
            q = item.question
            rows.append([f"{n}. {_stem(q)}", "答："])
            for j, i in enumerate(item.order):
                rows.append([f"    {LETTERS[j]}. {q.options[i]}"])
    write_workbook(path, [SheetOut("试卷 Paper", ["题目 / Question", "作答 / Answer", ""], rows, widths=[90, 30, 20])])


def _xlsx_key(path: Path, header: Header, items: Sequence[PaperItem]) -> None:
    rows = [[n, SECTION_TITLES[i.question.type], i.question.points, answer_text(i.question, i.order),
             i.question.explanation, f"{i.question.qid} v{i.question.version}"] for n, i in enumerate(items, 1)]
    write_workbook(path, [SheetOut("答案 Key", ["题号 / No.", "题型 / Type", "分值 / Points", "答案 / Answer",
                                              "解析 / Explanation", "试题 / Question"], rows,
                                   widths=[8, 12, 8, 30, 60, 16])])
