"""Quotas (名额): who may compete sets the base, the pyramid and the share rule propose seats, the
officer confirms (`cycle quota`), and evaluation applies them."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from decimal import Decimal

from sqlalchemy import select

from gradecli.domain import cycle as cyc
from gradecli.domain.analysis import project
from gradecli.domain.errors import BadInput
from gradecli.domain.evaluation import QuotaRule, share_quota
from gradecli.domain.ledger import grade_on
from gradecli.i18n import Msg, N_, Reason, dumps, loads
from gradecli.services.context import Context
from gradecli.services.results import Listing
from gradecli.store import cycle_repo, repo
from gradecli.store.models import CycleRow, Employee

QuotaKey = tuple[str, int]  # (family, target tier); family "" means every family


def label(family: str, tier: int) -> str:
    """A group's key in the stored quota plan and quotas (kept as it was: stored rows are keyed by it)."""
    return f"{family} → tier {tier}"


def group_label(family: str, tier: int) -> Msg:
    """A group as a person reads it."""
    if not family:
        return Msg("every family → tier {tier}", tier=tier)
    return Msg("{family} → tier {tier}", family=family, tier=tier)


def parse_seats(values: list[str] | None) -> dict[QuotaKey, int] | None:
    """--quota values: TIER=SEATS for every family, or FAMILY:TIER=SEATS for one."""
    if not values:
        return None
    out: dict[QuotaKey, int] = {}
    for v in values:
        m = re.fullmatch(r"\s*(?:([^:=]+?)\s*:)?\s*(\d+)\s*=\s*(\d+)\s*", v)
        if not m:
            raise BadInput(Reason("bad_quota", "--quota '{value}': write TIER=SEATS (e.g. --quota 4=3) or FAMILY:TIER=SEATS "
                                  "(e.g. {example})", value=v, example="航标:4=2"))
        out[(m.group(1) or "", int(m.group(2)))] = int(m.group(3))
    return out


def seats_for(seats: dict[QuotaKey, int] | None, family: str, tier: int) -> int | None:
    if not seats:
        return None
    return seats.get((family, tier), seats.get(("", tier)))


def eligible_counts(ctx: Context, s, c: CycleRow) -> Counter:  # noqa: ANN001
    """The quota base: per (family, target tier), who may sit this cycle on its exam date
    (applicants inside the wait compete for the fast track only and are not counted)."""
    from gradecli.services.cycles import _assess

    return Counter((e.family, el.target.tier) for e, _, el in _assess(ctx, s, c) if el.eligible and el.target)


def pyramid(ctx: Context, s, c: CycleRow, family: str, tier: int) -> dict:  # noqa: ANN001
    """Seats that move tier ``tier`` toward its target share: the target headcount minus those
    holding it on the exam date; and how the tier's share would move if as many step up each year."""
    lp = ctx.policy.ladder
    staff = s.execute(select(Employee.id).where(Employee.family == family, Employee.professional,
                                                Employee.active)).scalars().all()
    events = repo.events_by_employee(s, until=c.exam_date, employee_ids=staff)
    held = Counter(g.tier for eid in staff if (g := grade_on(events.get(eid, []), c.exam_date)))
    total = sum(held.values())
    share = lp.target_shares[tier - 1]
    target = math.floor(total * share / 100)
    seats = max(0, target - held[tier])
    counts = [held[t] for t in range(1, lp.tiers + 1)]
    below = counts[tier - 2] if tier >= 2 else 0
    rates = [0.0] * lp.tiers
    if tier >= 2 and below:
        rates[tier - 2] = min(1.0, seats / below)
    series = project(counts, years=3, attrition=0.0, step_rates=rates)
    shares = [round(100 * row[tier - 1] / total, 1) if total else 0.0 for row in series]
    return {"seats": seats, "target": target, "held": held[tier], "total": total, "share": share,
            "projection": shares,
            "derivation": Reason("quota_pyramid", "pyramid: {share} percent of {total} graded {family} staff = {target}, "
                                 "{held} already in tier {tier}, {seats} seats left", share=share, total=total,
                                 family=family, target=target, held=held[tier], tier=tier, seats=seats)}


def rules(ctx: Context, s, c: CycleRow, groups, fixed: dict[QuotaKey, int] | None):  # noqa: ANN001, ANN202
    """The quota rule of each (family, target tier) group: seats given at evaluation, else the seats
    confirmed with `cycle quota`, else the policy's rule over the quota base."""
    e = ctx.policy.evaluation
    plan = json.loads(c.quota_plan or "{}")
    base = eligible_counts(ctx, s, c) if e.quota_base == "eligible" else None
    out, missing = {}, []
    for family, tier in groups:
        given = seats_for(fixed, family, tier)
        confirmed = plan.get(label(family, tier))
        if given is not None:
            out[(family, tier)] = QuotaRule("seats", given, Reason("quota_fixed", "fixed at evaluation: --quota "
                                                                   "{tier}={seats}", tier=tier, seats=given))
        elif confirmed is not None:
            out[(family, tier)] = QuotaRule("seats", confirmed["seats"], loads(confirmed["derivation"]))
        elif c.kind == "semiannual":
            out[(family, tier)] = (QuotaRule("none") if e.semiannual_quota_mode == "none" else
                                   _share(e.semiannual_quota_share, base, family, tier))
        elif e.quota_mode == "share":
            out[(family, tier)] = _share(e.quota_shares.get(str(tier), 0), base, family, tier)
        elif e.quota_mode == "pyramid":
            p = pyramid(ctx, s, c, family, tier)
            out[(family, tier)] = QuotaRule("seats", p["seats"], p["derivation"])
        else:
            missing.append(tier)
    if missing:
        raise BadInput(Reason("quota_needed", "quota mode is fixed: confirm seats with `gradecli cycle quota {cycle} "
                              "--quota TIER=N`, or give --quota for target tier(s) {tiers}, e.g. --quota 4=3",
                              cycle=c.code, tiers=sorted(set(missing))))
    return out


