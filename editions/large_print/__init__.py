"""The large-print HTML edition: one self-contained page with a read-along player."""
