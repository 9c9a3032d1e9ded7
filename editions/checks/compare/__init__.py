"""Read the built editions back and compare them with the source and each other."""
