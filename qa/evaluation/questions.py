"""Evaluation: the seed question set (retrieval, answers, citations, abstention) per
retrieval mode, scored with ``ir_measures`` (pytrec_eval underneath).

Retrieval is judged at the level the service returns, the aligned paragraph pair: a
passage is relevant when its pair holds a gold paragraph. A question of kind ``cross``
is asked with the language filter set to its gold language, so the answer must come
from the other language's text than the question's.
"""

from __future__ import annotations

import json
import statistics
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from qa.answer.answerer import Answerer
from qa.config import Lang, Settings
from qa.ingest.indexer import Index
from qa.schemas import AskResult
from qa.search.retrieve import Filters, QueryError

Kind = Literal["factoid", "paraphrase", "cross", "unanswerable"]
QuestionSet = Literal["seeds", "archive", "heldout"]
Split = Literal["tune", "test", "heldout"]
RETRIEVAL_METRICS = ("R@1", "R@5", "R@10", "RR@10", "nDCG@10")
DEPTH = 10  # passages retrieved per question for the metrics above


class EvalQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    lang: Lang
    kind: Kind
    question: str
    article_id: str | None = None
    gold_lang: Lang | None = None
    paragraphs: list[int] = []
    answers: list[str] = []
    set: QuestionSet = "seeds"  # which file it came from (set by load_questions)

    @model_validator(mode="after")
    def _gold(self) -> EvalQuestion:
        answerable = self.kind != "unanswerable"
        if answerable and not (self.article_id and self.gold_lang and self.paragraphs):
            raise ValueError("an answerable question needs article_id, gold_lang, paragraphs")
        if answerable and not self.answers:
            raise ValueError("an answerable question needs at least one gold answer")
        if not answerable and (self.article_id or self.paragraphs or self.answers):
            raise ValueError("an unanswerable question has no gold")
        return self

    @property
    def answerable(self) -> bool:
        return self.kind != "unanswerable"

    @property
    def filters(self) -> Filters | None:
        """How it is asked: a cross-language question shows the gold language's text."""
        return Filters(langs=(self.gold_lang,)) if self.kind == "cross" and self.gold_lang else None

    @property
    def split(self) -> Split:
        """Weights and thresholds are chosen on ``tune`` and reported on ``test``. The split
        is by article (a stable hash of its id; an unanswerable question by its own id), so
        no article has questions on both sides: a tuned choice cannot memorise an article's
        wording. The held-out set (``eval/questions_heldout.jsonl``) is its own split: no
        tuning tool reads it (``both_sets`` leaves it out), and nobody reads its misses to
        find a change."""
        if self.set == "heldout":
            return "heldout"
        key = self.article_id or self.id
        return "tune" if zlib.crc32(key.encode()) % 2 == 0 else "test"


def load_questions(path: Path, set_name: QuestionSet = "seeds") -> list[EvalQuestion]:
    out, ids = [], set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            q = EvalQuestion.model_validate({**json.loads(line), "set": set_name})
        except (json.JSONDecodeError, ValidationError) as exc:
            raise ValueError(f"{path}:{n}: {exc}") from exc
        if q.id in ids:
            raise ValueError(f"{path}:{n}: duplicate question id {q.id!r}")
        ids.add(q.id)
        out.append(q)
    return out


@dataclass
class Outcome:
    """One question's result under one mode."""

    question: EvalQuestion
    result: AskResult
    units: list[str]  # ranked passage units, "article#pair"
    gold_units: set[str]
    answer_ok: bool
    citation_ok: bool


def _unit(article_id: str, pair: int) -> str:
    return f"{article_id}#{pair}"


def run(
    answerer: Answerer,
    questions: list[EvalQuestion],
    mode: str = "hybrid",
    progress: Callable[[int], None] | None = None,
) -> list[Outcome]:
    catalog = answerer.index.catalog
    outcomes = []
    for q in questions:
        try:
            r = answerer.ask(q.question, k=DEPTH, filters=q.filters, mode=mode)
        except QueryError:  # e.g. an English-only mode asked a Chinese question: nothing found
            r = AskResult(question=q.question, language=q.lang, abstained=True, answers=[],
                          passages=[], confidence=0.0)  # fmt: skip
        units = [_unit(p.article_id, p.pair) for p in r.passages]
        gold: set[str] = set()
        answer_ok = citation_ok = False
        if q.answerable and q.article_id and q.gold_lang:  # the validator ensures both
            gold_pairs = catalog.paragraph_pairs(q.article_id)
            gold = {_unit(q.article_id, gold_pairs[(q.gold_lang, i)])
                    for i in q.paragraphs if (q.gold_lang, i) in gold_pairs}  # fmt: skip
            if r.answers:
                top = r.answers[0]
                answer_ok = any(g in top.text for g in q.answers)
                c = top.citation
                art = catalog.article(c.article_id)
                verbatim = (
                    art is not None
                    and c.lang in art.parts
                    and art.parts[c.lang].paragraphs[c.paragraph].text[c.start : c.end] == top.text
                )
                citation_ok = (
                    verbatim
                    and c.article_id == q.article_id
                    and c.lang == q.gold_lang
                    and c.paragraph in q.paragraphs
                )
        outcomes.append(Outcome(q, r, units, gold, answer_ok, citation_ok))
        if progress:
            progress(1)
    return outcomes


