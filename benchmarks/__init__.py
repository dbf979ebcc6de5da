"""physiofeat benchmarks: speed as ratios against the library a user would otherwise pick,
measured in the same run. ``python -m benchmarks`` runs them all; each ``bench_*.py`` runs alone
(``python -m benchmarks.bench_spectral``)."""
