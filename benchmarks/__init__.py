"""Benchmarks with baselines (``python -m benchmarks``; see README, "Performance")."""
