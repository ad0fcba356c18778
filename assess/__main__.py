"""``python -m assess`` runs the command-line interface."""

from .cli import main

main()
