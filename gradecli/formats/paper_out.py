"""Printable papers and answer keys, as Excel and as A4 HTML. A candidate file never holds an answer.

Every word on them comes from the message catalogue (Chinese by default); the section numbers and
the tier are written as Chinese numerals (一、二、…, 三等) in Chinese and as figures in English."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from gradecli.domain.assembly import PaperItem, shown_answer
from gradecli.domain.bank import LETTERS, Question
from gradecli.formats.excel import SheetOut, write_workbook
from gradecli.i18n import Msg, N_, _, language

# The paper's sections, named as exam papers name them (单项选择题, …), one per question type
SECTION_TITLES = {"single": N_("Single-choice questions"), "multiple": N_("Multiple-choice questions"),
                  "judge": N_("True-or-false questions"), "fill": N_("Fill-in-the-blank questions"),
                  "short": N_("Short-answer questions")}
SECTION_HINTS = {"single": N_("one right answer: write its letter in the brackets"),
                 "multiple": N_("two or more right answers: write their letters in the brackets"),
                 "judge": N_("mark “√” if the statement is true, “×” if it is false"),
                 "fill": N_("write the answer on the line"), "short": N_("answer briefly in the space provided")}
CN_NUMBERS = "一二三四五六七八九十"
SHORT_LINES_PER_POINT = 2
FONT_STACK = ('"Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "SimSun", "STSong", '
              '"Noto Sans CJK SC", "Microsoft YaHei", serif')
BLANK = "＿＿＿＿＿＿"
KEY_HEADERS = [N_("Question no."), N_("Question type"), N_("Points"), N_("Answer"), N_("Explanation"),
               N_("Question id")]


def numeral(n: int) -> str:
    """1 → 一 in Chinese, 1 in English (section numbers, tiers)."""
    return CN_NUMBERS[n - 1] if language() == "zh" and 1 <= n <= len(CN_NUMBERS) else str(n)


def html_lang() -> str:
    return "zh-CN" if language() == "zh" else "en"


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
        if self.family == "common":
            return Msg("Tier {tier} theory exam paper", tier=numeral(self.tier)).text()
        return Msg("{family} post, tier {tier}: theory exam paper", family=self.family, tier=numeral(self.tier)).text()


def answer_text(q: Question, order: tuple[int, ...]) -> str:
    a = shown_answer(q, order)
    if q.type == "judge":
        return _("√ (true)") if a else _("× (false)")
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


def _section_heading(k: int, typ: str, pts: int, count: int, *, hint: bool) -> str:
    params = dict(number=numeral(k + 1), title=_(SECTION_TITLES.get(typ, typ)), points=pts, total=pts * count)
    if hint:
        return Msg("{number}. {title} ({points} points each, {total} in all; {hint})",
                   hint=_(SECTION_HINTS.get(typ, "")), **params).text()
    return Msg("{number}. {title} ({points} points each, {total} in all)", **params).text()


def _stem(q: Question) -> str:
    return q.stem.replace("____", BLANK)


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
    return (f'<!DOCTYPE html><html lang="{html_lang()}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{body}</body></html>\n")


def _emp_no(value: str) -> str:
    return Msg("Employee No.: {emp_no}", emp_no=value).text()


def _name(value: str) -> str:
    return Msg("Name: {name}", name=value).text()


def _paper_no(value: str) -> str:
    return Msg("Paper No.: {paper}", paper=value).text()


def _meta(header: Header) -> str:
    e = html.escape
    return (f'<div class="meta"><span>{e(_emp_no(header.emp_no or BLANK))}</span>'
            f'<span>{e(_name(header.name or BLANK))}</span><span>{e(_paper_no(header.code))}</span></div>')


def _html_paper(header: Header, items: Sequence[PaperItem]) -> str:
    e = html.escape
    parts = [f"<h1>{e(header.title)}</h1>", _meta(header)]
    for k, (typ, pts, group) in enumerate(_sections(items)):
        parts.append(f"<h2>{e(_section_heading(k, typ, pts, len(group), hint=True))}</h2>")
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
        f"<tr><td>{n}</td><td>{e(_(SECTION_TITLES.get(i.question.type, i.question.type)))}</td><td>{i.question.points}</td>"
        f"<td>{e(answer_text(i.question, i.order))}</td><td>{e(i.question.explanation)}</td>"
        f"<td>{e(i.question.qid)} v{i.question.version}</td></tr>"
        for n, i in enumerate(items, 1))
    head = "".join(f"<th>{e(_(h))}</th>" for h in KEY_HEADERS)
    title = Msg("{title} — answer key", title=header.title).text()
    body = (f"<h1>{e(title)}</h1>"
            f'<div class="meta"><span>{e(_paper_no(header.code))}</span><span>{e(_emp_no(header.emp_no or "—"))}</span></div>'
            f"<table><tr>{head}</tr>{rows}</table>")
    return _page(Msg("{paper} answer key", paper=header.code).text(), body)


# ---------------------------------------------------------------- Excel

def _xlsx_paper(path: Path, header: Header, items: Sequence[PaperItem]) -> None:
    rows: list[list] = [[header.title], [_emp_no(header.emp_no or ""), _name(header.name or ""), _paper_no(header.code)], []]
    answer = _("Answer:")
    for k, (typ, pts, group) in enumerate(_sections(items)):
        rows.append([_section_heading(k, typ, pts, len(group), hint=False), _(SECTION_HINTS.get(typ, ""))])
        for n, item in group:
            q = item.question
            rows.append([f"{n}. {_stem(q)}", answer])
            for j, i in enumerate(item.order):
                rows.append([f"    {LETTERS[j]}. {q.options[i]}"])
    write_workbook(path, [SheetOut(_("Paper"), [_("Question"), _("Your answer"), ""], rows, widths=[90, 30, 20])])


def _xlsx_key(path: Path, header: Header, items: Sequence[PaperItem]) -> None:
    rows = [[n, _(SECTION_TITLES.get(i.question.type, i.question.type)), i.question.points,
             answer_text(i.question, i.order), i.question.explanation, f"{i.question.qid} v{i.question.version}"]
            for n, i in enumerate(items, 1)]
    write_workbook(path, [SheetOut(_("Answer key"), [_(h) for h in KEY_HEADERS], rows, widths=[8, 12, 8, 30, 60, 16])])
