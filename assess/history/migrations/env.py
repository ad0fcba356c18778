"""Alembic's environment for the history store: run on the connection the store opened.

:func:`assess.history.database.migrate` calls ``alembic.command.upgrade`` with the open
connection in ``config.attributes["connection"]``, inside its own transaction.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    # SQLite alters tables by copying them; later revisions rely on batch operations there
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
