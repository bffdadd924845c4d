"""Quotas (名额): who may compete sets the base, the pyramid and the share rule propose seats, the
officer confirms (`cycle quota`), and evaluation applies them."""

from __future__ import annotations

import json
import math
import re
from collections import Counter

from sqlalchemy import select

from gradecli.domain import cycle as cyc
from gradecli.domain.analysis import project
from gradecli.domain.errors import BadInput
from gradecli.domain.evaluation import QuotaRule, share_quota
from gradecli.domain.ledger import grade_on
from gradecli.services.context import Context
from gradecli.services.results import Listing
from gradecli.store import cycle_repo, repo
from gradecli.store.models import CycleRow, Employee

QuotaKey = tuple[str, int]  # (family, target tier); family "" means every family


def label(family: str, tier: int) -> str:
    return f"{family} → tier {tier}"


def parse_seats(values: list[str] | None) -> dict[QuotaKey, int] | None:
    """--quota values: TIER=SEATS for every family, or FAMILY:TIER=SEATS for one."""
    if not values:
        return None
    out: dict[QuotaKey, int] = {}
    for v in values:
        m = re.fullmatch(r"\s*(?:([^:=]+?)\s*:)?\s*(\d+)\s*=\s*(\d+)\s*", v)
        if not m:
            raise BadInput(f"--quota {v!r}: write TIER=SEATS (e.g. --quota 4=3) or FAMILY:TIER=SEATS (e.g. 航标:4=2)")
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
            "derivation": f"pyramid: {share} % of {total} graded {family} staff = {target}, {held[tier]} already in "
                          f"tier {tier}, {seats} seats left"}


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
            out[(family, tier)] = QuotaRule("seats", given, f"fixed at evaluation: --quota {tier}={given}")
        elif confirmed is not None:
            out[(family, tier)] = QuotaRule("seats", confirmed["seats"], confirmed["derivation"])
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
        raise BadInput(f"quota mode is fixed: confirm seats with `gradecli cycle quota {c.code} --quota TIER=N`, or give "
                       f"--quota for target tier(s) {', '.join(map(str, sorted(set(missing))))}, e.g. --quota 4=3")
    return out


def _share(percent: int, base: Counter | None, family: str, tier: int) -> QuotaRule:
    return QuotaRule("share", percent, base=None if base is None else base[(family, tier)])


PLAN_COLUMNS = [("group", "范围"), ("eligible", "可报名"), ("registered", "已报名"), ("share_seats", "比例名额"),
                ("pyramid_seats", "金字塔名额"), ("projection", "该等占比预测"), ("confirmed", "已确认名额"),
                ("derivation", "依据")]


def propose(ctx: Context, code: str, *, accept: str | None = None, seats: dict[QuotaKey, int] | None = None) -> Listing:
    """Seats proposed per (family, target tier) from the share rule and the pyramid target, over the
    eligible population; ``accept`` (share | pyramid) or ``seats`` confirm them for evaluation."""
    e = ctx.policy.evaluation
    if accept not in (None, "share", "pyramid"):
        raise BadInput(f"--accept {accept!r}: write share or pyramid")
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code, lock=bool(accept or seats))
        if accept or seats:
            cyc.require(c.state, ("draft", "open", "papers_issued", "scored", "evaluated"), code=c.code,
                        action="confirming quotas")
        base = eligible_counts(ctx, s, c)
        registered = Counter((r.family, r.to_tier) for r in cycle_repo.registrations(s, c))
        plan = json.loads(c.quota_plan or "{}")
        rows = []
        for family, tier in sorted(set(base) | set(registered)):
            n = base[(family, tier)]
            percent = e.semiannual_quota_share if c.kind == "semiannual" else e.quota_shares.get(str(tier), 0)
            share_seats = share_quota(n, percent, anyone_passed=n > 0)
            pyr = pyramid(ctx, s, c, family, tier) if c.kind == "annual" else None
            row = {"group": label(family, tier), "family": family, "tier": tier, "eligible": n,
                   "registered": registered[(family, tier)], "share_percent": percent, "share_seats": share_seats,
                   "pyramid_seats": pyr["seats"] if pyr else None,
                   "projection": " → ".join(f"{x:g}%" for x in pyr["projection"]) + f" (目标 {pyr['share']}%)" if pyr else None,
                   "share_derivation": f"{percent} % of {n} eligible = {n * percent / 100:g}, rounded down"
                                       + (", at least 1" if share_seats > math.floor(n * percent / 100) else ""),
                   "pyramid_derivation": pyr["derivation"] if pyr else None}
            chosen = seats_for(seats, family, tier)
            if chosen is not None:
                plan[row["group"]] = {"seats": chosen, "derivation": f"set by the officer: {chosen} seats "
                                      f"(proposed: share {share_seats}" + (f", pyramid {pyr['seats']})" if pyr else ")")}
            elif accept == "share" or (accept == "pyramid" and pyr is None):
                plan[row["group"]] = {"seats": share_seats, "derivation": row["share_derivation"]}
            elif accept == "pyramid":
                plan[row["group"]] = {"seats": pyr["seats"], "derivation": pyr["derivation"]}
            confirmed = plan.get(row["group"])
            row["confirmed"] = confirmed["seats"] if confirmed else None
            row["derivation"] = confirmed["derivation"] if confirmed else row["share_derivation"]
            rows.append(row)
        if accept or seats:
            c.quota_plan = json.dumps(plan, ensure_ascii=False)
            cycle_repo.log(s, c, ctx.actor, "quota", plan=plan, today=ctx.today)
            uow.commit()
    notes = [] if (accept or seats) else [
        f"confirm with `gradecli cycle quota {c.code} --accept share` (or pyramid), or set seats with "
        "--quota TIER=N / FAMILY:TIER=N; evaluation then uses them and the notice prints how they were set"]
    title = f"Quotas of cycle {c.code}: base = the eligible population on {c.exam_date}"
    return Listing(title, PLAN_COLUMNS, rows, notes, {"cycle": c.code, "plan": plan})
