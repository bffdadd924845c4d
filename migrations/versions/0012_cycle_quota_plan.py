"""cycle quota_plan

The seats an officer confirmed with `gradecli cycle quota CYCLE` before evaluation, per family and
target tier, with how each was derived (JSON); evaluation uses them instead of the policy's rule.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 13:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quota_plan', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_column('quota_plan')
