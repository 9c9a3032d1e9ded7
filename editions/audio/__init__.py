"""Audio edition: speech script, engines, mastering, chapters and timings."""
