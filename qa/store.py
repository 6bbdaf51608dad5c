"""Chroma collections: one per embedder, cosine space, our own vectors only.

Embedded (``PersistentClient`` under ``data_dir/chroma``) by default; a Chroma server when
``QA_CHROMA_URL`` is set. Chroma's default embedding function would download a model, so
every collection is opened with ``embedding_function=None`` and given vectors directly.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from qa.config import Settings  # noqa: E402
from qa.embedders import Embedder  # noqa: E402

# Chroma caps how many records one call may carry; stay well below it.
_WRITE_BATCH = 2000


class VectorStore:
    def __init__(self, settings: Settings, embedders: Sequence[Embedder]):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        self.mode = "embedded"
        self.client: Any = chromadb.PersistentClient(
            path=str(settings.data_dir / "chroma"), settings=chroma_settings
        )
        self.collections = {
            e.name: self.client.get_or_create_collection(
                f"{settings.collection_prefix}-{e.name}",
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedder": e.spec},
                embedding_function=None,
            )
            for e in embedders
        }

    def upsert(
        self,
        embedder: str,
        ids: list[str],
        vectors: np.ndarray,
        documents: list[str],
        metadatas: list[dict],
    ) -> None:
        col = self.collections[embedder]
        for i in range(0, len(ids), _WRITE_BATCH):
            j = i + _WRITE_BATCH
            col.upsert(
                ids=ids[i:j],
                embeddings=vectors[i:j],
                documents=documents[i:j],
                metadatas=metadatas[i:j],
            )

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for col in self.collections.values():
            for i in range(0, len(ids), _WRITE_BATCH):
                col.delete(ids=ids[i : i + _WRITE_BATCH])

    def ids(self, embedder: str) -> set[str]:
        col = self.collections[embedder]
        out: set[str] = set()
        offset = 0
        while True:
            page = col.get(include=[], limit=10_000, offset=offset)["ids"]
            out.update(page)
            if len(page) < 10_000:
                return out
            offset += len(page)

    def counts(self) -> dict[str, int]:
        return {name: col.count() for name, col in self.collections.items()}

    def query(
        self, embedder: str, vector: np.ndarray, k: int, where: dict | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` nearest chunk ids with cosine similarity (1 - cosine distance)."""
        col = self.collections[embedder]
        res = col.query(
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=k,
            where=where or None,
            include=["distances"],
        )
        ids, distances = res["ids"][0], res["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]
