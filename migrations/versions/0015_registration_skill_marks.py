"""registration skill_marks

The skill score comes from a panel: every assessor's mark (评委1…评委N, a blank for one who
recused) is kept as evidence beside the score computed from them (JSON list; empty for a score
entered as one number).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skill_marks', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('skill_marks')
