"""Checks `make lint` runs beside ruff and mypy."""
