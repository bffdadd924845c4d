"""cycle period and scoped codes

Every family sits every period: a period may hold one cycle for all families, or several cycles
whose family scopes do not overlap, each with its own code (2026-航标). The period a cycle belongs
to is stored (it was its code until now), and codes may be longer.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 18:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.alter_column('code', existing_type=sqlmodel.sql.sqltypes.AutoString(length=10),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=40), existing_nullable=False)
    op.execute("UPDATE cycle SET period = code")
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.alter_column('period', existing_type=sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False)
        batch_op.create_index(batch_op.f('ix_cycle_period'), ['period'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cycle_period'))
        batch_op.drop_column('period')
        batch_op.alter_column('code', existing_type=sqlmodel.sql.sqltypes.AutoString(length=40),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=10), existing_nullable=False)
