"""Outside sources and their importers."""
