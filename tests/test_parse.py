"""The Doc: language, segmentation with exact offsets, NER per language, models loaded once."""

from __future__ import annotations

import pytest

from conftest import report_for_text
from unspin.ingest import load_article
from unspin.nlp import models, parse

SAMPLES = {
    "en": "The minister said on Monday that the army needs more winter equipment before the cold weather.",
    "ru": "Министр заявил в понедельник, что армии нужно больше зимнего снаряжения до наступления холодов.",
    "uk": "Міністр заявив у понеділок, що армії потрібно більше зимового спорядження до настання холодів.",
    "de": "Der Minister sagte am Montag, dass die Armee vor dem kalten Wetter mehr Winterausrüstung braucht.",
    "fr": "Le ministre a déclaré lundi que l'armée avait besoin de plus d'équipement d'hiver avant le froid.",
    "it": "Il ministro ha detto lunedì che l'esercito ha bisogno di più equipaggiamento invernale prima del freddo.",
    "pl": "Minister powiedział w poniedziałek, że armia potrzebuje więcej sprzętu zimowego przed nadejściem mrozów.",
}


@pytest.mark.parametrize("code", list(SAMPLES))
def test_language_identification(code: str) -> None:
    doc = parse(load_article(text=SAMPLES[code]))
    assert doc.language == code
    assert doc.language_confidence > 0.5


def test_offsets_slice_exactly() -> None:
    text = "First paragraph. It has two sentences!\n\n  Second one, indented?  \nThird line here."
    doc = parse(load_article(text=text, title="A title"))
    assert [text[p.start : p.end] for p in doc.body.paragraphs] == [
        "First paragraph. It has two sentences!",
        "Second one, indented?",
        "Third line here.",
    ]
    assert [s.text for s in doc.body.sentences] == [
        "First paragraph.",
        "It has two sentences!",
        "Second one, indented?",
        "Third line here.",
    ]
    for s in doc.body.sentences:
        assert text[s.start : s.end] == s.text
    for t in doc.body.tokens:
        assert text[t.start : t.end] == t.text
    assert doc.title.sentences[0].text == "A title" and doc.body.sentences[0].index == 1


def test_english_and_russian_ner() -> None:
    en = parse(load_article(text="Maria Zakharova spoke to RIA Novosti in Moscow on Friday."))
    assert {(m.text, m.label) for m in en.body.mentions} >= {("Maria Zakharova", "PER"), ("Moscow", "LOC")}
    ru = parse(
        load_article(
            text="Мария Захарова заявила агентству РИА Новости в Москве, что Резникова не пригласили."
        )
    )
    labels = {(m.normal, m.label) for m in ru.body.mentions}
    assert ("Мария Захарова", "PER") in labels and ("Москва", "LOC") in labels
    assert ("Резников", "PER") in labels  # lemmatised from the genitive 'Резникова'


def test_ner_unavailable_is_said_not_guessed() -> None:
    r = report_for_text(SAMPLES["de"] + " Olaf Scholz traf Wladimir Selenskyj in Berlin.")
    assert r.language.code == "de" and r.language.ner_available is False and r.language.ner_model is None
    assert any("not available for language 'de'" in n for n in r.notes)


def test_models_load_once() -> None:
    assert models.spacy_english() is models.spacy_english()
    before = models.spacy_english.cache_info().misses
    parse(load_article(text=SAMPLES["en"]))
    parse(load_article(text=SAMPLES["en"]))
    assert models.spacy_english.cache_info().misses == before


def test_long_text_parsed_in_two_processes_gives_the_same_doc(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text past PARALLEL_PARSE_CHARS is parsed half in a second process: the Doc is the one a single
    process builds (tokens with their parse, sentences, entity mentions, offsets)."""
    import importlib

    from unspin.model import Article

    parse_module = importlib.import_module("unspin.nlp.parse")  # the module: unspin.nlp.parse is the function

    people = ["Anna Kowalski", "Marek Novak", "Olena Petrov", "David Brennan"]
    paragraphs = [
        f'{people[i % 4]} told Reuters on Monday that talks in Geneva had stalled. "We will not give up," '
        f"{people[(i + 1) % 4].split()[0]} said, adding that {i + 2} delegations would return in spring."
        for i in range(24)
    ]
    article = Article(title="Talks stall in Geneva", body="\n\n".join(paragraphs))
    alone = parse_module.parse(article, language="en", processes=1)
    monkeypatch.setattr(parse_module, "PARALLEL_PARSE_CHARS", 500)
    called: list[int] = []
    real = parse_module._english_rows_in_two

    def spy(nlp, texts):  # type: ignore[no-untyped-def]
        called.append(len(texts))
        return real(nlp, texts)

    monkeypatch.setattr(parse_module, "_english_rows_in_two", spy)
    two = parse_module.parse(article, language="en", processes=2)
    assert called == [24]  # the body went through the two-process path (the title is too short)
    assert two.body.tokens == alone.body.tokens
    assert two.body.sentences == alone.body.sentences
    assert two.body.mentions == alone.body.mentions
    assert any(t.dep for t in two.body.tokens) and two.body.mentions


def test_split_at_half_balances_characters() -> None:
    import importlib

    _split_at_half = importlib.import_module("unspin.nlp.parse")._split_at_half

    assert _split_at_half(["a" * 10, "b" * 10, "c" * 10, "d" * 10]) == 2
    assert _split_at_half(["a" * 100, "b", "c"]) == 1
    assert _split_at_half([]) == 0


def test_english_pipeline_loads_the_packaged_tokenizer_and_only_the_components_read() -> None:
    """spacy_english skips the default tokenizer factory (its rules are replaced by the package's on load):
    the tokenizer must still be exactly the package's, and the pipeline must run what the parse reads."""
    import spacy

    nlp = models.spacy_english()
    packaged = spacy.load(models.EN_SPACY_MODEL, exclude=["lemmatizer", "senter"])
    assert nlp.pipe_names == ["tok2vec", "tagger", "parser", "attribute_ruler", "ner"]
    assert nlp.tokenizer.to_bytes(exclude=["vocab"]) == packaged.tokenizer.to_bytes(exclude=["vocab"])
    text = (
        "U.S. officials can't say it's 5km away (Dr. Smith's view: https://x.org/a?b=1) — “so-called” peace."
    )
    assert [(t.idx, t.text, t.pos_, t.dep_, t.head.i, t.ent_type_) for t in nlp(text)] == [
        (t.idx, t.text, t.pos_, t.dep_, t.head.i, t.ent_type_) for t in packaged(text)
    ]


@pytest.mark.parametrize("executable", ["/bin/false", "/nonexistent/python"])
def test_a_parse_worker_that_fails_or_cannot_start_leaves_its_half_to_this_process(
    executable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib
    import sys

    from unspin.model import Article

    parse_module = importlib.import_module("unspin.nlp.parse")
    body = "\n\n".join(f"Marek Novak said on Monday that {i + 2} trucks had reached Lviv." for i in range(12))
    article = Article(title="Trucks reach Lviv", body=body)
    alone = parse_module.parse(article, language="en", processes=1)
    monkeypatch.setattr(parse_module, "PARALLEL_PARSE_CHARS", 200)
    monkeypatch.setattr(sys, "executable", executable)
    two = parse_module.parse(article, language="en", processes=2)
    assert two.body.tokens == alone.body.tokens and two.body.mentions == alone.body.mentions
