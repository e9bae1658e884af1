"""parse(article) -> Doc: language, paragraphs, sentences, tokens and NER, computed once."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from unspin.model import Article, TextField
from unspin.nlp import models
from unspin.nlp.doc import Doc, Mention, Paragraph, Part, Sentence, Token
from unspin.nlp.language import detect_language
from unspin.threads import single_threaded_blas
from unspin.worker_process import WorkerProcess

_SPACY_LABELS = {"PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG", "NORP": "GROUP"}
_LINE = re.compile(r"[^\n]+")

# (paragraph text) -> (sentences as (start, end), tokens as (start, end) or (start, end, head, dep, pos) with the
# head's index among the paragraph's tokens, mentions)
TokenRow = tuple[int, int] | tuple[int, int, int, str, str]
Segmenter = Callable[[list[str]], Iterable[tuple[list[tuple[int, int]], list[TokenRow], list[Mention]]]]


def paragraphs_of(text: str) -> list[Paragraph]:
    """Paragraphs are non-empty lines (the SemEval convention), trimmed of surrounding whitespace."""
    out: list[Paragraph] = []
    for m in _LINE.finditer(text):
        line = m.group()
        if not line.strip():
            continue
        lead = len(line) - len(line.lstrip())
        out.append(Paragraph(len(out), m.start() + lead, m.start() + len(line.rstrip())))
    return out


def _spacy_rows(nlp, with_ner: bool, texts: list[str]):  # type: ignore[no-untyped-def]
    results = []
    # Here rather than in the Pipeline alone: the parse worker process and direct callers of parse run it too.
    with single_threaded_blas():
        for sdoc in nlp.pipe(texts, batch_size=64):
            sents = [(s.start_char, s.end_char) for s in sdoc.sents]
            kept = [t for t in sdoc if not t.is_space]
            index = {t.i: n for n, t in enumerate(kept)}
            toks = [
                (t.idx, t.idx + len(t.text), index.get(t.head.i, n), t.dep_, t.pos_)
                if sdoc.has_annotation("DEP")
                else (t.idx, t.idx + len(t.text))
                for n, t in enumerate(kept)
            ]
            ments = []
            if with_ner:
                for e in sdoc.ents:
                    label = _SPACY_LABELS.get(e.label_)
                    if label:
                        ments.append(Mention(e.start_char, e.end_char, e.text, label, e.text))
            results.append((sents, toks, ments))
    return results


def english_rows(texts: list[str]):  # type: ignore[no-untyped-def]
    """Parse rows of English paragraph texts (what the second parsing process runs)."""
    return _spacy_rows(models.spacy_english(), True, texts)


# spaCy's tagger, parser and NER run at about 4,000 words a second on one core, single-threaded: a text of this
# many characters or more (about 30,000 words) is parsed in two processes, half of its paragraphs each. The
# second process (``parse_worker``) loads spaCy in about 2 s, which the parse of such a text repays many times.
# The same paragraphs give the same tokens, parse and entities in either process.
PARALLEL_PARSE_CHARS = 200_000


def _split_at_half(texts: list[str]) -> int:
    """The index that splits ``texts`` into two runs of about equal characters."""
    total, running = sum(map(len, texts)), 0
    for i, text in enumerate(texts):
        running += len(text)
        if running * 2 >= total:
            return i + 1
    return len(texts)


def _english_rows_in_two(nlp, texts: list[str]):  # type: ignore[no-untyped-def]
    """The first half parsed here, the second in a ``parse_worker`` process; if that process cannot start or
    fails, its half is parsed here too (slower, same rows)."""
    k = _split_at_half(texts)
    worker = WorkerProcess("unspin.nlp.parse_worker", [], texts[k:])
    try:
        # Yielded as they come, so that the caller builds the first half's tokens while the worker still parses.
        yield from _spacy_rows(nlp, True, texts[:k])
        second = worker.result()
        yield from second if second is not None else _spacy_rows(nlp, True, texts[k:])
    finally:
        worker.close()


def _segment_spacy(nlp, with_ner: bool, processes: int = 1) -> Segmenter:  # type: ignore[no-untyped-def]
    def run(texts: list[str]):  # type: ignore[no-untyped-def]
        if with_ner and processes > 1 and sum(map(len, texts)) >= PARALLEL_PARSE_CHARS:
            return _english_rows_in_two(nlp, texts)
        return _spacy_rows(nlp, with_ner, texts)

    return run


def _segment_natasha(texts: list[str]):  # type: ignore[no-untyped-def]
    from natasha import Doc as NDoc

    tools = models.natasha()
    results = []
    for text in texts:
        ndoc = NDoc(text)
        ndoc.segment(tools["segmenter"])
        ndoc.tag_ner(tools["ner"])
        if ndoc.spans:
            ndoc.tag_morph(tools["morph"])
        sents = [(s.start, s.stop) for s in ndoc.sents]
        toks = [(t.start, t.stop) for t in ndoc.tokens]
        ments = []
        for span in ndoc.spans:
            try:
                span.normalize(tools["vocab"])
                normal = span.normal or span.text
            except Exception:  # natasha's normaliser fails on some odd tokens; fall back to the surface form
                normal = span.text
            ments.append(Mention(span.start, span.stop, span.text, span.type, normal))
        results.append((sents, toks, ments))
    return results


# The parsers read a paragraph at a time; one longer than this is read in pieces cut after a sentence end (or
# at a space), so that no text reaches spaCy's max_length (E088) and memory stays bounded (spaCy's parser and
# NER need about 1 GB per 100,000 characters at once).
MAX_PIECE_CHARS = 50_000
_SENTENCE_GAP = re.compile(r"(?<=[.!?…])\s+")
_GAP = re.compile(r"\s+")


def pieces_of(text: str, start: int, end: int, size: int | None = None) -> list[tuple[int, int]]:
    """``text[start:end]`` as consecutive (start, end) pieces of at most ``size`` (MAX_PIECE_CHARS)
    characters: each cut after the last sentence end of the piece's last quarter, else at its last space,
    else hard."""
    size = size or MAX_PIECE_CHARS
    out: list[tuple[int, int]] = []
    lo = start
    while end - lo > size:
        hi = lo + size
        gap = None
        for pattern in (_SENTENCE_GAP, _GAP):
            for m in pattern.finditer(text, lo + size * 3 // 4, hi):
                gap = m
            if gap is not None:
                break
        if gap is None:
            out.append((lo, hi))
            lo = hi
        else:
            out.append((lo, gap.start()))
            lo = gap.end()
    out.append((lo, end))
    return out


def _build_part(name: TextField, text: str, segment: Segmenter, sentence_base: int) -> Part:
    part = Part(field=name, text=text, paragraphs=paragraphs_of(text))
    pieces = [(para, lo, hi) for para in part.paragraphs for lo, hi in pieces_of(text, para.start, para.end)]
    texts = [text[lo:hi] for _, lo, hi in pieces]
    for (para, off, _), (sents, toks, ments) in zip(pieces, segment(texts), strict=True):
        for s, e in sents:
            # Trim whitespace so that a sentence slice is exactly its words.
            chunk = text[off + s : off + e]
            s2 = off + s + (len(chunk) - len(chunk.lstrip()))
            e2 = off + e - (len(chunk) - len(chunk.rstrip()))
            if e2 > s2:
                idx = sentence_base + len(part.sentences)
                part.sentences.append(Sentence(idx, s2, e2, text[s2:e2], para.index))
        base = len(part.tokens)
        for row in toks:
            s, e = row[0], row[1]
            if len(row) == 5:
                part.tokens.append(
                    Token(off + s, off + e, text[off + s : off + e], base + row[2], row[3], row[4])
                )
            else:
                part.tokens.append(Token(off + s, off + e, text[off + s : off + e]))
        part.mentions.extend(
            Mention(m.start + off, m.end + off, m.text, m.label, m.normal, m.origin) for m in ments
        )
    return part


def parsed_in_two(article: Article, language: str, processes: int) -> bool:
    """Will ``parse`` read this article's body in two processes?"""
    return processes > 1 and language == "en" and len(article.body) >= PARALLEL_PARSE_CHARS


def parse(
    article: Article,
    language: str | None = None,
    *,
    processes: int = 1,
    detected: tuple[str, float] | None = None,
) -> Doc:
    """Parse an article once. ``language`` overrides detection (an ISO 639-1 code); ``detected``: the
    detector's (language, confidence) when the caller has run it already; ``processes``: the
    processes a very long English text may be parsed in (1 or 2, see PARALLEL_PARSE_CHARS)."""
    if language:
        lang, conf = language.lower(), 1.0
    elif detected:
        lang, conf = detected
    else:
        lang, conf = detect_language(f"{article.title}\n{article.body}")
    if lang == "en":
        nlp = models.spacy_english()
        segment: Segmenter = _segment_spacy(nlp, with_ner=True, processes=processes)
        ner_model: str | None = models.EN_SPACY_MODEL
    elif lang == "ru":
        segment, ner_model = _segment_natasha, models.RU_NER_MODEL
    else:
        segment, ner_model = _segment_spacy(models.spacy_multilingual(), with_ner=False), None
    title = _build_part("title", article.title, segment, 0)
    body = _build_part("body", article.body, segment, len(title.sentences))
    return Doc(
        article=article, language=lang, language_confidence=conf, ner_model=ner_model, title=title, body=body
    )
