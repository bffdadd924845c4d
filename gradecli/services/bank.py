"""Question bank use cases: import (YAML or Excel), export, template, retire, statistics."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import select, update

from gradecli.domain.assembly import Blueprint, family_label, no_bank, pool_for
from gradecli.domain.bank import BankFamily, Question, QuestionType, RawQuestion, check_bank
from gradecli.domain.errors import BadInput, NotFound, Problem, RuleRefused
from gradecli.domain.policy import Policy
from gradecli.formats import bank_excel, bank_yaml
from gradecli.i18n import N_, Code, Msg, Reason, _
from gradecli.services.context import Context
from gradecli.services.results import Listing, Outcome
from gradecli.store import bank_repo, repo
from gradecli.store.bulk import insert_rows
from gradecli.store.models import QuestionRow, QuestionVersionRow

DIFFICULTY_BANDS = ((0.0, 0.4, "<0.4"), (0.4, 0.6, "0.4–0.6"), (0.6, 0.8, "0.6–0.8"), (0.8, 1.01, "≥0.8"))


class Severity(Code):
    LABELS = {"blocking": N_("blocking"), "warning": N_("warning"), "info": N_("info")}


class Check(Code):
    LABELS = {"exact_duplicate": N_("exact duplicate"), "near_duplicate": N_("near duplicate"),
              "repeated_option": N_("repeated option"), "single_letters": N_("single-choice key spread"),
              "multiple_keys": N_("multiple-choice keys"), "judge_balance": N_("true/false balance"),
              "area_missing": N_("knowledge area missing"), "area_too_few": N_("knowledge area too small"),
              "blueprint": N_("blueprint"), "sitting_cap": N_("sitting cap"), "capacity": N_("capacity")}


class Bands(dict):
    """Active questions per difficulty band: a mapping in --json ({"<0.4": 3, …}, every band), the
    bands that have questions on a terminal ("<0.4:3 0.4–0.6:5")."""

    def __str__(self) -> str:
        return " ".join(f"{label}:{n}" for label, n in self.items() if n)


def read_sources(paths: list[Path], *, tiers: int, check_options: bool = True) -> list[Question]:
    """Every question of every file, checked together; any problem rejects the whole import.
    ``check_options`` False lets repeated options through, for `bank check` to report."""
    files = bank_yaml.expand(paths)
    if not files:
        raise BadInput(Reason("no_bank_files", "no .yaml or .xlsx bank files in {paths}; name bank files or the "
                              "folders that hold them", paths=[str(p) for p in paths]))
    raws: list[RawQuestion] = []
    problems: list[Problem] = []
    for f in files:
        if f.suffix.lower() == ".xlsx":
            try:
                raws += bank_excel.read(f)
            except BadInput as exc:
                problems += exc.problems or [Problem("", exc.message if exc.message is not None else str(exc))]
        else:
            r, p = bank_yaml.read(f)
            raws += r
            problems += p
    questions, more = check_bank(raws, tiers=tiers, check_options=check_options)
    problems += more
    if problems:
        raise BadInput(problems=problems)
    return questions


def import_paths(ctx: Context, paths: list[Path]) -> Outcome:
    questions = read_sources(paths, tiers=ctx.policy.ladder.tiers)
    stamp = repo.now_utc()
    counts = Counter(dict.fromkeys(IMPORT_COUNTS, 0))
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
                problems.append(Problem("", Reason(
                    "question_moved", "question {qid} is tier {old_tier} {old_family} in the database, tier {tier} "
                    "{family} in the file; ids are stable — give it a new id", qid=q.qid, old_tier=old.tier,
                    old_family=old.family, tier=q.tier, family=q.family)))
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
                counts["new_versions"] += 1
            else:
                s.execute(update(QuestionVersionRow).where(QuestionVersionRow.id == vid)
                          .values(**bank_repo.version_values(q), created_at=stamp))
                counts["edited"] += 1
        if problems:
            raise BadInput(problems=problems)
        insert_rows(s, QuestionRow.__table__, new_q)
        insert_rows(s, QuestionVersionRow.__table__, new_v)
        uow.commit()
    n = len(questions)
    if counts["unchanged"] == n:
        summary = Msg("{questions} questions, nothing changed (all already in the bank)", questions=n)
    elif counts["retired"] or counts["reactivated"]:
        summary = Msg("{questions} questions — {added} added, {edited} edited, {new_versions} new versions, {retired} "
                      "retired, {reactivated} reactivated, {unchanged} unchanged", questions=n, **counts)
    else:
        summary = Msg("{questions} questions — {added} added, {edited} edited, {new_versions} new versions, "
                      "{unchanged} unchanged", questions=n, added=counts["added"], edited=counts["edited"],
                      new_versions=counts["new_versions"], unchanged=counts["unchanged"])
    return Outcome(summary, {"questions": n, **{k: counts[k] for k in IMPORT_COUNTS}})


# What an import did with each question of its files (every count is in --json, zero or not).
IMPORT_COUNTS = ("added", "edited", "new_versions", "retired", "reactivated", "unchanged")


def write_template(path: Path) -> Outcome:
    bank_excel.write_bank_template(path)
    return Outcome(Msg("wrote the bank template {path}", path=str(path)), {"path": str(path)})


def export(ctx: Context, *, tier: int, family: str | None, out: Path) -> Outcome:
    with ctx.uow() as uow:
        qs = bank_repo.current_questions(uow.s, tier=tier, families=[family] if family else None)
    if not qs:
        raise NotFound(Reason("no_questions", "no questions of tier {tier} {family}; check `gradecli bank stats`",
                              tier=tier, family=family) if family else
                       Reason("no_questions", "no questions of tier {tier}; check `gradecli bank stats`", tier=tier))
    if out.suffix.lower() == ".xlsx":
        bank_excel.export(out, qs)
    elif out.suffix.lower() in (".yaml", ".yml"):
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(bank_yaml.dump(qs, tier, family), encoding="utf-8")
    else:
        raise BadInput(Reason("bad_extension", "--out {path}: name a .yaml or .xlsx file", path=str(out)))
    return Outcome(Msg("exported {questions} questions of tier {tier} to {path}", questions=len(qs), tier=tier,
                       path=str(out)), {"questions": len(qs), "tier": tier, "family": family, "path": str(out)})


def retire(ctx: Context, qid: str) -> Outcome:
    with ctx.uow() as uow:
        row = uow.s.get(QuestionRow, qid)
        if row is None:
            raise NotFound(Reason("no_question", "no question '{qid}'; check the id with `gradecli bank export`",
                                  qid=qid))
        if row.status == "retired":
            return Outcome(Msg("{qid} is already retired", qid=qid), {"qid": qid, "changed": False})
        row.status, row.updated_at = "retired", repo.now_utc()
        uow.commit()
    return Outcome(Msg("{qid} retired: later papers will not use it (stored papers keep it)", qid=qid),
                   {"qid": qid, "changed": True})


def _headers(columns: list[tuple[str, str]]) -> list[tuple[str, Msg]]:
    """Column headers (N_-marked where defined) as messages, which the table renders in the run's language."""
    return [(key, Msg(header)) for key, header in columns]