def ir_scores(
    qrels: dict[str, dict[str, int]], ranked: dict[str, list[str]], metrics: Iterable[str]
) -> dict[str, float]:
    """Mean ``metrics`` (ir_measures names, e.g. ``nDCG@10``) of ranked id lists against
    graded judgements. A judged query missing from ``ranked`` scores 0 (pytrec_eval would
    silently skip it)."""
    import ir_measures

    metrics = list(metrics)
    if not qrels:
        return {m: 0.0 for m in metrics}
    run_ = {}
    for qid in qrels:
        ids = ranked.get(qid, [])
        run_[qid] = {u: float(len(ids) - i) for i, u in enumerate(ids)} or {"<none>": 0.0}
    agg = ir_measures.calc_aggregate([ir_measures.parse_measure(m) for m in metrics], qrels, run_)
    return {m: float(agg[ir_measures.parse_measure(m)]) for m in metrics}


def _retrieval_scores(outcomes: list[Outcome]) -> dict[str, float]:
    qrels = {o.question.id: {u: 1 for u in o.gold_units} for o in outcomes if o.gold_units}
    return ir_scores(qrels, {o.question.id: o.units for o in outcomes}, RETRIEVAL_METRICS)


def abstention(hits: int, abstained: int, unanswerable: int) -> tuple[float, float]:
    """Abstention precision and recall, "unanswerable" the positive class: ``hits`` of the
    ``abstained`` questions are unanswerable, of ``unanswerable`` in all (1.0 for an empty
    denominator)."""
    return (hits / abstained if abstained else 1.0, hits / unanswerable if unanswerable else 1.0)


def score(outcomes: list[Outcome]) -> dict[str, float]:
    """Metrics over a group of outcomes; answer/citation accuracy over answerable ones,
    abstention precision/recall with "unanswerable" as the positive class."""
    answerable = [o for o in outcomes if o.question.answerable]
    unanswerable = [o for o in outcomes if not o.question.answerable]
    abstained = [o for o in outcomes if o.result.abstained]
    out: dict[str, float] = {"questions": float(len(outcomes))}
    if answerable:
        out.update(_retrieval_scores(answerable))
        out["answer_acc"] = sum(o.answer_ok for o in answerable) / len(answerable)
        out["citation_acc"] = sum(o.citation_ok for o in answerable) / len(answerable)
    if unanswerable or abstained:
        hits = sum(1 for o in abstained if not o.question.answerable)
        out["abstain_p"], out["abstain_r"] = abstention(hits, len(abstained), len(unanswerable))
    latencies = [o.result.seconds for o in outcomes]
    out["p50_ms"] = 1000 * percentile(latencies, 0.5) if latencies else 0.0
    return {k: round(v, 4) for k, v in out.items()}


def percentile(values: list[float], q: float) -> float:
    """The value at quantile ``q`` (0 < q < 1) of ``values``, interpolated between the
    nearest ranks (``statistics.quantiles``, inclusive method)."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def grouped(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    """Scores for all questions, per question set, split, language and kind, and per set
    and split together (the figure to report is the ``test`` split)."""
    groups: dict[str, list[Outcome]] = {"all": outcomes}
    for o in outcomes:
        q = o.question
        for name in (f"set={q.set}", f"split={q.split}", f"set={q.set} split={q.split}",
                     f"lang={q.lang}", f"kind={q.kind}"):  # fmt: skip
            groups.setdefault(name, []).append(o)
    return {name: score(items) for name, items in groups.items()}


def markdown(table: dict[str, dict[str, dict[str, float]]], group: str = "all") -> str:
    """One row per mode for ``group``."""
    cols = [*RETRIEVAL_METRICS, "answer_acc", "citation_acc", "abstain_p", "abstain_r", "p50_ms"]
    lines = [
        "| mode | " + " | ".join(cols) + " |",
        "|---|" + "---|" * len(cols),
    ]
    for mode, groups in table.items():
        row = groups.get(group, {})
        lines.append(f"| {mode} | " + " | ".join(_fmt(row.get(c)) for c in cols) + " |")
    return "\n".join(lines)


def _fmt(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:.1f}" if v > 1.5 else f"{v:.3f}"


def plot(table: dict[str, dict[str, dict[str, float]]], path: Path) -> None:
    """Grouped bars: each mode's MRR@10, nDCG@10, R@5 and answer accuracy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = ["RR@10", "nDCG@10", "R@5", "answer_acc"]
    modes = list(table)
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(modes)
    for i, mode in enumerate(modes):
        values = [table[mode]["all"].get(m, 0.0) for m in metrics]
        ax.bar([j + i * width for j in range(len(metrics))], values, width, label=mode)
    ax.set_xticks([j + width * (len(modes) - 1) / 2 for j in range(len(metrics))], metrics)
    ax.set_ylim(0, 1)
    ax.set_title("Retrieval modes on eval/questions.jsonl")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def modes_for(answerer: Answerer) -> list[str]:
    return ["lexical", *(f"dense:{e.name}" for e in answerer.index.embedders), "hybrid"]


