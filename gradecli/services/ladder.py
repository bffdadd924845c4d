"""The ladder of every post family: tiers, levels, labels, target shares and who holds each grade."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from gradecli.domain.ladder import Ladder
from gradecli.domain.ledger import grade_on
from gradecli.i18n import Msg
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
    columns = [("family", Msg("Post family")), ("levels", Msg("Levels")), ("level_labels", Msg("Level names"))]
    columns += [(f"tier_{t}", Msg("{tier} ({share}%)", tier=labels[t - 1], share=policy.ladder.target_shares[t - 1]))
                for t in tiers]
    columns += [("ungraded", Msg("Ungraded"))]
    rows = []
    for fam in families:
        ladder = Ladder.for_family(policy, fam)
        row = {"family": fam, "levels": ladder.levels,
               "level_labels": f"{ladder.level_label.format(n=1)}–{ladder.level_label.format(n=ladder.levels)}",
               "ungraded": ungraded[fam]}
        row.update({f"tier_{t}": held[(fam, t)] for t in tiers})
        rows.append(row)
    notes = [Msg("tiers {tiers} — target share of staff in brackets; counts are active professional-technical "
                 "staff holding each tier on {date}", tiers=list(labels), date=on),
             _allowance_note(uow_tables, on)]
    return Listing(Msg("Ladder"), columns, rows, notes,
                   {"on": on, "tiers": [{"tier": t, "label": labels[t - 1],
                                         "target_share": policy.ladder.target_shares[t - 1]} for t in tiers]})


def _allowance_note(tables, on: date) -> Msg:  # noqa: ANN001
    versions = tables.in_force(on)
    if not versions:
        return Msg("allowance: no table is in force yet (`gradecli allowance import FILE.xlsx`)")
    parts = [Msg("{families} from {date}", families=v.families, date=v.effective_from) if v.families
             else Msg("all families from {date}", date=v.effective_from) for v in versions]
    return Msg("allowance table in force: {tables} (`gradecli allowance show`)", tables=parts)


STANDARD_COLUMNS = [("family", Msg("Post family")), ("tier", Msg("Tier")), ("label", Msg("Tier name")),
                    ("standard", Msg("Grade standard")), ("pass_theory", Msg("Theory pass mark")),
                    ("pass_skill", Msg("Practical pass mark"))]


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
    notes = [Msg("a step is judged by the standard of the tier it leads into (annual: the next tier; semiannual: the "
                 "tier held); set them in the policy's [standards] section")]
    return Listing(Msg("Grade standards"), STANDARD_COLUMNS, rows, notes)
