"""What both sides open: the catalog (SQLite, the commit point), the vectors (Chroma), the
BM25 index, the embedders, and ``stores.Stores``, which opens them together."""
