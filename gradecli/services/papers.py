"""Paper use cases: generate (a sitting of individual papers or shared variants), show, export; and
how fair a sitting's papers are (the spread of their expected scores), for issue-papers, cycle
show, the notice and the cycle report."""

from __future__ import annotations

import functools
import json
import os
import secrets
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from sqlalchemy import select, update

from gradecli.domain.assembly import (Blueprint, Paper, PaperItem, Spread, assemble_sitting, family_label, no_bank, order_at,
                                      order_rank, shown_answer, shown_score, sitting_spread, spread_of)
from gradecli.domain.bank import LETTERS, Question, QuestionType
from gradecli.domain.errors import BadInput, NotFound, RuleRefused
from gradecli.domain.policy import Policy
from gradecli.formats import paper_out
from gradecli.i18n import Msg, N_, Reason
from gradecli.services.context import Context, bulk_work
from gradecli.services.results import Listing, Outcome
from gradecli.store import bank_repo, cycle_repo, repo
from gradecli.store.bulk import insert_rows
from gradecli.store.models import PaperBatchRow, PaperRow, QuestionRow, QuestionVersionRow, RegistrationRow


def resolve_family(session, tier: int, family: str | None) -> str:  # noqa: ANN001
    """The family whose bank a paper of this tier draws on; a family without a bank is refused by name."""
    fams = sorted(set(session.scalars(select(QuestionRow.family).where(QuestionRow.tier == tier).distinct())))
    own = [f for f in fams if f != "common"]
    if family:
        if family not in fams and family != "common":
            if own:
                raise RuleRefused(Msg("{problem} (tier {tier} has banks for {families})", problem=no_bank(family, tier),
                                      tier=tier, families=own))
            raise RuleRefused(no_bank(family, tier))
        return family
    if not fams:
        raise NotFound(Reason("no_questions", "tier {tier} has no questions; import a bank first "
                              "(`gradecli bank import question_bank/`)", tier=tier))
    if len(own) > 1:
        raise BadInput(Reason("family_needed", "tier {tier} has banks for {families}; choose one with --family",
                              tier=tier, families=own))
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


# what the terminal calls the keys of the outcomes (data key → N_-marked label)
GENERATE_LABELS = {"papers": N_("Papers"), "paper": N_("Paper"), "variant": N_("Variant"), "questions": N_("Questions"),
                   "points": N_("Points"), "expected": N_("Expected score")}
EXPORT_LABELS = {"files": N_("Files written"), "file": N_("file")}
ISSUE_LABELS = {"groups": N_("Sittings"), "tier": N_("Tier"), "family": N_("Post family"), "candidates": N_("Candidates"),
                "papers": N_("Papers"), "first": N_("First paper"), "expected_low": N_("Expected from"),
                "expected_high": N_("Expected to"), "spread": N_("Spread"), "max_use": N_("Most uses of a question"),
                "mean_use": N_("Mean uses of a question"), "questions": N_("Questions used")}


@bulk_work()
def generate(ctx: Context, *, tier: int, family: str | None, count: int | None, variants: int | None,
             seed: str | None) -> Outcome:
    if count and variants:
        raise BadInput(Reason("count_and_variants", "give --count K (individual papers) or --variants K (shared "
                              "variants), not both"))
    if not 1 <= tier <= ctx.policy.ladder.tiers:
        raise BadInput(Reason("tier_outside_ladder", "--tier {tier} is outside the ladder (1–{tiers})", tier=tier,
                              tiers=ctx.policy.ladder.tiers))
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
             "expected": shown_score(p.expected)} for c, p in zip(codes, papers)]
    spread = sitting_spread(papers)
    shown = codes[:5] + (["…"] if len(codes) > 5 else [])
    summary = Msg("{count} paper(s) for tier {tier} {bank}, seed {seed}: {papers}", count=len(codes),
                  tier=tier, bank=family_label(fam), seed=seed, papers=shown)
    return Outcome(summary, {"seed": seed, "tier": tier, "family": fam, "spread": spread.as_data(), "papers": rows},
                   [spread_note(spread)], labels=GENERATE_LABELS)


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
        raise NotFound(no_paper(code))
    p = next(iter(found.values()))
    return (p.row, p.items, p.version_ids) if with_version_ids else (p.row, p.items)


def no_paper(code: str) -> Reason:
    return Reason("no_paper", "no paper '{paper}'; paper numbers look like P3-0001-001", paper=code)


SHOW_COLUMNS = [("no", N_("Question no.")), ("qid", N_("Question id")), ("type", N_("Question type")),
                ("points", N_("Points")), ("difficulty", N_("Difficulty")), ("text", N_("Question"))]


