"""Benchmarks of taglint (issue 13): ``python -m benchmarks`` runs them all and prints one table."""
