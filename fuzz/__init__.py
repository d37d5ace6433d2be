"""Coverage-guided fuzzing harnesses (run with fuzz/run.sh); `checks` is shared with tests/fuzz."""
