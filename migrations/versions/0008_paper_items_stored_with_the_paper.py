"""paper items stored with the paper

A paper's questions were one row each (940,000 rows for 20,000 candidates); they are now one JSON
list on the paper row, and a question version used on a paper is marked so (editing it then
makes a new version). Existing papers are carried over, and back on downgrade.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 01:10:12.592586
"""
import json

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.add_column(sa.Column('items', sa.Text(), server_default='[]', nullable=False))
    with op.batch_alter_table('question_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used', sa.Boolean(), server_default=sa.false(), nullable=False))

    conn = op.get_bind()
    items: dict[int, list] = {}
    for pid, _pos, vid, order in conn.execute(sa.text(
            "SELECT paper_id, position, version_id, option_order FROM paper_item ORDER BY paper_id, position")):
        items.setdefault(pid, []).append([vid, json.loads(order)])
    set_items = sa.text("UPDATE paper SET items = :items WHERE id = :id")
    for pid, its in items.items():
        conn.execute(set_items, {"items": json.dumps(its, separators=(",", ":")), "id": pid})
    conn.execute(sa.text("UPDATE question_version SET used = :t WHERE id IN (SELECT DISTINCT version_id FROM paper_item)"),
                 {"t": True})

    with op.batch_alter_table('paper_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_item_paper_id'))
        batch_op.drop_index(batch_op.f('ix_paper_item_version_id'))
    op.drop_table('paper_item')


def downgrade() -> None:
    op.create_table('paper_item',
    sa.Column('id', sa.INTEGER(), nullable=False),
    sa.Column('paper_id', sa.INTEGER(), nullable=False),
    sa.Column('position', sa.INTEGER(), nullable=False),
    sa.Column('version_id', sa.INTEGER(), nullable=False),
    sa.Column('option_order', sa.VARCHAR(length=40), nullable=False),
    sa.ForeignKeyConstraint(['paper_id'], ['paper.id'], name=op.f('fk_paper_item_paper_id_paper')),
    sa.ForeignKeyConstraint(['version_id'], ['question_version.id'], name=op.f('fk_paper_item_version_id_question_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_item')),
    sa.UniqueConstraint('paper_id', 'position', name=op.f('uq_paper_item_paper_id_position'))
    )
    with op.batch_alter_table('paper_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_item_version_id'), ['version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_paper_item_paper_id'), ['paper_id'], unique=False)

    conn = op.get_bind()
    rows = [{"paper_id": pid, "position": pos, "version_id": vid, "option_order": json.dumps(order)}
            for pid, items in conn.execute(sa.text("SELECT id, items FROM paper"))
            for pos, (vid, order) in enumerate(json.loads(items), 1)]
    if rows:
        table = sa.table("paper_item", sa.column("paper_id"), sa.column("position"), sa.column("version_id"),
                         sa.column("option_order"))
        op.bulk_insert(table, rows)

    with op.batch_alter_table('question_version', schema=None) as batch_op:
        batch_op.drop_column('used')
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.drop_column('items')
