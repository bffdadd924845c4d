"""The demo's exam simulation: filled answer sheets and skill scores from candidate abilities.

A candidate of ability a (standard normal) answers a question of difficulty d (the share
expected to answer it correctly) correctly with probability 1 / (1 + exp(-(logit(d) + a))): it
rises with both a and d, and an average candidate (a = 0) scores the bank's expected score.
Wrong choice answers pick other options; short answers get points in half steps around
points × that probability; about 1 % of cells are left blank, and a few candidates are absent
(their rows left blank, as an officer marks 缺考).
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from gradecli.domain.assembly import shown_answer
from gradecli.domain.bank import LETTERS

BLANK_SHARE = 0.01


def p_correct(ability: float, difficulty: float) -> float:
    d = min(max(difficulty, 0.01), 0.99)
    return 1 / (1 + math.exp(-(math.log(d / (1 - d)) + ability)))


def response(rng: random.Random, item, ability: float):  # noqa: ANN001, ANN201
    q = item.question
    if rng.random() < BLANK_SHARE:
        return None
    p = p_correct(ability, q.difficulty)
    right = rng.random() < p
    if q.type == "short":
        return round(q.points * min(1.0, max(0.0, rng.gauss(p, 0.15))) * 2) / 2
    if q.type == "judge":
        value = q.answer if right else not q.answer
        return "对" if value else "错"
    if q.type == "fill":
        return q.answer[0] if right else "不确定"
    correct = shown_answer(q, item.order)
    if right:
        return correct.lower() if rng.random() < 0.1 else correct  # some write lower case
    letters = LETTERS[:len(q.options)]
    if q.type == "single":
        return rng.choice([c for c in letters if c not in correct])
    wrong = correct[:-1] if len(correct) > 2 and rng.random() < 0.5 else "".join(
        sorted(set(rng.sample(letters, rng.randint(1, len(letters))))))
    return wrong if wrong != correct else letters[0] if correct != letters[0] else letters[-1]


def fill_answer_sheet(sheet: Path, filled: Path, items_of, ability_of, rng: random.Random,
                      absent: set[str] = frozenset()) -> None:
    """Fill every candidate's row; an absent candidate's row gets 缺考 in its 试卷 cell, as an officer
    writes it (a sheet of nothing but empty rows is refused as not filled in)."""
    from openpyxl import load_workbook

    wb = load_workbook(sheet)
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            emp_no, paper = row[1].value, row[3].value
            if emp_no is None:
                continue
            if emp_no in absent:
                from gradecli.formats.cells import ABSENT

                row[3].value = ABSENT
                continue
            items = items_of(paper)
            a = ability_of(emp_no)
            for item, cell in zip(items, row[4:]):
                cell.value = response(rng, item, a)
    wb.save(filled)


def skill_score(rng: random.Random, ability: float) -> float:
    return round(min(100.0, max(0.0, rng.gauss(72 + 10 * ability, 6))), 1)
