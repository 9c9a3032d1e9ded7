"""`invoke check`: the cross-edition report (JSON and accessible HTML)."""
