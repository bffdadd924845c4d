"""first placement published like a cycle

First placements (首次评定) are published with an objection window and written to the ledger when
that closes: they become the decisions (initial_placement, from no grade) of a cycle of kind
`first`, so a decision's from grade may be empty.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cycle_decision', schema=None) as batch_op:
        batch_op.alter_column('from_tier', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('from_level', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM cycle_decision WHERE from_tier IS NULL OR from_level IS NULL")
    with op.batch_alter_table('cycle_decision', schema=None) as batch_op:
        batch_op.alter_column('from_tier', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('from_level', existing_type=sa.Integer(), nullable=False)
