"""Benchmarks: quality and speed measured side by side, printed, never asserted in timed tests."""
