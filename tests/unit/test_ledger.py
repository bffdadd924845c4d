from dataclasses import replace
from datetime import date, datetime, timezone

from gradecli.domain.ladder import Grade
from gradecli.domain.ledger import GENESIS_HASH, LedgerEvent, chain_hash, grade_on, grade_since, verify_chain


def _ev(seq, effective, to, kind="level_promotion", emp="K1"):
    return LedgerEvent(seq=seq, emp_no=emp, kind=kind, effective=effective, from_grade=None, to_grade=to,
                       reason="r", recorded_at=datetime(2026, 1, 1, tzinfo=timezone.utc))


def _chain(events):
    rows, prev = [], GENESIS_HASH
    for ev in events:
        h = chain_hash(prev, ev)
        rows.append((ev, prev, h))
        prev = h
    return rows


EVENTS = [_ev(1, date(2024, 1, 1), Grade(1, 1), "initial_placement"),
          _ev(2, date(2025, 1, 1), Grade(1, 2)),
          _ev(3, date(2025, 7, 1), Grade(1, 3))]


def test_intact_chain_verifies():
    assert verify_chain(_chain(EVENTS)) == []


def test_edited_row_is_named():
    rows = _chain(EVENTS)
    ev, prev, h = rows[1]
    rows[1] = (replace(ev, to_grade=Grade(2, 1)), prev, h)
    breaks = verify_chain(rows)
    assert [b.seq for b in breaks] == [2]
    assert "edited" in breaks[0].problem


def test_deleted_row_is_found():
    rows = _chain(EVENTS)
    del rows[1]
    breaks = verify_chain(rows)
    assert {b.seq for b in breaks} == {3}
    assert any("missing" in b.problem for b in breaks)


def test_reordered_rows_are_found():
    rows = _chain(EVENTS)
    # swap the content of rows 2 and 3 while keeping each row's stored hashes in place
    a, b = rows[1], rows[2]
    rows[1] = (replace(b[0], seq=2), a[1], a[2])
    rows[2] = (replace(a[0], seq=3), b[1], b[2])
    assert {x.seq for x in verify_chain(rows)} == {2, 3}


def test_aware_and_naive_utc_timestamps_hash_alike():
    aware = EVENTS[0]
    naive = replace(aware, recorded_at=datetime(2026, 1, 1))
    assert chain_hash(GENESIS_HASH, aware) == chain_hash(GENESIS_HASH, naive)


def test_grade_on_dates():
    assert grade_on(EVENTS, date(2023, 12, 31)) is None
    assert grade_on(EVENTS, date(2024, 1, 1)) == Grade(1, 1)
    assert grade_on(EVENTS, date(2025, 6, 30)) == Grade(1, 2)
    assert grade_on(EVENTS, date(2030, 1, 1)) == Grade(1, 3)


def test_backdated_correction_applies_from_its_date():
    correction = _ev(4, date(2024, 6, 1), Grade(2, 1), "correction")
    events = EVENTS + [correction]
    assert grade_on(events, date(2024, 5, 31)) == Grade(1, 1)
    assert grade_on(events, date(2024, 6, 1)) == Grade(2, 1)
    # later events still apply after it
    assert grade_on(events, date(2025, 1, 1)) == Grade(1, 2)


def test_same_day_events_follow_recording_order():
    events = [_ev(1, date(2024, 1, 1), Grade(1, 1)), _ev(2, date(2024, 1, 1), Grade(1, 2))]
    assert grade_on(events, date(2024, 1, 1)) == Grade(1, 2)


def test_deferral_keeps_grade_and_since():
    deferral = LedgerEvent(seq=4, emp_no="K1", kind="deferral", effective=date(2026, 1, 1),
                           from_grade=Grade(1, 3), to_grade=Grade(1, 3), reason="处分")
    events = EVENTS + [deferral]
    assert grade_on(events, date(2026, 2, 1)) == Grade(1, 3)
    assert grade_since(events, date(2026, 2, 1)) == date(2025, 7, 1)


# ---------------------------------------------------------------- deferral never changes the grade

from hypothesis import given, strategies as st  # noqa: E402

from gradecli.domain.ledger import grade_steps  # noqa: E402

_grades = st.builds(Grade, st.integers(1, 5), st.integers(1, 3))
_days = st.dates(date(2024, 1, 1), date(2024, 3, 31))
_kinds = st.sampled_from(["initial_placement", "level_promotion", "demotion", "transfer_drop", "correction",
                          "deferral"])


@st.composite
def _ledgers(draw):
    n = draw(st.integers(1, 12))
    return [_ev(i + 1, draw(_days), draw(_grades), draw(_kinds)) for i in range(n)]


def test_the_faulty_pair_keeps_the_demotion():
    """A demotion and, on the same day and recorded after it, an old-style deferral that repeats
    the grade before the demotion: the grade is the demoted one."""
    d = date(2026, 12, 1)
    events = [_ev(1, date(2024, 1, 1), Grade(2, 2), "initial_placement"),
              _ev(2, d, Grade(2, 1), "demotion"), _ev(3, d, Grade(2, 2), "deferral")]
    assert grade_on(events, d) == Grade(2, 1)
    assert grade_since(events, d) == d
    assert grade_steps(events) == [(date(2024, 1, 1), Grade(2, 2)), (d, Grade(2, 1))]


@given(_ledgers(), _days)
def test_deferrals_never_change_the_derived_grade(events, on):
    without = [ev for ev in events if ev.kind != "deferral"]
    assert grade_on(events, on) == grade_on(without, on)
    assert grade_since(events, on) == grade_since(without, on)
    assert grade_steps(events) == grade_steps(without)


@given(_ledgers(), _days)
def test_the_timeline_agrees_with_grade_on_every_day(events, on):
    steps = grade_steps(events)
    in_force = [g for eff, g in steps if eff <= on]
    assert (in_force[-1] if in_force else None) == grade_on(events, on)
    assert all(a[1] != b[1] and a[0] < b[0] for a, b in zip(steps, steps[1:]))
