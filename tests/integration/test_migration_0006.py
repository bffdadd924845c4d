"""Migrations 0006, 0008 and 0009 carry answers and paper items over to their compact form, and back."""

from __future__ import annotations

import json

from sqlalchemy import text

from gradecli.store import migrate
from gradecli.store.db import make_engine

NOW = "2026-01-01 00:00:00"


def _seed(conn) -> None:  # noqa: ANN001
    ins = lambda sql, **kw: conn.execute(text(sql), kw)  # noqa: E731
    ins("INSERT INTO employee (id, emp_no, name, department, family, post, professional, frontline, title, service_start,"
        " hire_date, active, updated_at) VALUES (1, 'K1', 'n', 'd', '客服', 'p', true, false, '无', '2020-01-01',"
        " '2020-01-01', true, :t)", t=NOW)
    for i, qid in enumerate(("Q1", "Q2"), 1):
        ins("INSERT INTO question (qid, tier, family, current_version, status, updated_at) VALUES (:q, 1, '客服', 1, 'active', :t)",
            q=qid, t=NOW)
        ins("INSERT INTO question_version (id, qid, version, type, stem, options, answer, points, difficulty, areas,"
            " explanation, content_hash, created_at) VALUES (:i, :q, 1, 'judge', 's', '[]', 'true', 1, 0.5, :areas, '', 'h', :t)",
            i=i, q=qid, t=NOW, areas='["a"]')
    ins("INSERT INTO paper_batch (id, tier, family, mode, papers, seed, blueprint, created_at, created_by)"
        " VALUES (1, 1, '客服', 'individual', 1, 's', '{}', :t, 'x')", t=NOW)
    ins("INSERT INTO paper (id, code, batch_id, tier, family, seed, expected, total, created_at)"
        " VALUES (1, 'P1-0001-001', 1, 1, '客服', 's', 1.0, 2, :t)", t=NOW)
    for pos in (1, 2):
        ins("INSERT INTO paper_item (paper_id, position, version_id, option_order) VALUES (1, :p, :p, '[]')", p=pos)
    ins("INSERT INTO cycle (id, code, kind, state, families, exam_date, created_at) VALUES (1, '2026H1', 'semiannual',"
        " 'scored', '', '2026-06-15', :t)", t=NOW)
    ins("INSERT INTO registration (id, cycle_id, employee_id, emp_no, family, from_tier, from_level, to_tier, to_level,"
        " exam_tier, fast_track, status, paper_id, theory, absent, registered_at) VALUES (1, 1, 1, 'K1', '客服', 1, 1, 1, 2,"
        " 1, false, 'registered', 1, 1, false, :t)", t=NOW)
    ins("INSERT INTO answer (registration_id, position, version_id, response, earned) VALUES (1, 1, 1, '对', 1)")
    ins("INSERT INTO answer (registration_id, position, version_id, response, earned) VALUES (1, 2, 2, '错', 0)")


def _upgraded_from(db_url, revision: str, seed):  # noqa: ANN001, ANN202
    """A database at ``revision`` holding ``seed``'s rows, then upgraded to the newest schema."""
    engine = make_engine(db_url)
    migrate.upgrade(engine, revision)
    with engine.begin() as conn:
        seed(conn)
    migrate.upgrade(engine)
    return engine


def test_answers_survive_the_upgrade_and_the_downgrade(db_url):
    engine = _upgraded_from(db_url, "0005", _seed)
    with engine.connect() as conn:
        reg, responses, earned = conn.execute(text("SELECT registration_id, responses, earned FROM answer_sheet")).one()
        items = conn.execute(text("SELECT items FROM paper WHERE id = 1")).scalar_one()
        used = conn.execute(text("SELECT id FROM question_version WHERE used ORDER BY id")).scalars().all()
    assert (reg, json.loads(responses), [float(x) for x in json.loads(earned)]) == (1, ["对", "错"], [1.0, 0.0])
    assert json.loads(items) == [1, 0, 2, 0] and used == [1, 2]  # [version id, order rank, ...]
    migrate.downgrade(engine, "0005")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT position, version_id, response, earned FROM answer ORDER BY position")).all()
    assert [(p, v, r, float(e)) for p, v, r, e in rows] == [(1, 1, "对", 1.0), (2, 2, "错", 0.0)]
    with engine.connect() as conn:
        back = conn.execute(text("SELECT position, version_id FROM paper_item ORDER BY position")).all()
    assert [tuple(r) for r in back] == [(1, 1), (2, 2)]
    engine.dispose()


def test_option_orders_become_ranks_and_come_back(db_url):
    """0009: [[version, [order]], ...] ↔ [version, rank, ...]; (2, 0, 1, 3) is the 13th order of 4."""
    engine = _upgraded_from(db_url, "0008", _seed_0008)
    with engine.connect() as conn:
        assert json.loads(conn.execute(text("SELECT items FROM paper WHERE id = 1")).scalar_one()) == [1, 12, 2, 0]
    migrate.downgrade(engine, "0008")
    with engine.connect() as conn:
        assert json.loads(conn.execute(text("SELECT items FROM paper WHERE id = 1")).scalar_one()) == [[1, [2, 0, 1, 3]], [2, []]]
    engine.dispose()


def _seed_0008(conn) -> None:  # noqa: ANN001
    ins = lambda sql, **kw: conn.execute(text(sql), kw)  # noqa: E731
    for i, (qid, qtype, options) in enumerate((("Q1", "single", '["a", "b", "c", "d"]'), ("Q2", "judge", "[]")), 1):
        ins("INSERT INTO question (qid, tier, family, current_version, status, updated_at) VALUES (:q, 1, '客服', 1, 'active', :t)",
            q=qid, t=NOW)
        ins("INSERT INTO question_version (id, qid, version, type, stem, options, answer, points, difficulty, areas,"
            " explanation, content_hash, created_at, used) VALUES (:i, :q, 1, :ty, 's', :o, 'true', 1, 0.5, '[\"a\"]', '', 'h', :t, true)",
            i=i, q=qid, ty=qtype, o=options, t=NOW)
    ins("INSERT INTO paper_batch (id, tier, family, mode, papers, seed, blueprint, created_at, created_by)"
        " VALUES (1, 1, '客服', 'individual', 1, 's', '{}', :t, 'x')", t=NOW)
    ins("INSERT INTO paper (id, code, batch_id, tier, family, seed, expected, total, created_at, items)"
        " VALUES (1, 'P1-0001-001', 1, 1, '客服', 's', 1.0, 2, :t, :items)", t=NOW, items='[[1,[2,0,1,3]],[2,[]]]')
