"""The braille edition: UEB (liblouis) in formatted BRF pages; `render` makes it."""
