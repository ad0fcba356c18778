"""The first history store: rubrics, periods, runs and each run's sources, engagements (with
their ratings) and rejections.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    _create_runs()
    _create_run_rows()


def _create_runs() -> None:
    """Rubrics, periods and runs."""
    op.create_table(
        "rubrics",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
    )
    op.create_table(
        "periods",
        sa.Column("period", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("period", sa.String(64), sa.ForeignKey("periods.period"), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("rubric_hash", sa.String(64), sa.ForeignKey("rubrics.hash"), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("assess_version", sa.Text, nullable=False),
        sa.Column("data_rows", sa.Integer, nullable=False),
        sa.Column("scored", sa.Integer, nullable=False),
        sa.Column("insufficient", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("superseded_by", sa.Integer, sa.ForeignKey("runs.id"), nullable=True),
        sa.Column("superseded_at", sa.String(32), nullable=True),
    )
    op.create_index("ix_runs_period_superseded_by", "runs", ["period", "superseded_by"])


def _create_run_rows() -> None:
    """Each run's sources, engagements (with their ratings) and rejections."""
    op.create_table(
        "sources",
        _run_id(),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("sheet", sa.Text, nullable=False),
        sa.Column("header_row", sa.Integer, nullable=False),
        sa.Column("data_rows", sa.Integer, nullable=False),
        sa.Column("scored", sa.Integer, nullable=False),
        sa.Column("insufficient", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
        sa.Column("blank_rows", sa.Integer, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("columns", sa.Text, nullable=False),
    )
    op.create_table(
        "engagements",
        _run_id(),
        sa.Column("engagement_id", sa.Text, primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("sheet", sa.Text, nullable=False),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("band", sa.Text, nullable=True),
        sa.Column("rank", sa.Integer, nullable=True),
        sa.Column("gate", sa.Text, nullable=False),
        sa.Column("completeness", sa.Float, nullable=True),
        sa.Column("ratings", sa.Text, nullable=False),
        sa.Column("carried", sa.Text, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_engagements_engagement_id", "engagements", ["engagement_id"])
    op.create_table(
        "rejections",
        _run_id(),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("sheet", sa.Text, nullable=False),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("engagement_id", sa.Text, nullable=True),
        sa.Column("column", sa.Text, nullable=False),
        sa.Column("header", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("problems", sa.Text, nullable=False),
    )


def _run_id() -> sa.Column:
    """The key of a run's rows: its run, deleted with it."""
    return sa.Column(
        "run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )


def downgrade() -> None:
    for table in ("rejections", "engagements", "sources", "runs", "periods", "rubrics"):
        op.drop_table(table)
