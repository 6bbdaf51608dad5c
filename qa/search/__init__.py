"""The read side's retrieval: legs (dense, BM25, dictionary BM25), filters and fusion."""
