"""SyncHub benchmarks: `make bench` runs `python -m bench.run` (never part of `make test`)."""
