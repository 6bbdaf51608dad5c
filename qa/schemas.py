"""The public JSON contract: what ``qa ask --json``, ``qa search --json`` and the HTTP API
return, and what the HTTP API accepts. One module, so the CLI, the API, the web page and
the evaluation read the same models.

``ArticleRecord`` is also one line of a JSON Lines archive; ``qa.ingest.articles`` turns
it into an article.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from qa.config import Lang


# --- answers and passages ------------------------------------------------------------------
class Citation(BaseModel):
    article_id: str
    title: str = Field(description="The article's title in the answer's language.")
    date: str = Field(description="YYYY-MM-DD")
    page: int | None
    paragraph: int = Field(description="0-based paragraph number in this language's text.")
    lang: Lang
    start: int = Field(description="Offset of the answer in the paragraph text.")
    end: int


class Aligned(BaseModel):
    lang: Lang
    text: str
    paragraph: int
    start: int
    end: int


class AnswerOut(BaseModel):
    text: str
    score: float
    citation: Citation
    aligned: Aligned | None


class PassageOut(BaseModel):
    article_id: str
    lang: Lang
    paragraph: int
    text: str
    score: float
    title: str
    date: str
    page: int | None
    start: int
    end: int
    chunk_id: str
    pair: int = Field(
        description="Its aligned paragraph pair in the article: a paragraph and its "
        "translation share one."
    )


# Why an ask quoted nothing (``AskResult.abstain_reason``), in the order they are checked.
AbstainReason = Literal[
    "nothing_found", "no_evidence", "no_terms", "no_year", "no_name", "no_head", "no_type"
]


class AskResult(BaseModel):
    question: str
    language: Lang
    abstained: bool
    answers: list[AnswerOut]
    passages: list[PassageOut]
    confidence: float = Field(description="Best sentence evidence; abstains below the threshold.")
    seconds: float = 0.0
    abstain_reason: AbstainReason | None = Field(
        None,
        description=(
            "Why nothing is quoted, when abstained: nothing_found (no passage matches the "
            "question and its filters), no_evidence (no sentence is close enough to it), "
            "no_terms (the best answer says none of the question's own words), no_year "
            "(the best answer's article is neither from nor mentions the year it names), "
            "no_name "
            "(its article never names whom or what the question names), no_head (its "
            "passage never says the noun the question asks about, or gives no figure in "
            "the measure it asks for: an average, a whole year's), no_type (the question "
            "asks for a number, a date or a publication and it gives none)."
        ),
    )
    abstain_message: str | None = Field(None, description="abstain_reason in words, for people.")


# --- search, articles, writes, health ---------------------------------------------------


class SearchResult(BaseModel):
    question: str
    language: Lang
    passages: list[PassageOut]
    seconds: float


class ArticleSummary(BaseModel):
    id: str
    date: str = Field(description="YYYY-MM-DD")
    page: int | None
    titles: dict[str, str] = Field(description="Title per language present.")
    source: str


class ArticlePage(BaseModel):
    total: int
    offset: int
    limit: int
    articles: list[ArticleSummary]


class ParagraphOut(BaseModel):
    index: int = Field(description="0-based paragraph number in this language's text.")
    text: str
    kind: Literal["title", "kicker", "body", "source"]


class PartOut(BaseModel):
    title: str
    paragraphs: list[ParagraphOut]


class PairOut(BaseModel):
    """Body paragraphs that translate each other (usually one each, sometimes 2:1)."""

    pair: int
    en: list[ParagraphOut]
    zh: list[ParagraphOut]


class ArticleOut(ArticleSummary):
    author: str
    column: str
    parts: dict[str, PartOut] = Field(description="Each language's full text, in order.")
    pairs: list[PairOut] = Field(description="The body paragraphs, aligned across languages.")


class ArticleRecord(BaseModel):
    """One article as JSON: the text format's fields, flat. Bodies are given either as
    ``text`` (paragraphs separated by newlines) or as a ``paragraphs`` list; ``_zh``
    fields hold the Chinese original."""

    model_config = ConfigDict(extra="forbid", str_max_length=2_000_000)

    id: str
    date: str
    page: int | str | None = None
    author: str = ""
    column: str = ""
    title: str = ""
    text: str | None = None
    paragraphs: list[str] | None = None
    title_zh: str = ""
    text_zh: str | None = None
    paragraphs_zh: list[str] | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("must not be empty")
        return v


class ArticleIn(BaseModel):
    """One article: either ``text`` in the archive's plain-text format (with its ``id``),
    or ``record``, the same fields as one line of a JSON Lines archive."""

    id: str | None = Field(None, min_length=1, max_length=200)
    text: str | None = Field(None, min_length=1)
    record: ArticleRecord | None = None

    @model_validator(mode="after")
    def _one_form(self) -> ArticleIn:
        if (self.text is None) == (self.record is None):
            raise ValueError("give either 'text' (with 'id') or 'record'")
        if self.text is not None and not (self.id and self.id.strip()):
            raise ValueError("'text' needs an 'id'")
        if self.record is not None and self.id is not None and self.id != self.record.id:
            raise ValueError(f"'id' ({self.id}) differs from record.id ({self.record.id})")
        return self


class WriteResult(BaseModel):
    article_id: str
    status: Literal["added", "updated", "unchanged", "deleted"]
    chunks_added: int
    chunks_removed: int
    seconds: float


class Stats(BaseModel):
    """``qa stats --json``: what the index holds."""

    articles: int
    chunks: dict[str, int] = Field(description="Committed chunks per language.")
    embedders: list[str]
    vectors: dict[str, dict[str, int]] = Field(description="Per embedder and language.")
    lexical: dict[str, int] = Field(description="BM25 documents per language.")
    chroma: Literal["embedded", "http"]
    data_dir: str
    generation: int = Field(description="Goes up with every catalog commit.")
    stale: bool = Field(
        description="Built with other settings than the running ones: run `qa index`."
    )
    drift: dict[str, dict[str, dict[str, int]]] = Field(
        description="Per embedder and language, {chunks, vectors} where the counts differ."
    )
    sentences: dict[str, int] = Field(
        default_factory=dict,
        description=(
            "Chunks whose sentence vectors are stored, per reader; `qa index` stores those "
            "missing under QA_READER (answers encode them meanwhile)."
        ),
    )


class Health(BaseModel):
    ready: bool
    articles: int
    chunks: dict[str, int]
    vectors: dict[str, dict[str, int]]
    embedders: list[str]
    chroma: Literal["embedded", "http"]
    generation: int
    stale: bool = Field(
        description="Built with other settings than the running ones: run `qa index`."
    )
    degraded: bool = Field(
        description="The vector store does not hold exactly the committed chunks (see drift)."
    )
    drift: dict[str, dict[str, dict[str, int]]] = Field(
        description="Per embedder and language, {chunks, vectors} where the counts differ."
    )
    problem: str | None = Field(
        None, description="Why the service is not ready or degraded (e.g. Chroma unreachable)."
    )


# --- HTTP requests and errors -------------------------------------------------------------


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1, description="In English or Chinese; at most QA_MAX_QUESTION_CHARS."
    )
    k: int | None = Field(
        None,
        ge=1,
        description="Passages to show, 1 to QA_MAX_K (50; checked on use). The answers are "
        "read from QA_ANSWER_PASSAGES (10) whatever k is.",
    )
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