def show(ctx: Context, code: str, *, key: bool = False) -> Listing:
    with ctx.uow() as uow:
        row, items = load_paper(uow.s, code)
    rows = []
    for pos, item in enumerate(items, 1):
        q = item.question
        options = [q.options[i] for i in item.order] if item.order else []
        entry = {"no": pos, "qid": f"{q.qid} v{q.version}", "type": QuestionType(q.type), "points": q.points,
                 "difficulty": q.difficulty, "stem": q.stem, "options": options,
                 "text": q.stem + "".join(f"  {LETTERS[j]}. {o}" for j, o in enumerate(options))}
        if key:  # the answer as data (letters, true/false, the accepted texts, the marking guide), and in words
            shown = shown_answer(q, item.order)
            entry["answer"] = list(shown) if isinstance(shown, tuple) else shown
            entry["text"] += f"  【{paper_out.answer_text(q, item.order)}】"
        rows.append(entry)
    expected = shown_score(sum(i.question.points * i.question.difficulty for i in items))
    facts = dict(paper=row.code, tier=row.tier, family=row.family, questions=len(items), points=row.total,
                 expected=expected, seed=row.seed)
    if row.emp_no:
        title = Msg("paper {paper}: tier {tier} {family}, {questions} questions, {points} points, expected score "
                    "{expected}, seed {seed}, candidate {emp_no}", emp_no=row.emp_no, **facts)
    elif row.variant:
        title = Msg("paper {paper}: tier {tier} {family}, {questions} questions, {points} points, expected score "
                    "{expected}, seed {seed}, variant {variant}", variant=row.variant, **facts)
    else:
        title = Msg("paper {paper}: tier {tier} {family}, {questions} questions, {points} points, expected score "
                    "{expected}, seed {seed}", **facts)
    return Listing(title, SHOW_COLUMNS, rows, [],
                   {"paper": row.code, "tier": row.tier, "family": row.family, "seed": row.seed,
                    "expected": expected, "total": row.total, "emp_no": row.emp_no, "variant": row.variant})


def export(ctx: Context, codes: list[str], *, out: Path, formats: list[str]) -> Outcome:
    bad = [f for f in formats if f not in ("xlsx", "html")]
    if bad:
        raise BadInput(Reason("bad_format", "--format {format}: use xlsx or html", format=bad[0]))
    written: list[Path] = []
    with ctx.uow() as uow:
        s = uow.s
        names = dict(s.execute(select(repo.Employee.emp_no, repo.Employee.name)).all())
        loaded = {p.row.code: p for p in load_papers(s, codes=codes).values()}
        missing = [c for c in codes if c not in loaded]
        if missing:
            raise NotFound(no_paper(missing[0]))
        for code in codes:
            row, items = loaded[code].row, loaded[code].items
            header = paper_out.Header(code=row.code, tier=row.tier, family=row.family,
                                      emp_no=row.emp_no, name=names.get(row.emp_no) if row.emp_no else None,
                                      variant=row.variant)
            for fmt in formats:
                written += paper_out.write(out, header, items, fmt)
    return Outcome(Msg("wrote {files} files for {papers} paper(s) into {folder}", files=len(written),
                       papers=len(codes), folder=f"{out}{os.sep}"),
                   {"files": [{"file": str(p)} for p in written]}, labels=EXPORT_LABELS)


# ---------------------------------------------------------------- fairness: how alike a sitting's papers are

def spread_note(spread: Spread, where: Msg | str | None = None) -> Msg:
    """A sitting's spread in a sentence: its papers' expected-score range, and how often its
    questions were used."""
    low, high, width = spread.shown()
    facts = dict(papers=spread.papers, low=low, high=high, spread=width, max_use=spread.max_use,
                 mean_use=round(spread.mean_use, 2) if spread.mean_use is not None else None)
    if where is None:
        return Msg("{papers} paper(s): expected score {low}–{high}, spread {spread} points; a question is on at most "
                   "{max_use} of them, {mean_use} on average", **facts)
    return Msg("{where}: {papers} paper(s), expected score {low}–{high}, spread {spread} points; a question is on "
               "at most {max_use} of them, {mean_use} on average", where=where, **facts)


def tier_label(policy: Policy, tier: int) -> Msg | str:
    """A tier as the policy names it (三等), or "tier N" beyond its labels."""
    labels = policy.ladder.tier_labels
    return labels[tier - 1] if 1 <= tier <= len(labels) else Msg("tier {tier}", tier=tier)


