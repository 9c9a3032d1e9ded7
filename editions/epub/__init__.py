"""The EPUB 3 edition: package, media overlays, pronunciation lexicon."""
