"""The review trail: each engagement's evidence and review fields, the counts of rows not
approved and of flags per run and source, and each run's flags and rows not approved.

Only adds: rows recorded before keep everything they hold, with no review (NULL) and counts
of 0.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: The tables that gain the counts of rows not approved and of flags.
COUNTED = ("runs", "sources")


def upgrade() -> None:
    op.add_column("engagements", sa.Column("review", sa.Text, nullable=True))
    for table in COUNTED:
        for name in ("not_approved", "flagged"):
            column = sa.Column(name, sa.Integer, nullable=False, server_default=sa.text("0"))
            op.add_column(table, column)
    op.create_table(
        "flags",
        _run_id(),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("sheet", sa.Text, nullable=False),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("engagement_id", sa.Text, nullable=False),
        sa.Column("column", sa.Text, nullable=False),
        sa.Column("header", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("criterion", sa.Text, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "held",
        _run_id(),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("sheet", sa.Text, nullable=False),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("engagement_id", sa.Text, nullable=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("column", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )


def _run_id() -> sa.Column:
    """The key of a run's rows: its run, deleted with it."""
    return sa.Column(
        "run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )


def downgrade() -> None:
    op.drop_table("held")
    op.drop_table("flags")
    for table in COUNTED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("flagged")
            batch.drop_column("not_approved")
    with op.batch_alter_table("engagements") as batch:
        batch.drop_column("review")
