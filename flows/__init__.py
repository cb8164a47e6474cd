"""Prefect flows wiring scenarios, simulations and persistence together (the only package importing Prefect)."""
