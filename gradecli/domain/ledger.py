"""The grade ledger: append-only events, their hash chain, and grades derived from them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Iterable, Sequence

from gradecli.domain.ladder import Grade
from gradecli.i18n import Msg, N_, Reason

# The kinds of event, stored as these codes; what a person reads is the label, rendered late.
EVENT_LABELS = {
    "initial_placement": N_("first placement"),
    "level_promotion": N_("level promotion"),
    "tier_promotion": N_("tier promotion"),
    "fast_track": N_("fast track"),
    "deferral": N_("deferral"),
    "demotion": N_("demotion"),
    "transfer_drop": N_("transfer drop"),
    "correction": N_("correction"),
}
EVENT_KINDS = tuple(EVENT_LABELS)
# A cycle's decision as the notice and the audit name it (the decision becomes an event of its kind).
DECISION_LABELS = {**EVENT_LABELS, "initial_placement": N_("placement"), "fast_track": N_("fast-track promotion")}
GENESIS_HASH = "0" * 64


def event_kind(kind: str) -> Reason:
    """An event's kind for people and scripts: the code, and its name in the run's language
    (JSON {"code": "demotion", "params": {}, "text": "降低等级"}). An unknown code is its own name."""
    return Reason(kind, EVENT_LABELS.get(kind, kind))


@dataclass(frozen=True)
class LedgerEvent:
    """One recorded change (or confirmation) of a grade; never edited in place."""

    seq: int
    emp_no: str
    kind: str
    effective: date
    from_grade: Grade | None
    to_grade: Grade | None
    reason: str
    cycle: str | None = None
    evidence: dict = field(default_factory=dict)
    recorded_by: str = ""
    recorded_at: datetime | None = None

    def content(self) -> dict:
        """What the hash covers: every field, in a canonical form."""
        return {
            "seq": self.seq,
            "emp_no": self.emp_no,
            "kind": self.kind,
            "effective": self.effective.isoformat(),
            "from": str(self.from_grade) if self.from_grade else None,
            "to": str(self.to_grade) if self.to_grade else None,
            "reason": self.reason,
            "cycle": self.cycle,
            "evidence": self.evidence,
            "recorded_by": self.recorded_by,
            "recorded_at": _utc_text(self.recorded_at),
        }


def _utc_text(ts: datetime | None) -> str | None:
    """A timestamp as UTC text to the second, whether the database handed it back aware or naive."""
    if ts is None:
        return None
    if ts.tzinfo is not None:
        ts = ts.astimezone(timezone.utc).replace(tzinfo=None)
    return ts.replace(microsecond=0).isoformat()


def canonical_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def chain_hash(prev_hash: str, event: LedgerEvent) -> str:
    """The hash of an event: over the previous event's hash and this event's content."""
    return hashlib.sha256((prev_hash + canonical_json(event.content())).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: Msg


def verify_chain(rows: Iterable[tuple[LedgerEvent, str, str]]) -> list[ChainBreak]:
    """Check (event, prev_hash, hash) rows in sequence order; name every row that does not verify.

    An edited row fails its own hash; a deleted row breaks the next row's link; reordered rows
    fail both, because the sequence number is part of the content.
    """
    breaks: list[ChainBreak] = []
    expected_prev = GENESIS_HASH
    last_seq = 0
    for event, prev_hash, stored_hash in rows:
        if event.seq != last_seq + 1:
            breaks.append(ChainBreak(event.seq, Reason("events_missing", "follows event {last}: events {first}–{before} "
                                                       "are missing", last=last_seq, first=last_seq + 1,
                                                       before=event.seq - 1)))
        if prev_hash != expected_prev:
            breaks.append(ChainBreak(event.seq, Reason("broken_link", "does not link to the event before it (a row was "
                                                       "deleted, inserted or reordered)")))
        if chain_hash(prev_hash, event) != stored_hash:
            breaks.append(ChainBreak(event.seq, Reason("hash_mismatch", "content does not match its hash (the row was "
                                                       "edited)")))
        expected_prev = stored_hash
        last_seq = event.seq
    return breaks


# A deferral (延期选升) restricts registration; it never changes the grade. Databases written
# before this rule hold deferral events that repeat the grade (from = to); deriving grades skips
# them by kind, whatever the order of events on one day, so no stored row needs rewriting.
GRADE_NEUTRAL_KINDS = frozenset({"deferral"})


def changes_grade(ev) -> bool:  # noqa: ANN001
    """Whether an event (or a light grade step with ``kind`` and ``to_grade``) sets a grade."""
    return ev.to_grade is not None and ev.kind not in GRADE_NEUTRAL_KINDS


def _in_force(events: Sequence, on: date) -> list:
    return [ev for ev in sorted(events, key=lambda e: (e.effective, e.seq)) if ev.effective <= on and changes_grade(ev)]


def grade_on(events: Sequence[LedgerEvent], on: date) -> Grade | None:
    """The grade on a date: the last grade-setting event in force by effective date, then
    recording order (on one day the later recorded event wins).

    Any event-like objects with ``effective``, ``seq``, ``kind`` and ``to_grade`` will do (the
    store hands over light grade steps without reasons and evidence)."""
    current = _in_force(events, on)
    return current[-1].to_grade if current else None


def grade_since(events: Sequence[LedgerEvent], on: date) -> date | None:
    """The effective date from which the grade held on ``on`` has been held without change."""
    since: date | None = None
    held: Grade | None = None
    for ev in _in_force(events, on):
        if ev.to_grade != held:
            held, since = ev.to_grade, ev.effective
    return since


def grade_steps(events: Sequence) -> list[tuple[date, Grade]]:
    """The grade timeline: (effective date, grade) at each change, one entry a day (the day's
    last recorded grade-setting event wins), consecutive repeats merged."""
    out: list[tuple[date, Grade]] = []
    for ev in _in_force(events, date.max):
        if out and out[-1][0] == ev.effective:
            out[-1] = (ev.effective, ev.to_grade)
            if len(out) > 1 and out[-2][1] == ev.to_grade:
                out.pop()
        elif not out or out[-1][1] != ev.to_grade:
            out.append((ev.effective, ev.to_grade))
    return out
