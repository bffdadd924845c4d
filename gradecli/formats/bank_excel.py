"""Question banks in Excel: the template, reading a filled one (with sheet/row locations), export."""

from __future__ import annotations

from pathlib import Path

from gradecli.domain.bank import LETTERS, MAX_OPTIONS, Question, RawQuestion
from gradecli.formats import cells
from gradecli.formats.excel import Column, SheetOut, read_table, write_template, write_workbook
from gradecli.i18n import N_, Msg

# The sheet's name in the run's language (imports find the sheet by its bilingual header row,
# whatever it is called).
SHEET = N_("Question bank")
TYPES = ("single", "multiple", "judge", "fill", "short")


def _number(value):  # noqa: ANN001, ANN202
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() else float(value)
    try:
        t = cells.text(value)
        return int(t) if t.lstrip("-").isdigit() else float(t)
    except ValueError:
        return cells.text(value)  # the question checks name the bad value


def columns() -> list[Column]:
    cols = [
        Column("id", "编号", "ID", cells.text, example="KF-T1-900", note=N_("a stable id, unique across all banks")),
        Column("tier", "等", "Tier", _number, example=1, note=N_("the tier number, 1 (entry) to 5")),
        Column("family", "岗位序列", "Post family", cells.text, example="客服", note=N_("the post family, or common")),
        Column("type", "题型", "Type", cells.text, example="single", choices=TYPES, note=N_("single/multiple/judge/fill/short")),
        Column("stem", "题干", "Stem", cells.text, example="客服接线反应时间必须在多长时间之内？", note=N_("the question text")),
    ]
    examples = ["5秒", "15秒", "30秒", "1分钟"]
    for i in range(MAX_OPTIONS):
        letter = LETTERS[i]
        cols.append(Column(f"opt_{letter}", f"选项{letter}", f"Option {letter}", cells.text, required=False,
                           blank_ok=True, example=examples[i] if i < len(examples) else None,
                           note=N_("choice questions only; leave empty otherwise")))
    cols += [
        Column("answer", "答案", "Answer", cells.text, example="B",
               note=N_("letters for choice questions (AC), 对/错 for judge, accepted answers separated by | for fill, "
                       "the marking guide for short")),
        Column("points", "分值", "Points", _number, example=2, note=N_("a positive whole number")),
        Column("difficulty", "难度", "Difficulty", _number, example=0.85, note=N_("0–1, the share expected to answer correctly")),
        Column("areas", "知识点", "Knowledge areas", cells.text, example="工作纪律", note=N_("one or more, separated by ;")),
        Column("explanation", "解析", "Explanation", cells.text, required=False, blank_ok=True,
               note=N_("why the answer is right; may be left empty")),
        Column("status", "状态", "Status", cells.text, required=False, blank_ok=True, choices=("active", "retired"),
               note=N_("active (default) or retired")),
    ]
    return cols


def write_bank_template(path: Path) -> Path:
    return write_template(path, Msg(SHEET), columns(), [
        Msg("Every row is one question; import the file with `gradecli bank import FILE.xlsx`."),
        Msg("Choice questions: the letters of the right options as the answer (a multiple-choice answer such as ACD); "
            "judge questions: 对 or 错; fill questions: the accepted answers separated by |; short-answer questions: "
            "the marking guide."),
    ])


def read(path: Path) -> list[RawQuestion]:
    """Rows as raw questions; cell-level problems raise at once, question checks come later."""
    cols = columns()
    table = read_table(path, cols)
    names = {c.key: c.zh for c in cols}  # a problem names the column of its field, as a bad cell does
    raws = []
    for row_no, r in table.rows:
        qtype = r.get("type")
        options = [r[f"opt_{LETTERS[i]}"] for i in range(MAX_OPTIONS) if r.get(f"opt_{LETTERS[i]}") not in (None, "")]
        answer = r.get("answer")
        if qtype == "fill" and isinstance(answer, str):
            answer = [a for a in answer.split("|")]
        data = {"id": r.get("id"), "tier": r.get("tier"), "family": r.get("family"), "type": qtype,
                "stem": r.get("stem"), "options": options, "answer": answer, "points": r.get("points"),
                "difficulty": r.get("difficulty"), "areas": r.get("areas"),
                "explanation": r.get("explanation"), "status": r.get("status") or "active"}
        raws.append(RawQuestion(data=data, where=table.where(row_no), columns=names))
    return raws  # never empty: read_table refuses a sheet without data rows


def export(path: Path, questions: list[Question]) -> Path:
    cols = columns()

    def row(q: Question) -> list:
        values = {"id": q.qid, "tier": q.tier, "family": q.family, "type": q.type, "stem": q.stem,
                  "points": q.points, "difficulty": q.difficulty, "areas": ";".join(q.areas),
                  "explanation": q.explanation, "status": q.status}
        for i, o in enumerate(q.options):
            values[f"opt_{LETTERS[i]}"] = o
        if q.type == "judge":
            values["answer"] = "对" if q.answer else "错"
        elif q.type == "fill":
            values["answer"] = "|".join(q.answer)
        else:
            values["answer"] = q.answer
        return [values.get(c.key) for c in cols]

    return write_workbook(path, [SheetOut(Msg(SHEET), [c.header for c in cols], (row(q) for q in questions))])
