"""Reliability: crash safety and concurrent use of one database, with real processes."""
