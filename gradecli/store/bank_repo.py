"""Queries for question banks and papers."""

from __future__ import annotations

import json
from typing import Iterable

from sqlalchemy import select
from sqlmodel import Session

from gradecli.domain.bank import Question
from gradecli.store.models import QuestionRow, QuestionVersionRow


def to_question(row: QuestionVersionRow, tier: int, family: str, status: str) -> Question:
    answer = json.loads(row.answer)
    if isinstance(answer, list):
        answer = tuple(answer)
    return Question(qid=row.qid, tier=tier, family=family, type=row.type, stem=row.stem,
                    options=tuple(json.loads(row.options)), answer=answer, points=row.points,
                    difficulty=row.difficulty, areas=tuple(json.loads(row.areas)),
                    explanation=row.explanation, status=status, version=row.version)


def version_values(q: Question) -> dict:
    c = q.content()
    return {"qid": q.qid, "type": q.type, "stem": q.stem, "options": json.dumps(c["options"], ensure_ascii=False),
            "answer": json.dumps(c["answer"], ensure_ascii=False), "points": q.points,
            "difficulty": q.difficulty, "areas": json.dumps(c["areas"], ensure_ascii=False),
            "explanation": q.explanation, "content_hash": q.content_hash()}


def current_questions(session: Session, *, tier: int | None = None,
                      families: Iterable[str] | None = None) -> list[Question]:
    """The current version of every question (any status), optionally for one tier and families."""
    q = (select(QuestionVersionRow, QuestionRow.tier, QuestionRow.family, QuestionRow.status)
         .join(QuestionRow, (QuestionRow.qid == QuestionVersionRow.qid)
               & (QuestionRow.current_version == QuestionVersionRow.version)))
    if tier is not None:
        q = q.where(QuestionRow.tier == tier)
    if families is not None:
        q = q.where(QuestionRow.family.in_(list(families)))
    return [to_question(v, t, f, s) for v, t, f, s in session.execute(q.order_by(QuestionRow.qid))]


def versions_by_id(session: Session, ids: Iterable[int]) -> dict[int, Question]:
    ids = list(set(ids))
    out: dict[int, Question] = {}
    for chunk in range(0, len(ids), 900):
        q = (select(QuestionVersionRow, QuestionRow.tier, QuestionRow.family, QuestionRow.status)
             .join(QuestionRow, QuestionRow.qid == QuestionVersionRow.qid)
             .where(QuestionVersionRow.id.in_(ids[chunk:chunk + 900])))
        for v, t, f, s in session.execute(q):
            out[v.id] = to_question(v, t, f, s)
    return out
