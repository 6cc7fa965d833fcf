"""Benchmarks for the workers issue: `python -m bench --help`."""
