"""Benchmarks of the pipeline's slow parts: `make bench` (python -m benchmarks.run)."""
