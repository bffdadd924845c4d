"""Question bank use cases: import (YAML or Excel), export, template, retire, statistics."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import select, update

from gradecli.domain.assembly import Blueprint, family_label, no_bank, pool_for
from gradecli.domain.bank import Question, RawQuestion, check_bank
from gradecli.domain.errors import BadInput, NotFound, Problem, RuleRefused
from gradecli.domain.policy import Policy
from gradecli.formats import bank_excel, bank_yaml
from gradecli.services.context import Context
from gradecli.services.results import Listing, Outcome
from gradecli.store import bank_repo, repo
from gradecli.store.bulk import insert_rows
from gradecli.store.models import QuestionRow, QuestionVersionRow

DIFFICULTY_BANDS = ((0.0, 0.4, "<0.4"), (0.4, 0.6, "0.4–0.6"), (0.6, 0.8, "0.6–0.8"), (0.8, 1.01, "≥0.8"))


def read_sources(paths: list[Path], *, tiers: int, check_options: bool = True) -> list[Question]:
    """Every question of every file, checked together; any problem rejects the whole import.
    ``check_options`` False lets repeated options through, for `bank check` to report."""
    files = bank_yaml.expand(paths)
    if not files:
        raise BadInput(f"no .yaml or .xlsx bank files in {', '.join(map(str, paths))}")
    raws: list[RawQuestion] = []
    problems: list[str] = []
    for f in files:
        if f.suffix.lower() == ".xlsx":
            try:
                raws += bank_excel.read(f)
            except BadInput as exc:
                problems += exc.lines()
        else:
            r, p = bank_yaml.read(f)
            raws += r
            problems += p
    questions, more = check_bank(raws, tiers=tiers, check_options=check_options)
    problems += more
    if problems:
        raise BadInput(problems=[Problem("", p) for p in problems])
    return questions


def import_paths(ctx: Context, paths: list[Path]) -> Outcome:
    questions = read_sources(paths, tiers=ctx.policy.ladder.tiers)
    stamp = repo.now_utc()
    counts = Counter()
    with ctx.uow() as uow:
        s = uow.s
        existing = {q.qid: q for q in bank_repo.current_questions(s)}
        rows = {r.qid: r for r in s.scalars(select(QuestionRow))}
        version_ids = dict(s.execute(select(QuestionVersionRow.qid, QuestionVersionRow.id)
                                     .join(QuestionRow, (QuestionRow.qid == QuestionVersionRow.qid)
                                           & (QuestionRow.current_version == QuestionVersionRow.version))).all())
        used = set(s.scalars(select(QuestionVersionRow.id).where(QuestionVersionRow.used)))
        problems, new_q, new_v = [], [], []
        for q in questions:
            old = existing.get(q.qid)
            if old is None:
                new_q.append({"qid": q.qid, "tier": q.tier, "family": q.family, "current_version": 1,
                              "status": q.status, "updated_at": stamp})
                new_v.append({**bank_repo.version_values(q), "version": 1, "created_at": stamp})
                counts["added"] += 1
                continue
            if (old.tier, old.family) != (q.tier, q.family):
                problems.append(Problem("", f"question {q.qid} is tier {old.tier} {old.family} in the database, "
                                            f"tier {q.tier} {q.family} in the file; ids are stable — give it a new id"))
                continue
            changed = old.content_hash() != q.content_hash()
            if old.status != q.status:
                rows[q.qid].status = q.status
                rows[q.qid].updated_at = stamp
                counts["retired" if q.status == "retired" else "reactivated"] += 1
            if not changed:
                if old.status == q.status:
                    counts["unchanged"] += 1
                continue
            vid = version_ids[q.qid]
            if vid in used:
                # a paper was given this version: keep it, and make the edit a new version
                new_v.append({**bank_repo.version_values(q), "version": old.version + 1, "created_at": stamp})
                rows[q.qid].current_version = old.version + 1
                rows[q.qid].updated_at = stamp
                counts["new versions"] += 1
            else:
                s.execute(update(QuestionVersionRow).where(QuestionVersionRow.id == vid)
                          .values(**bank_repo.version_values(q), created_at=stamp))
                counts["edited"] += 1
        if problems:
            raise BadInput(problems=problems)
        insert_rows(s, QuestionRow.__table__, new_q)
        insert_rows(s, QuestionVersionRow.__table__, new_v)
        uow.commit()
    parts = [f"{n} {k}" for k, n in counts.items() if n and k != "unchanged"]
    if not parts:
        summary = f"{len(questions)} questions, nothing changed (all already in the bank)"
    else:
        summary = f"{len(questions)} questions — {', '.join(parts)}, {counts['unchanged']} unchanged"
    return Outcome(summary, {"questions": len(questions), **{k.replace(' ', '_'): v for k, v in counts.items()}})


def write_template(path: Path) -> Outcome:
    bank_excel.write_bank_template(path)
    return Outcome(f"wrote the bank template {path}", {"path": str(path)})


def export(ctx: Context, *, tier: int, family: str | None, out: Path) -> Outcome:
    with ctx.uow() as uow:
        qs = bank_repo.current_questions(uow.s, tier=tier, families=[family] if family else None)
    if not qs:
        raise NotFound(f"no questions for tier {tier}{' ' + family if family else ''}; check `gradecli bank stats`")
    if out.suffix.lower() == ".xlsx":
        bank_excel.export(out, qs)
    elif out.suffix.lower() in (".yaml", ".yml"):
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(bank_yaml.dump(qs, tier, family), encoding="utf-8")
    else:
        raise BadInput(f"--out {out}: write .yaml or .xlsx")
    return Outcome(f"exported {len(qs)} questions of tier {tier} to {out}", {"questions": len(qs), "path": str(out)})


def retire(ctx: Context, qid: str) -> Outcome:
    with ctx.uow() as uow:
        row = uow.s.get(QuestionRow, qid)
        if row is None:
            raise NotFound(f"no question {qid!r}; check the id with `gradecli bank export`")
        if row.status == "retired":
            return Outcome(f"{qid} is already retired", {"qid": qid, "changed": False})
        row.status, row.updated_at = "retired", repo.now_utc()
        uow.commit()
    return Outcome(f"{qid} retired: later papers will not use it (stored papers keep it)", {"qid": qid, "changed": True})


STATS_COLUMNS = [("tier", "等"), ("family", "岗位序列"), ("type", "题型"), ("points", "分值"), ("active", "在用"),
                 ("retired", "停用"), ("mean_difficulty", "平均难度"), ("bands", "难度分布")]


def stats(ctx: Context, *, tier: int | None = None) -> Listing:
    with ctx.uow() as uow:
        qs = bank_repo.current_questions(uow.s, tier=tier)
    groups: dict[tuple, list[Question]] = defaultdict(list)
    for q in qs:
        groups[(q.tier, q.family, q.type, q.points)].append(q)
    rows = []
    for (t, fam, typ, pts), items in sorted(groups.items()):
        act = [q for q in items if q.active]
        bands = Counter(label for q in act for lo, hi, label in DIFFICULTY_BANDS if lo <= q.difficulty < hi)
        rows.append({"tier": t, "family": fam, "type": typ, "points": pts, "active": len(act),
                     "retired": len(items) - len(act),
                     "mean_difficulty": round(sum(q.difficulty for q in act) / len(act), 3) if act else None,
                     "bands": " ".join(f"{lbl}:{bands[lbl]}" for _, _, lbl in DIFFICULTY_BANDS if bands[lbl])})
    areas = Counter((q.tier, a) for q in qs if q.active for a in q.areas)
    capacity = _capacity(ctx.policy, qs)
    notes = [f"tier {c['tier']} {family_label(c['family'])}: {c['active']} active; distinct papers ≈ 10^{c['log10_distinct']}; "
             f"{c['disjoint']} papers with no question in common; {c['per_sitting']}"
             for c in capacity]
    extra = {"areas": [{"tier": t, "area": a, "active": n} for (t, a), n in sorted(areas.items())],
             "capacity": capacity}
    return Listing("Question bank", STATS_COLUMNS, rows, notes, extra)


def _capacity(policy: Policy, qs: list[Question], groups: list[tuple[int, str]] | None = None) -> list[dict]:
    """How many papers each tier's bank supports under the family's blueprint and caps (every tier
    and family of ``qs``, or the given (tier, family) groups)."""
    out = []
    if groups is None:
        families = sorted({q.family for q in qs if q.family != "common"}) or ["common"]
        groups = [(tier, fam) for tier in sorted({q.tier for q in qs}) for fam in families]
    for tier, fam in groups:
        bp = Blueprint.from_policy(policy, tier, family=fam)
        pool = pool_for(qs, tier, fam)
        if not pool:
            continue
        log10, disjoint = 0.0, None
        for sec in bp.sections:
            n = sum(1 for q in pool if q.type == sec.type and q.points == sec.points)
            if n < sec.count:
                log10, disjoint = float("-inf"), 0
                break
            log10 += math.log10(math.comb(n, sec.count))
            d = n // sec.count
            disjoint = d if disjoint is None else min(disjoint, d)
        short: list[dict] = []
        if disjoint == 0:
            per = "the blueprint cannot be met"
        elif bp.sitting_share < 100:
            # with a cap of share × K papers per question, K papers need n ≥ count / share per section
            for sec in bp.sections:
                n = sum(1 for q in pool if q.type == sec.type and q.points == sec.points)
                if n * bp.sitting_share < sec.count * 100:
                    short.append({"section": sec.label(), "active": n,
                                  "needed": math.ceil(sec.count * 100 / bp.sitting_share)})
            per = (f"too few questions for the {bp.sitting_share} % cap" if short
                   else f"any number of papers per sitting under the {bp.sitting_share} % cap")
        else:
            per = "no sitting cap"
        out.append({"tier": tier, "family": fam, "active": len(pool),
                    "log10_distinct": round(log10, 1) if log10 != float("-inf") else None,
                    "disjoint": disjoint or 0, "per_sitting": per, "short_for_sitting": short})
    return out


CHECK_COLUMNS = [("tier", "等"), ("family", "岗位序列"), ("severity", "级别"), ("check", "检查"), ("questions", "试题"),
                 ("detail", "说明")]

CHECK_DETAIL = {
    "exact_duplicate": "{a} and {b} are the same question (same stem and options): retire one",
    "near_duplicate": "{a} and {b} look like one question in other words (stems {score} % alike, same key): "
                      "retire or rewrite one",
    "repeated_option": "{qid}: the option {options} appears twice: make every option different",
    "single_letters": "single-choice keys {letters} of {questions} questions (about {even} each when even): "
                      "put the correct option in other places",
    "multiple_keys": "{count} of {questions} multiple-choice questions have the key {key}: vary which options are correct",
    "judge_balance": "{true} of {questions} judge statements are true and {false} false: aim at about half each",
    "area_missing": "knowledge area {area!r} has no active question; the blueprint requires it on every paper",
    "area_too_few": "knowledge area {area!r} has {active} active questions ({by_section}); {needed} are needed so that "
                    "every paper of a sitting can carry one under the caps",
    "blueprint": "{problem}",
    "sitting_cap": "{sections}: a sitting of individual papers needs that many under the {share} % cap",
    "capacity": "{active} active ({own} own + {common} common); distinct papers ≈ 10^{log10_distinct}; "
                "{disjoint} papers with no question in common; {per_sitting}",
}


def _check_detail(code: str, params: dict, qids: tuple[str, ...]) -> str:
    p = dict(params)
    if code in ("exact_duplicate", "near_duplicate"):
        p["a"], p["b"] = qids
    if code == "repeated_option":
        p["qid"], p["options"] = qids[0], "、".join(repr(o) for o in params["options"])
    if code == "single_letters":
        p["letters"] = ", ".join(f"{k} {v}" for k, v in params["letters"].items())
    if code == "area_too_few":
        p["by_section"] = ", ".join(f"{k}: {v}" for k, v in params["by_section"].items())
    if code == "sitting_cap":
        p["sections"] = "; ".join(f"{x['section']}: {x['active']} active, {x['needed']} needed" for x in params["short"])
    return CHECK_DETAIL[code].format(**p)


def check(ctx: Context, paths: list[Path] | None = None, *, tier: int | None = None, family: str | None = None,
          strict: bool = False) -> Listing:
    """bank check: is each tier's bank of each family fit for a sitting? With paths, the banks as
    they would be once those files are imported (the database's questions as the base)."""
    from rapidfuzz import fuzz  # only this command needs it; importing it costs start-up time

    from gradecli.domain import bank_check

    files = read_sources(paths, tiers=ctx.policy.ladder.tiers, check_options=False) if paths else None
    with ctx.uow() as uow:
        stored = bank_repo.current_questions(uow.s)
    questions = {q.qid: q for q in stored}
    if files is not None:
        questions.update((q.qid, q) for q in files)
    qs = list(questions.values())
    banks = {(q.tier, q.family) for q in qs}
    touched = banks if files is None else {(q.tier, q.family) for q in files}
    # a changed common bank changes every family's papers of its tier
    groups = sorted(touched | {(t, f) for t, f in banks if (t, "common") in touched},
                    key=lambda g: (g[0], g[1] == "common", g[1]))
    groups = [(t, f) for t, f in groups if (tier is None or t == tier) and (family is None or f == family)]
    if not groups:
        if family and family != "common":
            raise RuleRefused(no_bank(family, tier) if tier else f"no question bank for {family}: add "
                              f"question_bank/{family}/tier-N.yaml or import a sheet from `gradecli bank template`")
        raise NotFound(f"no questions{f' for tier {tier}' if tier else ''} to check; "
                       "name bank files or folders, or import a bank first (`gradecli bank import question_bank/`)")
    active: dict[tuple[int, str], list[Question]] = defaultdict(list)
    for q in sorted(qs, key=lambda q: q.qid):
        if q.active:
            active[(q.tier, q.family)].append(q)
    capacity = {(c["tier"], c["family"]): c
                for c in _capacity(ctx.policy, qs, [(t, f) for t, f in groups if f != "common"])}
    rows, reports = [], []
    for t, fam in groups:
        own, common = active[(t, fam)], active[(t, "common")]
        bp = None if fam == "common" else Blueprint.from_policy(ctx.policy, t, family=fam)
        report = bank_check.check_group(t, fam, own, common, bp, fuzz)
        findings = list(report.findings)
        cap = capacity.get((t, fam))
        if cap and cap["short_for_sitting"] and cap["disjoint"]:
            findings.append(bank_check.Finding(t, fam, "sitting_cap", bank_check.BLOCKING, (), {
                "short": cap["short_for_sitting"], "share": bp.sitting_share}))
        for f in findings:
            rows.append({"tier": t, "family": fam, "severity": f.severity, "check": f.code, "code": f.code,
                         "questions": " ".join(f.qids), "qids": list(f.qids), "params": f.params,
                         "detail": _check_detail(f.code, f.params, f.qids)})
        if cap:
            params = {**cap, "own": len(own), "common": len(common)}
            rows.append({"tier": t, "family": fam, "severity": "info", "check": "capacity", "code": "capacity",
                         "questions": "", "qids": [], "params": params, "detail": _check_detail("capacity", params, ())})
        reports.append({"tier": t, "family": fam, "active": report.active, "pool": report.pool,
                        "blocking": sum(1 for f in findings if f.severity == bank_check.BLOCKING),
                        "warnings": sum(1 for f in findings if f.severity == bank_check.WARNING),
                        "areas": [{"area": a.area, "active": a.total, "by_section": a.by_section}
                                  for a in report.areas],
                        "capacity": cap})
    blocking = sum(r["blocking"] for r in reports)
    warnings = sum(r["warnings"] for r in reports)
    verdict = ("not fit for a sitting: fix the blocking problems" if blocking
               else "fails with --strict: see the warnings" if strict and warnings
               else "fit for a sitting")
    title = (f"bank check, {len(groups)} bank(s) of tier and family: {blocking} blocking, {warnings} warning(s) — {verdict}")
    notes = []
    if warnings and not strict and not blocking:
        notes.append("warnings do not fail the check; --strict makes them fail it")
    return Listing(title, CHECK_COLUMNS, rows, notes,
                   {"ok": not blocking and not (strict and warnings), "blocking": blocking, "warnings": warnings,
                    "strict": strict, "banks": reports},
                   exit_code=1 if blocking or (strict and warnings) else 0)
