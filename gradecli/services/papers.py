"""Paper use cases: generate (a sitting of individual papers or shared variants), show, export."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

from sqlalchemy import select, update

from gradecli.domain.assembly import Blueprint, Paper, PaperItem, assemble_sitting, no_bank, order_at, order_rank
from gradecli.domain.bank import LETTERS, Question
from gradecli.domain.errors import BadInput, NotFound, RuleRefused
from gradecli.formats import paper_out
from gradecli.services.context import Context, bulk_work
from gradecli.services.results import Listing, Outcome
from gradecli.store import bank_repo, repo
from gradecli.store.bulk import insert_rows
from gradecli.store.models import PaperBatchRow, PaperRow, QuestionRow, QuestionVersionRow, RegistrationRow


def resolve_family(session, tier: int, family: str | None) -> str:  # noqa: ANN001
    """The family whose bank a paper of this tier draws on; a family without a bank is refused by name."""
    fams = sorted(set(session.scalars(select(QuestionRow.family).where(QuestionRow.tier == tier).distinct())))
    own = [f for f in fams if f != "common"]
    if family:
        if family not in fams and family != "common":
            raise RuleRefused(no_bank(family, tier) + (f" (tier {tier} has banks for {', '.join(own)})" if own else ""))
        return family
    if not fams:
        raise NotFound(f"tier {tier} has no questions; import a bank first (`gradecli bank import question_bank/`)")
    if len(own) > 1:
        raise BadInput(f"tier {tier} has banks for {', '.join(own)}; choose one with --family")
    return own[0] if own else "common"


def families_with_banks(session) -> set[tuple[int, str]]:  # noqa: ANN001
    """(tier, family) of every bank in the database, whatever the status of its questions."""
    return set(session.execute(select(QuestionRow.tier, QuestionRow.family).distinct()).all())


def new_seed() -> str:
    return secrets.token_hex(4)


def store_sitting(session, papers: list[Paper], bp: Blueprint, *, seed: str, mode: str, actor: str,  # noqa: ANN001
                  emp_nos: list[str | None] | None = None) -> list[str]:
    """Store a sitting's papers with the exact question versions; returns the paper codes."""
    stamp = repo.now_utc()
    first = papers[0]
    batch = PaperBatchRow(tier=first.tier, family=first.family, mode=mode, papers=len(papers), seed=seed,
                          blueprint=json.dumps(asdict(bp), ensure_ascii=False, default=sorted), created_at=stamp,
                          created_by=actor)
    session.add(batch)
    session.flush()
    vids = dict(session.execute(
        select(QuestionVersionRow.qid, QuestionVersionRow.id)
        .join(QuestionRow, (QuestionRow.qid == QuestionVersionRow.qid)
              & (QuestionRow.current_version == QuestionVersionRow.version))
        .where(QuestionRow.tier == first.tier)).all())
    codes = [f"P{p.tier}-{batch.id:04d}-{p.variant or f'{i + 1:03d}'}" for i, p in enumerate(papers)]
    insert_rows(session, PaperRow.__table__, [
        {"code": code, "batch_id": batch.id, "tier": p.tier, "family": p.family, "variant": p.variant,
         "emp_no": emp_nos[i] if emp_nos else None, "seed": p.seed, "expected": round(p.expected, 4),
         "total": p.total, "created_at": stamp,
         "items": encode_items(p.items, vids)}
        for i, (code, p) in enumerate(zip(codes, papers))])
    used = sorted({vids[item.question.qid] for p in papers for item in p.items})
    for chunk in range(0, len(used), 900):
        session.execute(update(QuestionVersionRow).where(QuestionVersionRow.id.in_(used[chunk:chunk + 900]))
                        .values(used=True))
    return codes


@bulk_work()
def generate(ctx: Context, *, tier: int, family: str | None, count: int | None, variants: int | None,
             seed: str | None) -> Outcome:
    if count and variants:
        raise BadInput("give --count K (individual papers) or --variants K (shared variants), not both")
    if not 1 <= tier <= ctx.policy.ladder.tiers:
        raise BadInput(f"--tier {tier} is outside the ladder (1–{ctx.policy.ladder.tiers})")
    seed = seed or new_seed()
    with ctx.uow() as uow:
        s = uow.s
        fam = resolve_family(s, tier, family)
        questions = bank_repo.current_questions(s, tier=tier, families=[fam, "common"])
        bp = Blueprint.from_policy(ctx.policy, tier, family=fam)
        papers = assemble_sitting(questions, bp, fam, seed, count=0 if variants else (count or 1),
                                  variants=variants or 0)
        codes = store_sitting(s, papers, bp, seed=seed, mode="variants" if variants else "individual",
                              actor=ctx.actor)
        uow.commit()
    rows = [{"paper": c, "variant": p.variant, "questions": len(p.items), "points": p.total,
             "expected": round(p.expected, 2)} for c, p in zip(codes, papers)]
    return Outcome(f"{len(codes)} paper(s) for tier {tier} {fam}+common, seed {seed}: {', '.join(codes[:5])}"
                   f"{' …' if len(codes) > 5 else ''}", {"seed": seed, "tier": tier, "family": fam, "papers": rows})


@dataclass(frozen=True)
class StoredPaper:
    row: Any  # the paper's columns (a plain row)
    items: list[PaperItem]
    version_ids: list[int]


def encode_items(items: Sequence[PaperItem], vids: dict[str, int]) -> str:
    """A paper's items as stored: one flat JSON list [version id, order rank, version id, ...]."""
    return json.dumps([x for item in items for x in (vids[item.question.qid], order_rank(item.order))],
                      separators=(",", ":"))


