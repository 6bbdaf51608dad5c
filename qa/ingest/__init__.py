"""The write side: parse article files, align their languages, cut chunks, and index them
into the stores (``indexer``), with the catalog commit as the switch-over point."""