def evaluate(
    answerer: Answerer,
    questions: list[EvalQuestion],
    modes: Iterable[str],
    progress: Callable[[int], None] | None = None,
) -> tuple[dict[str, dict[str, dict[str, float]]], dict[str, list[Outcome]]]:
    table, outcomes = {}, {}
    for mode in modes:
        outcomes[mode] = run(answerer, questions, mode, progress)
        table[mode] = grouped(outcomes[mode])
    return table, outcomes


# --- reproducibility: expected scores -------------------------------------------------------
TOLERANCE = 0.02  # a metric may drop this much (absolute) before the check fails
CHECKED = (*RETRIEVAL_METRICS, "answer_acc", "citation_acc", "abstain_p", "abstain_r")


def expected_record(table: dict[str, dict[str, dict[str, float]]],
                    settings: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """What ``eval/expected.json`` holds: the scores of every mode on every group, with the
    configuration that produced them."""
    return {
        "questions": "eval/questions.jsonl",
        "tolerance": TOLERANCE,
        "settings": settings,
        "scores": {
            mode: {g: {k: v for k, v in row.items() if k in CHECKED} for g, row in groups.items()}
            for mode, groups in table.items()
        },
    }


def regressions(table: dict[str, dict[str, dict[str, float]]],
                expected: dict[str, Any]) -> list[str]:  # fmt: skip
    """Each metric that fell more than the tolerance below its expected value."""
    tol = float(expected.get("tolerance", TOLERANCE))
    out = []
    for mode, groups in expected["scores"].items():
        for group, row in groups.items():
            for metric, want in row.items():
                got = table.get(mode, {}).get(group, {}).get(metric)
                if got is None:
                    out.append(f"{mode} {group} {metric}: missing (expected {want})")
                elif got < want - tol:
                    out.append(f"{mode} {group} {metric}: {got:.4f} < {want:.4f} - {tol}")
    return out


def in_dir(settings: Settings, data_dir: Path) -> Settings:
    """``settings`` for an evaluation index in ``data_dir`` (never the user's main index);
    models and their ONNX exports are reused from the usual cache."""
    return settings.model_copy(
        update={"data_dir": data_dir, "model_cache_dir": settings.models_dir}
    )


def both_sets(eval_dir: Path) -> list[EvalQuestion]:
    """The seed questions and those written from the distractor text (``set="archive"``)."""
    return load_questions(eval_dir / "questions.jsonl") + load_questions(
        eval_dir / "questions_archive.jsonl", "archive"
    )


def seed_index(settings: Settings, seeds: Path, data_dir: Path) -> Index:
    """A throwaway index of the bundled articles in ``data_dir``."""
    index = Index(in_dir(settings, data_dir))
    report = index.index_paths([seeds], progress=False)
    if report.failed:
        index.close()
        raise ValueError(f"cannot index {seeds}: {report.failed[0]}")
    return index


# --- one `qa eval` run ---------------------------------------------------------------------
Table = dict[str, dict[str, dict[str, float]]]


@dataclass
class EvalRun:
    """What ``qa eval`` scores: a question set on the seeds, optionally among distractor
    text (then also the questions written from that text)."""

    questions: Path
    seeds: Path
    modes: list[str] | None = None  # None: lexical, each dense embedder, hybrid
    distractors: str | None = None  # "pd1998", "sotu", paths, joined with "+"
    archive_questions: Path | None = None
    heldout_questions: Path | None = None  # asked like the archive questions, never tuned on
    distractor_limit: int | None = None
    index_dir: Path | None = None  # keep and reuse the evaluation index here


@dataclass
class EvalResult:
    table: Table
    modes: list[str]
    chunks: dict[str, int]
    skipped: int  # archive questions about articles not in the index
    outcomes: dict[str, list[Outcome]] = field(default_factory=dict)  # per mode


def run_eval(spec: EvalRun, settings: Settings, progress: bool = True) -> EvalResult:
    """Build (or reuse) the evaluation index, ask every question in every mode, score.
    ``ValueError`` says what was wrong with the inputs; the user's index is never used."""
    import tempfile

    from tqdm import tqdm

    from qa.answer.answerer import Answerer

    qs = load_questions(spec.questions)
    # the questions written from the distractor text are read before the (long) index
    # build, so that a missing or malformed file is said at once
    sources: list[tuple[Path | None, QuestionSet]] = [
        (spec.archive_questions, "archive"),
        (spec.heldout_questions, "heldout"),
    ]
    more = [q for path, name in sources if path is not None and spec.distractors
            for q in load_questions(path, name)]  # fmt: skip
    if spec.index_dir is not None and spec.index_dir.resolve() == settings.data_dir.resolve():
        raise ValueError("--index-dir must not be your main index (QA_DATA_DIR)")
    skipped = 0
    with tempfile.TemporaryDirectory(prefix="qa-eval-") as tmp:
        index = seed_index(settings, spec.seeds, spec.index_dir or Path(tmp))
        try:
            if spec.distractors:
                from qa.evaluation.corpora import distractors

                try:
                    extra = list(distractors(spec.distractors, settings, spec.distractor_limit))
                except RuntimeError as exc:
                    raise ValueError(str(exc)) from exc
                index.add_articles(extra, progress=progress)
                kept = [q for q in more
                        if not q.article_id or index.catalog.article(q.article_id)]  # fmt: skip
                skipped = len(more) - len(kept)
                qs = qs + kept
            chunks = index.catalog.counts()["chunks"]
            answerer = Answerer(index, index.settings)
            answerer.warm_up()
            chosen = spec.modes or modes_for(answerer)
            with tqdm(total=len(qs) * len(chosen), unit="q", desc="evaluating",
                      disable=not progress) as bar:  # fmt: skip
                table, outcomes = evaluate(answerer, qs, chosen, bar.update)
        finally:
            index.close()
    return EvalResult(table, chosen, chunks, skipped, outcomes)


def write_report(result: EvalResult, folder: Path) -> None:
    """``scores.json``, ``table.md`` (every group), ``modes.png`` and ``answers.jsonl`` (what
    each question got in the last mode, hybrid by default) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    table = result.table
    (folder / "scores.json").write_text(json.dumps(table, indent=2))
    groups = ["all", *sorted(g for g in table[result.modes[0]] if g != "all")]
    (folder / "table.md").write_text(
        "\n\n".join(f"### {g}\n\n{markdown(table, g)}" for g in groups) + "\n"
    )
    plot(table, folder / "modes.png")
    mode = result.modes[-1]
    if mode in result.outcomes:
        lines = [json.dumps(answer_row(o, mode), ensure_ascii=False)
                 for o in result.outcomes[mode]]  # fmt: skip
        (folder / "answers.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


Verdict = Literal["right", "wrong", "abstained", "answered"]


def answer_row(o: Outcome, mode: str) -> dict[str, object]:
    """What a user read for one question, judged: ``right`` / ``wrong`` (an answerable
    question's first answer holds a gold substring or not), ``abstained`` (rightly for an
    unanswerable question, wrongly otherwise: ``ok`` says which), ``answered`` (an
    unanswerable question got an answer). No timings, so that the file changes only when
    an answer does and ``git diff`` shows which."""
    q, r = o.question, o.result
    verdict: Verdict
    if r.abstained:
        verdict = "abstained"
    elif not q.answerable:
        verdict = "answered"
    else:
        verdict = "right" if o.answer_ok else "wrong"
    first = r.answers[0] if r.answers else None
    return {
        "id": q.id, "set": q.set, "split": q.split, "lang": q.lang, "kind": q.kind,
        "mode": mode, "question": q.question, "verdict": verdict,
        "ok": verdict == "right" or (verdict == "abstained" and not q.answerable),
        "citation_ok": o.citation_ok, "abstain_reason": r.abstain_reason,
        "answer": first.text if first else None,
        "cited": f"{first.citation.article_id} {first.citation.lang} paragraph "
                 f"{first.citation.paragraph}" if first else None,
        "gold": q.answers,
    }  # fmt: skip


def write_expected(table: Table, settings: Settings, path: Path) -> None:
    record = expected_record(
        table, settings.model_dump(mode="json", exclude={"data_dir", "model_cache_dir"})
    )
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
