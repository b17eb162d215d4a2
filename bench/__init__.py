"""The benchmark harness: `python -m bench` (see bench/harness.py); results in bench/RESULTS.md."""
