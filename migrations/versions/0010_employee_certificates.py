"""employee certificates

The certificates (证书) each employee holds, from the roster's optional 证书 column, for the
policy's certificate requirements per target tier. Existing employees hold none until a roster
with the column is imported.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 02:50:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('employee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificates', sqlmodel.sql.sqltypes.AutoString(length=500), server_default='',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('employee', schema=None) as batch_op:
        batch_op.drop_column('certificates')
