"""Calibration from the approval platform's records (see calibration/fitting.py and docs/calibration.md)."""
