"""The approval domain: departments, items, stages, the process DAG, the working-day calendar, the catalog.

Pure domain code: no Prefect, no database, no CLI.
"""
