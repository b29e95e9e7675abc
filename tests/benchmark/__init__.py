"""Benchmark helpers: a deterministic synthetic review corpus (``python -m tests.benchmark.synthetic``)."""
