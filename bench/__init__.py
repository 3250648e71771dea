"""The project's benchmark (issue 13): not a test, run with `riec bench` (see bench/README.md)."""
