"""Audio edition: speech script, engines, mastering, chapters and timings."""

#: The longest a delivered MP3 may be (standards §4a, ACX: ≤ 120 min per file). Here,
#: not in `parts`, so the PDF step reads it without importing the audio stack (numpy,
#: scipy: most of a second of CPU).
PART_MINUTES = 120.0
