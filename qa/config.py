"""All configuration in one typed place. Every field can be set from the environment
with the prefix ``QA_`` (for example ``QA_DATA_DIR=/srv/qa``); list fields take JSON
(``QA_EMBEDDERS='["usem3"]'``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    # --- storage -----------------------------------------------------------------------
    data_dir: Path = Field(
        Path(".qa-data"),
        description="Where the catalog, Chroma files and lexical index live.",
    )
    model_cache_dir: Path | None = Field(
        None, description="Where exported ONNX models are cached. Default: DATA_DIR/models."
    )
    collection_prefix: str = Field(
        "qa", description="Chroma collections are named PREFIX-<embedder>."
    )

    # --- embeddings --------------------------------------------------------------------
    embedders: list[str] = Field(
        default_factory=lambda: ["usem3", "minilm@en"],
        description=(
            "Dense embedders, one Chroma collection each. 'usem3' is the bundled "
            "multilingual Universal Sentence Encoder (en+zh in one space); 'minilm' is the "
            "bundled all-MiniLM-L6-v2 (English); anything else is a sentence-transformers "
            "model name or path. A suffix '@en', '@zh' or '@en,zh' limits the languages "
            "an embedder indexes and searches."
        ),
    )
    st_backend: Literal["torch", "onnx-int8"] = Field(
        "onnx-int8",
        description=(
            "How sentence-transformers models run: plain torch, or ONNX Runtime with int8 "
            "weights exported locally once (falls back to torch if export fails)."
        ),
    )
    encode_batch_size: int = Field(64, ge=1, le=4096)
    onnx_batch_size: int = Field(
        8,
        ge=1,
        le=1024,
        description="Batch size of the int8 ONNX path; small batches measured fastest there.",
    )
    embed_title: bool = Field(
        True, description="Prefix each chunk with its article title when embedding it."
    )

    # --- parsing and chunking -------------------------------------------------------------
    max_file_bytes: int = Field(10_000_000, ge=1, description="Larger files are rejected.")
    chunk_max_chars_en: int = Field(1000, ge=50)
    chunk_max_chars_zh: int = Field(400, ge=20)

    # --- indexing ----------------------------------------------------------------------
    commit_every_chunks: int = Field(
        512, ge=1, description="Chunks embedded between two durable commits of the catalog."
    )

    @property
    def models_dir(self) -> Path:
        return self.model_cache_dir or self.data_dir / "models"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
