"""The catalog workbook (Excel, CSV): template, import and export of a city's approval catalog.

An I/O edge: it reads and writes files and hands the domain validated :class:`approval_model.models.Process`
objects; nothing in ``approval_model``, ``rules`` or ``simulations`` imports it. The layout is data
(``data/catalog_layout.yaml``); docs/excel-template.md describes it for planners.
"""
