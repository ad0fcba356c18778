"""Rubrics loaded by built-in name or from a YAML file: read safely (no aliases, no deep
nesting, no more than :data:`MAX_RUBRIC_BYTES`), validated, or checked for every problem."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..defaults import DEFAULT_RUBRIC
from ..errors import RubricError
from .model import Rubric, checked_rubric, validate_rubric
from .problems import MAX_NESTING, RubricProblem

MAX_RUBRIC_BYTES = 1_000_000


#: libyaml's parser when PyYAML was built with it (about ten times faster), else PyYAML's own
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_aliases_and_depth(text: str) -> None:
    """Refuse anchors/aliases (no exponential expansion) and nesting deeper than
    :data:`MAX_NESTING`, on the parser's event stream, before anything is constructed."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.AliasEvent):
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed in rubric files", event.start_mark
                )
            if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
                if depth >= MAX_NESTING:
                    raise _too_deep(event.start_mark)
                if isinstance(event, yaml.CollectionStartEvent):
                    depth += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.scanner.ScannerError as exc:
        # libyaml's scanner stops deep flow collections ([[[...) itself, ahead of the events
        if "nesting depth" in str(exc.problem):
            raise _too_deep(exc.problem_mark) from None
        raise


def _too_deep(mark: Any) -> yaml.YAMLError:
    return yaml.composer.ComposerError(
        None,
        None,
        f"nested too deeply (more than {MAX_NESTING} levels), which no rubric needs",
        mark,
    )


def builtin_dir() -> Path:
    """Where the rubrics shipped with assess live (installed package, or the source tree)."""
    packaged = resources.files("assess").joinpath("_rubrics")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "rubrics"


def list_rubrics() -> list[str]:
    """Names of the built-in rubrics."""
    folder = builtin_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def _resolve(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    path = Path(text).expanduser()
    if path.suffix.lower() in {".yaml", ".yml"} or path.exists() or "/" in text or "\\" in text:
        if path.is_dir():
            raise RubricError(f"rubric {text} is a folder, not a rubric file")
        if path.exists() and not path.is_file():  # a named pipe or device: never opened
            raise RubricError(f"rubric {text} is not a regular file")
        if not path.is_file():
            raise RubricError(f"rubric file not found: {text}")
        return path
    candidate = builtin_dir() / f"{text}.yaml"
    if not candidate.is_file():
        known = ", ".join(list_rubrics()) or "none"
        raise RubricError(f"no built-in rubric named {text!r} (built-in: {known})")
    return candidate


def load_rubric(name_or_path: str | Path | Rubric = DEFAULT_RUBRIC) -> Rubric:
    """Load a rubric by built-in name or from a YAML file, validating everything.

    Examples
    --------
    >>> from assess import load_rubric
    >>> r = load_rubric("military-diplomacy")
    >>> round(sum(c.weight for c in r.criteria), 9)
    1.0
    """
    if isinstance(name_or_path, Rubric):
        return name_or_path
    path = _resolve(name_or_path)
    return parse_rubric(_read_text(path), source=str(path))


def check_rubric(path: str | Path) -> list[RubricProblem]:
    """Every problem with a rubric file, each with its key path; empty when it is valid.

    Unlike :func:`load_rubric` this raises nothing for a rubric that cannot be used: a file that
    is missing, unreadable or not YAML is one problem whose ``key`` is ``""``.

    Parameters
    ----------
    path : str or Path
        A rubric YAML file (or a built-in rubric's name).

    Returns
    -------
    list of RubricProblem
        In the order found: each field's problems, then those that span several parts.

    Examples
    --------
    >>> from assess import check_rubric
    >>> check_rubric("military-diplomacy")
    []
    """
    try:
        resolved = _resolve(path)
        source = str(resolved)
        return checked_rubric(_parse_yaml(_read_text(resolved), source), source)[1]
    except RubricError as exc:
        return [RubricProblem("", str(exc))]


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_RUBRIC_BYTES:
            raise RubricError(f"rubric {path} is larger than {MAX_RUBRIC_BYTES // 1000} kB")
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RubricError(f"rubric {path} is not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise RubricError(f"cannot read rubric {path}: {exc.strerror or exc}") from exc


def _parse_yaml(text: str, source: str) -> Any:
    try:
        _refuse_aliases_and_depth(text)
        return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RubricError(f"rubric {source} is not valid YAML{where}: {problem}") from exc


def parse_rubric(text: str, source: str = "<text>") -> Rubric:
    """Parse and validate rubric YAML text."""
    return validate_rubric(_parse_yaml(text, source), source=source)
