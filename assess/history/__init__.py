"""The assessment history store: every recorded run per period, for history, trends and
"what changed".

``open_store()`` opens the store (an SQLite file by default, or PostgreSQL) and returns a
:class:`~assess.history.store.Store`: ``record(result, period=...)``, ``history()``,
``periods()``, ``run_result(period)``, ``trend(ids, by=...)``, ``changes(from_period,
to_period)``, ``context(period)`` (the :class:`~assess.history.context.PeriodContext` a report
of the period shows, set as ``result.history``), ``delete_period(period)`` and
``export(folder)``.
The names below load on first use, so that importing the package loads no database library.
"""

#: Every public name, loaded from its module on first use.
_LAZY = {
    "Store": "assess.history.store",
    "Changes": "assess.history.changeset",
    "GroupTrend": "assess.history.trends",
    "PeriodContext": "assess.history.context",
    "period_context": "assess.history.context",
    "Deleted": "assess.history.store",
    "open_store": "assess.history.store",
    "Recorded": "assess.history.recording",
    "resolve_store": "assess.history.database",
    "default_store_path": "assess.history.database",
    "store_file": "assess.history.database",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'assess.history' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Changes",
    "Deleted",
    "GroupTrend",
    "PeriodContext",
    "Recorded",
    "Store",
    "default_store_path",
    "open_store",
    "period_context",
    "resolve_store",
    "store_file",
]
