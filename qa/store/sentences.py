"""Sentence vectors stored at index time, so that an ask encodes only its question.

When a chunk is committed, the reader (``QA_READER``, the answer step's sentence encoder)
encodes its sentences (``qa.text.sentence_spans``), and the vectors go into the catalog
beside the chunk, in the same transaction: a chunk and its sentence vectors are committed,
replaced and removed together. float16 (half of float32's size; cosines move by about
1e-3). A chunk committed before this, or under another reader, has none until ``qa index``
fills them in; until then the answer step encodes its sentences when asked, as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qa.store.embedders import Embedder, Progress
from qa.store.records import Chunk
from qa.text import sentence_spans


def sentences(chunk: Chunk) -> list[str]:
    """A chunk's sentences, as the answer step splits them."""
    return [chunk.text[a:b] for a, b in sentence_spans(chunk.text, chunk.lang)]


def encode(reader: Embedder, chunks: Sequence[Chunk],
           progress: Progress | None = None) -> dict[str, bytes]:  # fmt: skip
    """Chunk id -> its sentences' vectors under ``reader``, packed; chunks in a language
    the reader does not read, or without a sentence, get none."""
    mine = [c for c in chunks if c.lang in reader.langs]
    texts = [sentences(c) for c in mine]
    flat = [t for ts in texts for t in ts]
    if not flat:
        return {}
    vectors = reader.encode(flat, progress)
    out, i = {}, 0
    for c, ts in zip(mine, texts, strict=True):
        if ts:
            out[c.id] = pack(vectors[i : i + len(ts)])
        i += len(ts)
    return out


def pack(vectors: np.ndarray) -> bytes:
    """Rows of vectors as bytes: their count (uint32), then the values (float16)."""
    head = np.array([len(vectors)], dtype="<u4").tobytes()
    return head + np.ascontiguousarray(vectors, dtype="<f2").tobytes()


def unpack(blob: bytes, n: int) -> np.ndarray | None:
    """The vectors ``pack`` wrote, if they are ``n`` rows; None if not (the chunk's
    sentences were split otherwise when they were stored)."""
    count = int(np.frombuffer(blob[:4], dtype="<u4")[0]) if len(blob) >= 4 else -1
    values = np.frombuffer(blob[4:], dtype="<f2")
    if count != n or n <= 0 or values.size % n:
        return None
    return values.reshape(n, -1).astype(np.float32)
