"""Prefect flows wiring scenarios, simulations and persistence together: the package that runs Prefect (the CLI
only starts, finds or serves it) and the only one that opens the results database (docs/architecture.md)."""
