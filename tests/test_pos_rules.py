"""The English pipeline's speed-ups keep spaCy's output: POS rules read from dictionaries give the attribute
ruler's POS, and numpy's matrix products give blis's tags, parse and entities."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.tokens import Doc

from unspin.nlp import models
from unspin.nlp.numpy_ops import NumpyMatmulOps
from unspin.nlp.pos_rules import PosRules, PosRulesComponent, UnsupportedRule, replace_attribute_ruler

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = Path(__file__).parent.parent / "examples" / "nato-donbass.txt"


def _paragraphs() -> list[str]:
    texts = [(FIXTURES / "en_article.txt").read_text(encoding="utf-8"), EXAMPLE.read_text(encoding="utf-8")]
    texts.append(
        "There are reports that the minister, who said that he would resign, didn't. Is it true? "
        "If so, whether or not they'd go, they will have been told so; it's   over.\n\n"
        "The Ministry of Defense of Ukraine made an official request to NATO, according to The Globe and Mail."
    )
    return [p for t in texts for p in t.split("\n") if p.strip()]


@pytest.fixture(scope="module")
def stock_nlp() -> Any:
    """The package's pipeline as spaCy loads it: attribute ruler and blis."""
    models._register_serialized_tokenizer()
    return spacy.load(models.EN_SPACY_MODEL, exclude=["lemmatizer", "senter"])


def _annotations(doc: Doc) -> list[tuple[str, ...]]:
    return [(t.text, t.tag_, t.pos_, t.dep_, str(t.head.i), t.ent_iob_, t.ent_type_) for t in doc]


def test_shipped_pipeline_matches_stock_spacy(stock_nlp: Any) -> None:
    ours = models.spacy_english()
    assert isinstance(ours.get_pipe("attribute_ruler"), PosRulesComponent)
    texts = _paragraphs()
    stock = [_annotations(d) for d in stock_nlp.pipe(texts)]
    fast = [_annotations(d) for d in ours.pipe(texts)]
    assert sum(len(d) for d in stock) > 400
    assert fast == stock
    assert any(pos == "AUX" for doc in fast for _, _, pos, *_ in doc)


def test_pos_rules_read_the_package_rules(stock_nlp: Any) -> None:
    rules = PosRules.from_patterns(stock_nlp.get_pipe("attribute_ruler").patterns)
    assert rules.single and rules.other  # tag map, word/tag pairs, and NOT_IN / two-token rules
    docs = list(stock_nlp.pipe(_paragraphs(), disable=["attribute_ruler"]))
    ruler = stock_nlp.get_pipe("attribute_ruler")
    ours = [rules.pos_of(d) for d in docs]
    theirs = [[t.pos_ for t in ruler(d)] for d in docs]
    assert ours == theirs


def _doc(words: list[str], tags: list[str], deps: list[str] | None = None) -> Doc:
    vocab = spacy.blank("en").vocab
    doc = Doc(vocab, words=words, tags=tags, deps=deps or ["dep"] * len(words), heads=list(range(len(words))))
    return doc


def test_later_rules_win_and_every_test_kind_is_read() -> None:
    patterns = [
        {"patterns": [[{"TAG": "VB"}]], "attrs": {"POS": "VERB"}, "index": 0},
        {"patterns": [[{"TAG": "VB", "LOWER": {"IN": ["be", "have"]}}]], "attrs": {"POS": "AUX"}, "index": 0},
        {"patterns": [[{"TAG": "NN"}]], "attrs": {"MORPH": "Number=Sing"}, "index": 0},  # sets no POS
        {"patterns": [[{"TAG": {"NOT_IN": ["VB", "NN"]}}]], "attrs": {"POS": "X"}, "index": 0},
        {"patterns": [[{"LOWER": "there"}, {"LOWER": "be"}]], "attrs": {"POS": "VERB"}, "index": 1},
    ]
    rules = PosRules.from_patterns(patterns)
    doc = _doc(["There", "be", "dragons", "run"], ["EX", "VB", "NN", "VB"])
    # "be": AUX (rule 1 over rule 0), then VERB (rule 4, later); "dragons": no POS rule; "There": X (rule 3).
    assert rules.pos_of(doc) == ["X", "VERB", "", "VERB"]


def test_a_rule_it_cannot_read_keeps_the_ruler() -> None:
    with pytest.raises(UnsupportedRule):
        PosRules.from_patterns(
            [{"patterns": [[{"TAG": {"REGEX": "^V"}}]], "attrs": {"POS": "VERB"}, "index": 0}]
        )
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"TEXT": {"REGEX": "^V"}}]], {"POS": "VERB"})
    assert replace_attribute_ruler(nlp) is False
    assert type(nlp.get_pipe("attribute_ruler")).__name__ == "AttributeRuler"


def test_numpy_matmul_ops_compute_blis_products() -> None:
    import numpy as np
    from thinc.api import NumpyOps

    rng = np.random.default_rng(0)
    x = rng.standard_normal((7, 5), dtype=np.float32)
    y = rng.standard_normal((3, 5), dtype=np.float32)
    ours, stock = NumpyMatmulOps(), NumpyOps()
    assert np.allclose(ours.gemm(x, y, trans2=True), stock.gemm(x, y, trans2=True), atol=1e-5)
    out = np.empty((5, 5), dtype=np.float32)
    assert ours.gemm(x, x, out=out, trans1=True) is out
    assert np.allclose(out, stock.gemm(x, x, trans1=True), atol=1e-5)
    nlp = models.spacy_english()
    assert all(
        isinstance(node.ops, NumpyMatmulOps)
        for _, pipe in nlp.pipeline
        if hasattr(pipe, "model")
        for node in pipe.model.walk()
    )