def load_paper_entries(session, *, ids: list[int] | None = None, codes: list[str] | None = None,  # noqa: ANN001
                       cycle_id: int | None = None, brief: bool = False,
                       ) -> tuple[list[Any], dict[int, list[int]], dict[int, Question]]:
    """Stored papers as read, without building items: the paper rows (plain rows; with ``brief``
    only id, code and items), each paper's entries ([version id, order rank, version id, order
    rank, ...], see encode_items; by paper id), and every question version they use (by id).
    The papers are given by id, by code, or as those of a cycle's registered candidates (one
    query however many)."""
    cols = (PaperRow.id, PaperRow.code, PaperRow.items) if brief else tuple(PaperRow.__table__.c)
    rows = []  # plain rows: a sitting's 20,000 papers need no ORM objects
    if cycle_id is not None:
        reg = RegistrationRow
        rows = session.execute(select(*cols).join(reg, reg.paper_id == PaperRow.id)
                               .where(reg.cycle_id == cycle_id, reg.status == "registered")).all()
    keys = list(ids if ids is not None else codes or [])
    col = PaperRow.id if ids is not None else PaperRow.code
    for chunk in range(0, len(keys), 900):
        rows += session.execute(select(*cols).where(col.in_(keys[chunk:chunk + 900]))).all()
    # one decode for all the papers' lists (20,000 json.loads calls cost more than their text)
    parsed = dict(zip([r.id for r in rows], json.loads("[" + ",".join([r.items for r in rows]) + "]")))
    versions = bank_repo.versions_by_id(session, {vid for flat in parsed.values() for vid in flat[0::2]})
    return rows, parsed, versions


def load_papers(session, *, ids: list[int] | None = None, codes: list[str] | None = None) -> dict[int, StoredPaper]:  # noqa: ANN001
    """Many stored papers at once, each question version built once and shared by every paper
    that carries it (a cycle of 20,000 papers uses a few hundred)."""
    rows, parsed, versions = load_paper_entries(session, ids=ids, codes=codes)
    shared: dict[tuple[int, int], PaperItem] = {}  # (version id, order rank) → its one item
    out = {}
    for r in rows:
        flat = parsed[r.id]
        loaded = []
        for key in zip(flat[0::2], flat[1::2]):
            item = shared.get(key)
            if item is None:
                q = versions[key[0]]
                item = shared[key] = PaperItem(q, order_at(q, key[1]))
            loaded.append(item)
        out[r.id] = StoredPaper(r, loaded, flat[0::2])
    return out


def load_paper(session, code: str, *, with_version_ids: bool = False):  # noqa: ANN001, ANN201
    """(paper row, its items in order[, the question-version id of each item])."""
    found = load_papers(session, codes=[code])
    if not found:
        raise NotFound(f"no paper {code!r}; paper numbers look like P3-0001-001")
    p = next(iter(found.values()))
    return (p.row, p.items, p.version_ids) if with_version_ids else (p.row, p.items)


SHOW_COLUMNS = [("no", "题号"), ("qid", "试题"), ("type", "题型"), ("points", "分值"), ("difficulty", "难度"),
                ("text", "题目")]


def show(ctx: Context, code: str, *, key: bool = False) -> Listing:
    with ctx.uow() as uow:
        row, items = load_paper(uow.s, code)
    rows = []
    for pos, item in enumerate(items, 1):
        q = item.question
        options = [q.options[i] for i in item.order] if item.order else []
        entry = {"no": pos, "qid": f"{q.qid} v{q.version}", "type": q.type, "points": q.points,
                 "difficulty": q.difficulty, "stem": q.stem, "options": options,
                 "text": q.stem + "".join(f"  {LETTERS[j]}. {o}" for j, o in enumerate(options))}
        if key:
            entry["answer"] = paper_out.answer_text(q, item.order)
            entry["text"] += f"  【{entry['answer']}】"
        rows.append(entry)
    expected = sum(i.question.points * i.question.difficulty for i in items)
    title = (f"paper {row.code}: tier {row.tier} {row.family}, {len(items)} questions, {row.total} points, "
             f"expected score {expected:.1f}, seed {row.seed}"
             + (f", candidate {row.emp_no}" if row.emp_no else "") + (f", variant {row.variant}" if row.variant else ""))
    return Listing(title, SHOW_COLUMNS, rows, [],
                   {"paper": row.code, "tier": row.tier, "family": row.family, "seed": row.seed,
                    "expected": round(expected, 2), "total": row.total, "emp_no": row.emp_no, "variant": row.variant})


def export(ctx: Context, codes: list[str], *, out: Path, formats: list[str]) -> Outcome:
    bad = [f for f in formats if f not in ("xlsx", "html")]
    if bad:
        raise BadInput(f"--format {bad[0]}: use xlsx or html")
    written: list[Path] = []
    with ctx.uow() as uow:
        s = uow.s
        names = dict(s.execute(select(repo.Employee.emp_no, repo.Employee.name)).all())
        loaded = {p.row.code: p for p in load_papers(s, codes=codes).values()}
        missing = [c for c in codes if c not in loaded]
        if missing:
            raise NotFound(f"no paper {missing[0]!r}; paper numbers look like P3-0001-001")
        for code in codes:
            row, items = loaded[code].row, loaded[code].items
            header = paper_out.Header(code=row.code, tier=row.tier, family=row.family,
                                      emp_no=row.emp_no, name=names.get(row.emp_no) if row.emp_no else None,
                                      variant=row.variant)
            for fmt in formats:
                written += paper_out.write(out, header, items, fmt)
    return Outcome(f"wrote {len(written)} files for {len(codes)} paper(s) into {out}",
                   {"files": [{"file": str(p)} for p in written]})
