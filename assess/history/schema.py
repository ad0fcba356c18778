"""The tables of the assessment history store (SQLAlchemy Core, portable types only).

The migrations in ``migrations/versions`` create and change these tables; this module is what
the code reads and writes, and a test checks that a store migrated to the newest revision
matches it.

* ``rubrics``: every rubric a run was scored against, by content hash, with its YAML text
  (reloadable with :func:`assess.rubric.parse_rubric`).
* ``periods``: one row per period label ever recorded; writers lock it.
* ``runs``: one row per recorded run; ``superseded_by`` is NULL for a period's current run.
* ``sources``: the files (or tables) read for a run, in order, with their row accounting.
* ``engagements``: each valid engagement of a run: status, score, band, rank, gates,
  completeness, its inputs (``ratings``, JSON), its carried columns (``carried``, JSON) and
  its review trail (``review``, JSON, below).
* ``rejections``: each rejected row of a run, with every problem found in it (JSON).
* ``flags``: each warning on a scored row of a run (a rating without the evidence the rubric
  requires, a status the rubric does not know), with its cell.
* ``held``: each row of a run set aside as not in the required review status, with its status.

Text that may hold JSON is stored as text (portable); times are ISO 8601 UTC text.

An engagement's ``ratings`` is one JSON object of its inputs, in the rubric's order: a rated
criterion's rating under the criterion's id, an indicator's value under
``"<criterion id>/<indicator id>"`` (ids never hold a ``/``), ``null`` where there is none::

    {"transparency":3.0,"norms_alignment":null,"delivery/objectives_met":0.5}

Each criterion's normalised value and contribution are not stored: they follow from the
ratings and the run's rubric (:mod:`assess.history.rebuild` recomputes them).

An engagement's ``review`` is one JSON object of what it has of the evidence behind its
ratings (by criterion id) and of its review fields, leaving out what it does not have; NULL
when it has none (and for every row recorded before the store kept them)::

    {"evidence":{"transparency":"AAR-2025-014"},"assessed_by":"J. Smith","status":"Approved"}
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()

#: The longest period label a store takes.
PERIOD_LENGTH = 64

rubrics = Table(
    "rubrics",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("version", Text, nullable=False),
    Column("content", Text, nullable=False),
)

periods = Table(
    "periods",
    metadata,
    Column("period", String(PERIOD_LENGTH), primary_key=True),
    Column("created_at", String(32), nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period", String(PERIOD_LENGTH), ForeignKey("periods.period"), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("rubric_hash", String(64), ForeignKey("rubrics.hash"), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("assess_version", Text, nullable=False),
    Column("data_rows", Integer, nullable=False),
    Column("scored", Integer, nullable=False),
    Column("insufficient", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("notes", Text, nullable=False),
    Column("superseded_by", Integer, ForeignKey("runs.id"), nullable=True),
    Column("superseded_at", String(32), nullable=True),
    Column("not_approved", Integer, nullable=False, server_default=text("0")),
    Column("flagged", Integer, nullable=False, server_default=text("0")),
    Index("ix_runs_period_superseded_by", "period", "superseded_by"),
)

sources = Table(
    "sources",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("file", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("sheet", Text, nullable=False),
    Column("header_row", Integer, nullable=False),
    Column("data_rows", Integer, nullable=False),
    Column("scored", Integer, nullable=False),
    Column("insufficient", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("blank_rows", Integer, nullable=False),
    Column("notes", Text, nullable=False),
    Column("columns", Text, nullable=False),
    Column("not_approved", Integer, nullable=False, server_default=text("0")),
    Column("flagged", Integer, nullable=False, server_default=text("0")),
)

engagements = Table(
    "engagements",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("engagement_id", Text, primary_key=True),
    Column("source", Text, nullable=False),
    Column("sheet", Text, nullable=False),
    Column("row", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("score", Float, nullable=True),
    Column("band", Text, nullable=True),
    Column("rank", Integer, nullable=True),
    Column("gate", Text, nullable=False),
    Column("completeness", Float, nullable=True),
    Column("ratings", Text, nullable=False),
    Column("carried", Text, nullable=False),
    Column("review", Text, nullable=True),
    Index("ix_engagements_engagement_id", "engagement_id"),
    # SQLite: the rows live in the key's B-tree rather than beside it (one B-tree less)
    sqlite_with_rowid=False,
)

rejections = Table(
    "rejections",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("file", Text, nullable=False),
    Column("sheet", Text, nullable=False),
    Column("row", Integer, nullable=False),
    Column("engagement_id", Text, nullable=True),
    Column("column", Text, nullable=False),
    Column("header", Text, nullable=False),
    Column("value", Text, nullable=True),
    Column("reason", Text, nullable=False),
    Column("problems", Text, nullable=False),
)

flags = Table(
    "flags",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("file", Text, nullable=False),
    Column("sheet", Text, nullable=False),
    Column("row", Integer, nullable=False),
    Column("engagement_id", Text, nullable=False),
    Column("column", Text, nullable=False),
    Column("header", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("criterion", Text, nullable=True),
    Column("reason", Text, nullable=False),
)

held = Table(
    "held",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("file", Text, nullable=False),
    Column("sheet", Text, nullable=False),
    Column("row", Integer, nullable=False),
    Column("engagement_id", Text, nullable=True),
    Column("status", Text, nullable=False),
    Column("column", Text, nullable=False),
    Column("reason", Text, nullable=False),
)

#: The tables holding one run's rows, children first (the order to delete them in).
RUN_TABLES = (engagements, rejections, flags, held, sources)