@dataclass(frozen=True)
class PaperGroup:
    """The papers of one tier of a cycle that aim at one expected score (one line of fairness)."""

    tier: int
    families: tuple[str, ...]
    target: float | None
    spread: Spread
    named: bool = False  # the tier's papers aim at more than one target: the line names the families

    def line(self, policy: Policy) -> Msg:
        """试卷难度一致性（三等，48 份试卷）：期望得分 69.52–70.48，极差 0.96 分"""
        low, high, spread = self.spread.shown()
        facts = dict(tier=tier_label(policy, self.tier), papers=self.spread.papers, low=low, high=high, spread=spread)
        if self.named:
            return Reason("paper_fairness", "Paper difficulty consistency ({tier} {families}, {papers} papers): "
                          "expected score {low}–{high}, spread {spread} points", families=list(self.families), **facts)
        return Reason("paper_fairness", "Paper difficulty consistency ({tier}, {papers} papers): expected score "
                      "{low}–{high}, spread {spread} points", **facts)

    def as_data(self) -> dict:
        return {"tier": self.tier, "families": list(self.families),
                "target": shown_score(self.target) if self.target is not None else None, **self.spread.as_data()}


def cycle_papers(session, cycle_id: int) -> list[Any]:  # noqa: ANN001
    """The papers of a cycle's registered candidates, once each (a shared variant is sat by many):
    plain rows of id, tier, family, variant, expected score and the target of their sitting."""
    reg = RegistrationRow
    rows = session.execute(
        select(PaperRow.id, PaperRow.tier, PaperRow.family, PaperRow.variant, PaperRow.expected, PaperRow.batch_id)
        .join(reg, reg.paper_id == PaperRow.id)
        .where(reg.cycle_id == cycle_id, reg.status == "registered").distinct().order_by(PaperRow.id)).all()
    targets = {}
    batch_ids = sorted({r.batch_id for r in rows})
    for chunk in range(0, len(batch_ids), 900):
        for bid, blueprint in session.execute(select(PaperBatchRow.id, PaperBatchRow.blueprint)
                                              .where(PaperBatchRow.id.in_(batch_ids[chunk:chunk + 900]))):
            targets[bid] = json.loads(blueprint).get("target")
    return [(r, targets.get(r.batch_id)) for r in rows]


def paper_groups(papers: list[Any]) -> list[PaperGroup]:
    """The papers grouped by tier; a tier whose families aim at different expected scores is split
    by target (its lines name the families), since their papers were never meant to be alike."""
    by: dict[tuple[int, float | None], list[Any]] = defaultdict(list)
    for row, target in papers:
        by[(row.tier, target)].append(row)
    per_tier = defaultdict(int)
    for tier, _target in by:
        per_tier[tier] += 1
    return [PaperGroup(tier, tuple(sorted({r.family for r in rows})), target,
                       spread_of([r.expected for r in rows]), named=per_tier[tier] > 1)
            for (tier, target), rows in sorted(by.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))]


def cycle_fairness(ctx: Context, cycle_id: int) -> list[PaperGroup]:
    with ctx.uow() as uow:
        return paper_groups(cycle_papers(uow.s, cycle_id))


def fairness_lines(ctx: Context, cycle_id: int) -> list[Msg]:
    """One line per tier of a cycle's papers ("试卷难度一致性：期望得分 69.52–70.48，极差 0.96 分"), for
    the notice and `cycle show`; none before the papers are issued."""
    return [g.line(ctx.policy) for g in cycle_fairness(ctx, cycle_id)]


def with_paper_fairness(step: Callable[..., Any]) -> Callable[..., Any]:
    """Decorates a cycle step ``step(ctx, code, ...)`` so that what it returns also shows how fair
    the cycle's papers are: `cycle issue-papers` (an Outcome whose groups carry their spread) gets
    a note per tier and family with the range, the spread and the questions' use; `cycle show` (a
    Listing) gets the fairness line per tier, and ``paper_fairness`` in its JSON."""

    @functools.wraps(step)
    def shown(ctx: Context, code: str, *args: Any, **kw: Any) -> Any:
        result = step(ctx, code, *args, **kw)
        if isinstance(result, Outcome):
            result.labels = {**ISSUE_LABELS, **(result.labels or {})}
            result.notes += [spread_note(_spread_of_group(g), Msg("{tier} {family}", tier=tier_label(ctx.policy, g["tier"]),
                                                                  family=g["family"]))
                             for g in result.data.get("groups", []) if "expected_low" in g]
            return result
        with ctx.uow() as uow:
            groups = paper_groups(cycle_papers(uow.s, cycle_repo.get(uow.s, code).id))
        result.notes += [g.line(ctx.policy) for g in groups]
        result.extra["paper_fairness"] = [g.as_data() for g in groups]
        return result

    return shown


def _spread_of_group(g: dict) -> Spread:
    return Spread(g["papers"], float(g["expected_low"]), float(g["expected_high"]), g.get("max_use"),
                  g.get("mean_use"), g.get("questions"))
