"""Request models of the HTTP API. Responses are the library's own models
(``qa.answer.AskResult``, ``qa.service.*``), the same JSON the CLI prints."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from qa.config import Lang


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1, description="In English or Chinese; at most QA_MAX_QUESTION_CHARS."
    )
    k: int | None = Field(None, description="Passages to retrieve, 1 to QA_MAX_K (50).")
    lang: Lang | None = Field(None, description="Only passages and answers in this language.")
    since: str | None = Field(None, description="Earliest date: YYYY, YYYY-MM or YYYY-MM-DD.")
    until: str | None = Field(None, description="Latest date: YYYY, YYYY-MM or YYYY-MM-DD.")
    article_ids: list[str] | None = Field(None, description="Only these articles.")
    mode: str = Field(
        "hybrid", description="hybrid, lexical, dense, dense:<embedder> or hybrid:<embedder>."
    )


class Problem(BaseModel):
    """Every 4xx body: what was wrong."""

    detail: str
    where: str | None = None
