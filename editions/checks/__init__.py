"""Validators for the source and for each edition; each returns a list of Findings."""
