"""The ladder of every post family: tiers, levels, labels, target shares and who holds each grade."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from gradecli.domain.ladder import Ladder
from gradecli.domain.ledger import grade_on
from gradecli.services.context import Context
from gradecli.services.results import Listing
from gradecli.store import repo
from gradecli.store.models import Employee


def show(ctx: Context, *, on: date | None = None) -> Listing:
    """One row per post family; a column per tier with the staff holding it on ``on``."""
    on = on or date.today()
    policy = ctx.policy
    with ctx.uow() as uow:
        staff = uow.s.execute(select(Employee.id, Employee.family)
                              .where(Employee.active, Employee.professional)).all()
        events = repo.events_by_employee(uow.s, until=on)
        from gradecli.services.allowance import Tables

        uow_tables = Tables(uow.s)
    families = list(dict.fromkeys([*policy.ladder.families, *sorted({f for _, f in staff})]))
    held: Counter[tuple[str, int]] = Counter()
    ungraded: Counter[str] = Counter()
    for eid, fam in staff:
        g = grade_on(events.get(eid, []), on)
        if g:
            held[(fam, g.tier)] += 1
        else:
            ungraded[fam] += 1
    tiers = range(1, policy.ladder.tiers + 1)
    labels = policy.ladder.tier_labels
    columns = [("family", "岗位序列"), ("levels", "级数"), ("level_labels", "级名")]
    columns += [(f"tier_{t}", f"{labels[t - 1]} ({policy.ladder.target_shares[t - 1]}%)") for t in tiers]
    columns += [("ungraded", "未定级")]
    rows = []
    for fam in families:
        ladder = Ladder.for_family(policy, fam)
        row = {"family": fam, "levels": ladder.levels,
               "level_labels": f"{ladder.level_label.format(n=1)}–{ladder.level_label.format(n=ladder.levels)}",
               "ungraded": ungraded[fam]}
        row.update({f"tier_{t}": held[(fam, t)] for t in tiers})
        rows.append(row)
    notes = [f"tiers {', '.join(labels)} — target share of staff in brackets; counts are active "
             f"professional-technical staff holding each tier on {on}",
             _allowance_note(uow_tables, on)]
    return Listing("Ladder (等级)", columns, rows, notes,
                   {"on": on.isoformat(), "tiers": [{"tier": t, "label": labels[t - 1],
                                                     "target_share": policy.ladder.target_shares[t - 1]} for t in tiers]})


def _allowance_note(tables, on: date) -> str:  # noqa: ANN001
    versions = tables.in_force(on)
    if not versions:
        return "allowance: no table is in force yet (`gradecli allowance import FILE.xlsx`)"
    parts = [f"{v.families or 'all families'} from {v.effective_from}" for v in versions]
    return "allowance table in force: " + "; ".join(parts) + " (`gradecli allowance show`)"


STANDARD_COLUMNS = [("family", "岗位序列"), ("tier", "等"), ("label", "等名"), ("standard", "等级标准"),
                    ("pass_theory", "理论合格线"), ("pass_skill", "实操合格线")]


def standards(ctx: Context, *, family: str | None = None) -> Listing:
    """Each tier's published standard (等级标准) and pass marks, per post family."""
    policy = ctx.policy
    families = [family] if family else list(policy.ladder.families)
    rows = []
    for fam in families:
        for tier in range(1, policy.ladder.tiers + 1):
            st = policy.standard(fam, tier)
            rows.append({"family": fam, "tier": tier, "label": policy.ladder.tier_labels[tier - 1],
                         "standard": st.text, "pass_theory": st.pass_theory, "pass_skill": st.pass_skill})
    notes = ["a step is judged by the standard of the tier it leads into (annual: the next tier; semiannual: the "
             "tier held); set them in the policy's [standards] section"]
    return Listing("Grade standards (等级标准)", STANDARD_COLUMNS, rows, notes)
