"""registration skill_absent

A candidate absent from the practical skill assessment (实操缺考), recorded from the skill-score
sheet's 缺考 or by `cycle absent --part skill`. Absence from the theory exam keeps its existing
`absent` column. Existing registrations were present.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skill_absent', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('skill_absent')
