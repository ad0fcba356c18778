"""Calibrating a rubric's weights against past cases, and outcome-free weightings."""
