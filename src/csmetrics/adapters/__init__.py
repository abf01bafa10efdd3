"""Paths into the library from files and bundled data: CSV reading, sample datasets."""
