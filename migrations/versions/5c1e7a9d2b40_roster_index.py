"""an index the roster reads its totals and the order of a page from

Revision ID: 5c1e7a9d2b40
Revises: 7c2d9e4b1f30
Create Date: 2026-11-27 09:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5c1e7a9d2b40'
down_revision = '7c2d9e4b1f30'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(
            'ix_application_roster',
            ['campaign_id', 'office_id', 'status', 'series_code', 'level', 'kind', 'unit_id', 'name'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index('ix_application_roster')