STATS_COLUMNS = [("tier", N_("Tier")), ("family", N_("Post family")), ("type", N_("Type")), ("points", N_("Points")),
                 ("active", N_("Active")), ("retired", N_("Retired")), ("mean_difficulty", N_("Mean difficulty")),
                 ("bands", N_("Difficulty bands"))]


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
        rows.append({"tier": t, "family": BankFamily(fam), "type": QuestionType(typ), "points": pts, "active": len(act),
                     "retired": len(items) - len(act),
                     "mean_difficulty": round(sum(q.difficulty for q in act) / len(act), 3) if act else None,
                     "bands": Bands((lbl, bands[lbl]) for _, _, lbl in DIFFICULTY_BANDS)})
    areas = Counter((q.tier, a) for q in qs if q.active for a in q.areas)
    capacity = _capacity(ctx.policy, qs)
    notes = [_capacity_note(c) for c in capacity]
    extra = {"areas": [{"tier": t, "area": a, "active": n} for (t, a), n in sorted(areas.items())],
             "capacity": capacity}
    return Listing(Msg("Question bank"), _headers(STATS_COLUMNS), rows, notes, extra)


def _capacity_note(c: dict) -> Msg:
    if c["log10_distinct"] is None:
        return Msg("tier {tier} {family}: {active} active; {per_sitting}", tier=c["tier"],
                   family=family_label(c["family"]), active=c["active"], per_sitting=c["per_sitting"])
    return Msg("tier {tier} {family}: {active} active; distinct papers ≈ 10^{log10_distinct}; {disjoint} papers with no "
               "question in common; {per_sitting}", tier=c["tier"], family=family_label(c["family"]),
               active=c["active"], log10_distinct=c["log10_distinct"], disjoint=c["disjoint"],
               per_sitting=c["per_sitting"])


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
            per = Reason("blueprint_unmet", "the blueprint cannot be met")
        elif bp.sitting_share < 100:
            # with a cap of share × K papers per question, K papers need n ≥ count / share per section
            for sec in bp.sections:
                n = sum(1 for q in pool if q.type == sec.type and q.points == sec.points)
                if n * bp.sitting_share < sec.count * 100:
                    short.append({"type": sec.type, "points": sec.points, "active": n,
                                  "needed": math.ceil(sec.count * 100 / bp.sitting_share)})
            per = (Reason("too_few_for_cap", "too few questions for the sitting cap ({share}%)",
                          share=bp.sitting_share) if short
                   else Reason("any_under_cap", "any number of papers per sitting under the sitting cap ({share}%)",
                               share=bp.sitting_share))
        else:
            per = Reason("no_sitting_cap", "no sitting cap")
        out.append({"tier": tier, "family": fam, "active": len(pool),
                    "log10_distinct": round(log10, 1) if log10 != float("-inf") else None,
                    "disjoint": disjoint or 0, "per_sitting": per, "short_for_sitting": short})
    return out


