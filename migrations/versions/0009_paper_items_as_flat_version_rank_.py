"""paper items as a flat list of version id and option-order rank

A paper's items were a JSON list of [question-version id, [option order]] pairs; they are now one
flat list [version id, rank, version id, rank, ...], where rank is the option order's place among
all orders of the question's options in lexicographic order (0 for a question without options).
Half the text, and an answer import of 20,000 sheets reads and keys it without building a tuple
per answer. Existing papers are carried over, and back on downgrade (which reads the number of
options of each question version to turn a rank back into an order).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 02:40:00
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def _rank(order: list[int]) -> int:
    """Lehmer code: the order's place among the permutations of range(len(order)), lexicographic."""
    rank, left = 0, list(range(len(order)))
    for x in order:
        i = left.index(x)
        rank = rank * len(left) + i
        del left[i]
    return rank


def _order(n: int, rank: int) -> list[int]:
    digits = []
    for radix in range(1, n + 1):  # mixed radix 1, 2, ..., n from the last position back
        rank, d = divmod(rank, radix)
        digits.append(d)
    left, out = list(range(n)), []
    for d in reversed(digits):
        out.append(left.pop(d))
    return out


def _rewrite(conn, convert) -> None:  # noqa: ANN001
    set_items = sa.text("UPDATE paper SET items = :items WHERE id = :id")
    rows = conn.execute(sa.text("SELECT id, items FROM paper")).all()
    params = [{"id": pid, "items": json.dumps(convert(json.loads(items)), separators=(",", ":"))} for pid, items in rows]
    if params:
        conn.execute(set_items, params)


def upgrade() -> None:
    _rewrite(op.get_bind(), lambda pairs: [x for vid, order in pairs for x in (vid, _rank(order))])


def downgrade() -> None:
    conn = op.get_bind()
    options = {vid: len(json.loads(opts)) for vid, opts in conn.execute(sa.text("SELECT id, options FROM question_version"))}
    _rewrite(conn, lambda flat: [[vid, _order(options.get(vid, 0), rank)] for vid, rank in zip(flat[0::2], flat[1::2])])