def _share(percent: int, base: Counter | None, family: str, tier: int) -> QuotaRule:
    return QuotaRule("share", percent, base=None if base is None else base[(family, tier)])


PLAN_COLUMNS = [("group", Msg("Group")), ("eligible", Msg("Eligible")), ("registered", Msg("Registered")),
                ("share_seats", Msg("Share seats")), ("pyramid_seats", Msg("Pyramid seats")),
                ("projection", Msg("Tier share forecast")), ("confirmed", Msg("Confirmed seats")),
                ("derivation", Msg("Derivation"))]


def share_derivation(percent: int, n: int, seats: int) -> Reason:
    """How the share rule sets a group's seats: "40 percent of 10 eligible = 4, rounded down to 4"."""
    exact, floor_ = Decimal(n * percent) / 100, math.floor(n * percent / 100)
    if seats > floor_:
        return Reason("quota_share", "{percent} percent of {base} eligible = {exact}, rounded down to {floor}, raised to "
                      "{seats} (at least 1)", percent=percent, base=n, exact=exact, floor=floor_, seats=seats)
    return Reason("quota_share", "{percent} percent of {base} eligible = {exact}, rounded down to {seats}", percent=percent,
                  base=n, exact=exact, seats=seats)


def _projection(shares: list[float], target: int) -> Reason:
    """The tier's share now and in each of the next three years if as many step up each year."""
    now, year1, year2, year3 = shares
    return Reason("projection", "{now} % → {year1} % → {year2} % → {year3} % (target {target} %)", now=now,
                  year1=year1, year2=year2, year3=year3, target=target)


def propose(ctx: Context, code: str, *, accept: str | None = None, seats: dict[QuotaKey, int] | None = None) -> Listing:
    """Seats proposed per (family, target tier) from the share rule and the pyramid target, over the
    eligible population; ``accept`` (share | pyramid) or ``seats`` confirm them for evaluation."""
    e = ctx.policy.evaluation
    if accept not in (None, "share", "pyramid"):
        raise BadInput(Reason("bad_accept", "--accept '{value}': write share or pyramid", value=accept))
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code, lock=bool(accept or seats))
        if accept or seats:
            cyc.require(c.state, ("draft", "open", "papers_issued", "scored", "evaluated"), code=c.code,
                        action=N_("confirming quotas"))
        base = eligible_counts(ctx, s, c)
        registered = Counter((r.family, r.to_tier) for r in cycle_repo.registrations(s, c))
        plan = json.loads(c.quota_plan or "{}")  # group → {seats, derivation (stored with dumps)}
        rows = []
        for family, tier in sorted(set(base) | set(registered)):
            n = base[(family, tier)]
            percent = e.semiannual_quota_share if c.kind == "semiannual" else e.quota_shares.get(str(tier), 0)
            share_seats = share_quota(n, percent, anyone_passed=n > 0)
            pyr = pyramid(ctx, s, c, family, tier) if c.kind == "annual" else None
            key = label(family, tier)
            row = {"group": group_label(family, tier), "family": family, "tier": tier, "eligible": n,
                   "registered": registered[(family, tier)], "share_percent": percent, "share_seats": share_seats,
                   "pyramid_seats": pyr["seats"] if pyr else None,
                   "projection": _projection(pyr["projection"], pyr["share"]) if pyr else None,
                   "share_derivation": share_derivation(percent, n, share_seats),
                   "pyramid_derivation": pyr["derivation"] if pyr else None}
            chosen = seats_for(seats, family, tier)
            if chosen is not None:
                how = (Reason("quota_set_by_officer", "set by the officer: {seats} seats (proposed: share {share_seats}, "
                              "pyramid {pyramid_seats})", seats=chosen, share_seats=share_seats,
                              pyramid_seats=pyr["seats"]) if pyr else
                       Reason("quota_set_by_officer", "set by the officer: {seats} seats (proposed: share {share_seats})",
                              seats=chosen, share_seats=share_seats))
                plan[key] = {"seats": chosen, "derivation": dumps(how)}
            elif accept == "share" or (accept == "pyramid" and pyr is None):
                plan[key] = {"seats": share_seats, "derivation": dumps(row["share_derivation"])}
            elif accept == "pyramid":
                plan[key] = {"seats": pyr["seats"], "derivation": dumps(pyr["derivation"])}
            confirmed = plan.get(key)
            row["confirmed"] = confirmed["seats"] if confirmed else None
            row["derivation"] = loads(confirmed["derivation"]) if confirmed else row["share_derivation"]
            rows.append(row)
        if accept or seats:
            c.quota_plan = json.dumps(plan, ensure_ascii=False)
            cycle_repo.log(s, c, ctx.actor, "quota", plan=plan, today=ctx.today)
            uow.commit()
    notes = [] if (accept or seats) else [
        Msg("confirm with `gradecli cycle quota {cycle} --accept share` (or pyramid), or set seats with --quota TIER=N / "
            "FAMILY:TIER=N; evaluation then uses them and the notice prints how they were set", cycle=c.code)]
    title = Msg("Quotas of cycle {cycle}: base = the eligible population on {exam_date}", cycle=c.code,
                exam_date=c.exam_date)
    confirmed_plan = {k: {"seats": v["seats"], "derivation": loads(v["derivation"])} for k, v in plan.items()}
    return Listing(title, PLAN_COLUMNS, rows, notes, {"cycle": c.code, "plan": confirmed_plan})