CHECK_COLUMNS = [("tier", N_("Tier")), ("family", N_("Post family")), ("severity", N_("Severity")),
                 ("check", N_("Check")), ("questions", N_("Questions")), ("detail", N_("Detail"))]


def _section(x: dict) -> Msg:
    return Msg("{type} × {points} points: {active}", type=QuestionType(x["type"]), points=x["points"], active=x["active"])


def _short_section(x: dict) -> Msg:
    return Msg("{type} × {points} points: {active} active, {needed} needed", type=QuestionType(x["type"]), points=x["points"],
               active=x["active"], needed=x["needed"])


def check_detail(code: str, params: dict, qids: tuple[str, ...] = ()) -> Reason:
    """A finding of `bank check` (a code, its typed parameters and its questions) as a message."""
    p = params
    if code == "exact_duplicate":
        return Reason(code, "{a} and {b} are the same question (same stem and options): retire one", a=qids[0], b=qids[1])
    if code == "near_duplicate":
        return Reason(code, "{a} and {b} look like one question in other words (stems {score} % alike, same key): "
                      "retire or rewrite one", a=qids[0], b=qids[1], score=p["score"])
    if code == "repeated_option":
        return Reason(code, "{qid}: options written twice: {options}; make every option different", qid=qids[0],
                      options=[f"“{o}”" for o in p["options"]])
    if code == "single_letters":
        return Reason(code, "single-choice keys {letters} of {questions} questions (about {even} each when even): put "
                      "the correct option in other places", letters=[f"{k} {v}" for k, v in p["letters"].items()],
                      questions=p["questions"], even=p["even"])
    if code == "multiple_keys":
        return Reason(code, "{count} of {questions} multiple-choice questions have the key {key}: vary which options "
                      "are correct", count=p["count"], questions=p["questions"], key=p["key"])
    if code == "judge_balance":
        return Reason(code, "{true} of {questions} judge statements are true and {false} false: aim at about half each",
                      true=p["true"], questions=p["questions"], false=p["false"])
    if code == "area_missing":
        return Reason(code, "knowledge area “{area}” has no active question; the blueprint requires it on every paper",
                      area=p["area"])
    if code == "area_too_few":
        return Reason(code, "knowledge area “{area}” has {active} active questions ({by_section}); {needed} are needed "
                      "so that every paper of a sitting can carry one under the caps", area=p["area"],
                      active=p["active"], by_section=[_section(x) for x in p["by_section"]], needed=p["needed"])
    if code == "blueprint":
        return Reason(code, "the blueprint cannot be met: {problem}", problem=p["problem"])
    if code == "sitting_cap":
        return Reason(code, "{sections}: a sitting of individual papers needs that many under the sitting cap "
                      "({share}%)", sections=[_short_section(x) for x in p["short"]], share=p["share"])
    if code == "capacity":
        if p["log10_distinct"] is None:
            return Reason(code, "{active} active ({own} own + {common} common); {per_sitting}", active=p["active"],
                          own=p["own"], common=p["common"], per_sitting=p["per_sitting"])
        return Reason(code, "{active} active ({own} own + {common} common); distinct papers ≈ 10^{log10_distinct}; "
                      "{disjoint} papers with no question in common; {per_sitting}", active=p["active"], own=p["own"],
                      common=p["common"], log10_distinct=p["log10_distinct"], disjoint=p["disjoint"],
                      per_sitting=p["per_sitting"])
    raise ValueError(f"unknown bank check finding {code}")


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
            raise RuleRefused(no_bank(family, tier) if tier else Reason(
                "no_bank", "no question bank for {family}: add question_bank/{family}/tier-N.yaml or import a sheet "
                "from `gradecli bank template`", family=family))
        raise NotFound(Reason("nothing_to_check", "no questions of tier {tier} to check; name bank files or folders, or "
                              "import a bank first (`gradecli bank import question_bank/`)", tier=tier) if tier else
                       Reason("nothing_to_check", "no questions to check; name bank files or folders, or import a "
                              "bank first (`gradecli bank import question_bank/`)"))
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
            rows.append({"tier": t, "family": BankFamily(fam), "severity": Severity(f.severity), "check": Check(f.code),
                         "code": f.code, "questions": " ".join(f.qids), "qids": list(f.qids), "params": f.params,
                         "detail": check_detail(f.code, f.params, f.qids)})
        if cap:
            params = {**cap, "own": len(own), "common": len(common)}
            rows.append({"tier": t, "family": BankFamily(fam), "severity": Severity("info"), "check": Check("capacity"),
                         "code": "capacity", "questions": "", "qids": [], "params": params,
                         "detail": check_detail("capacity", params)})
        reports.append({"tier": t, "family": fam, "active": report.active, "pool": report.pool,
                        "blocking": sum(1 for f in findings if f.severity == bank_check.BLOCKING),
                        "warnings": sum(1 for f in findings if f.severity == bank_check.WARNING),
                        "areas": [{"area": a.area, "active": a.total, "by_section": a.by_section}
                                  for a in report.areas],
                        "capacity": cap})
    blocking = sum(r["blocking"] for r in reports)
    warnings = sum(r["warnings"] for r in reports)
    verdict = (Reason("not_fit", "not fit for a sitting: fix the blocking problems") if blocking
               else Reason("fails_strict", "fails with --strict: see the warnings") if strict and warnings
               else Reason("fit", "fit for a sitting"))
    title = Msg("bank check, {banks} bank(s) of tier and family: {blocking} blocking, {warnings} warning(s) — {verdict}",
                banks=len(groups), blocking=blocking, warnings=warnings, verdict=verdict)
    notes = []
    if warnings and not strict and not blocking:
        notes.append(Msg("warnings do not fail the check; --strict makes them fail it"))
    return Listing(title, _headers(CHECK_COLUMNS), rows, notes,
                   {"ok": not blocking and not (strict and warnings), "verdict": verdict, "blocking": blocking,
                    "warnings": warnings, "strict": strict, "banks": reports},
                   exit_code=1 if blocking or (strict and warnings) else 0)
