"""Exports planners hand on: Excel, CSV, plots and a self-contained HTML report, from a stored run."""
