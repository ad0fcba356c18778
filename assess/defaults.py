"""Defaults shared by every layer, kept here so that reading them imports nothing heavy."""

#: The built-in rubric used when none is named.
DEFAULT_RUBRIC = "military-diplomacy"
