"""Storylines and cast: which SemEval-2025 Task 10 narratives the article pushes, and whom it casts as hero,
villain or victim.

Both read the e5 vectors of the article's sentences (title first, as the parser cuts them), embedded once: the
encoder remembers recent texts, so the second analyser and the sentence heads outside English find them there.
- ``narratives_taxonomy``: the storyline heads (models/storylines.py) give every narrative and subnarrative a
  calibrated probability; those at or above the reporting threshold are reported, each with the sentences whose
  own logit is highest for it (the head is linear, so they are what lifts the article's score) and a short
  explanation quoting them. None above it: the task's "Other".
- ``entity_roles``: each named entity of the entities analyser is read at each of its mentions (sentence,
  neighbours, the spelling, the article); the probabilities are averaged over its mentions, so all spellings of
  one person share one role.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

import numpy as np

from unspin.analyzers.base import Analyzer, FindingMaker, Section, span_of
from unspin.model import EntityRole, LabelScore, Span, Storyline, StorylineReport, TextField
from unspin.models.registry import ModelRegistry
from unspin.models.storyline_features import mention_states
from unspin.models.storylines import (
    READ_WORDS,
    RoleModel,
    StorylineModel,
    article_vector,
    mention_features,
    read_count,
)
from unspin.nlp.doc import Doc, Sentence, layer

MAX_SENTENCES = 400  # as the sentence heads: the encoder's cost (~0.7 ms a word) bounds a book-length input
MAX_EVIDENCE = 3
MAX_ENTITIES = 15  # the most mentioned; a long article names dozens in passing
MAX_MENTIONS = 8  # read per entity
SHOWN_SUBNARRATIVES = 3
MIN_WORDS = 50  # as the article classifiers: a storyline is a property of an article, not of a snippet


def sentences_of(doc: Doc) -> list[tuple[TextField, Sentence]]:
    """The sentences the storyline and role heads read: the title's, then the body's, up to MAX_SENTENCES, and
    in English only the lead (``models.storylines.READ_WORDS``)."""
    out: list[tuple[TextField, Sentence]] = [("title", s) for s in doc.title.sentences]
    out += [("body", s) for s in doc.body.sentences]
    out = [(f, s) for f, s in out if s.text.strip()][:MAX_SENTENCES]
    return out[: read_count([len(s.text.split()) for _, s in out], doc.language)]


def sentence_vectors(doc: Doc, models: ModelRegistry) -> np.ndarray:
    """The sentences' vectors: from the second thread when it embedded them, else now (cached either way)."""
    texts = [s.text for _, s in sentences_of(doc)]
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.asarray(models.get("encoder").embed(texts))


def _quote(text: str, limit: int = 160) -> str:
    t = " ".join(text.split())
    return f"“{t if len(t) <= limit else t[: limit - 1].rstrip() + '…'}”"


def _topic(label: str) -> str:
    """'URW: Discrediting Ukraine: Ukraine is a puppet of the West' -> its last part."""
    return label.split(": ")[-1]


def explain(narrative: str, subnarratives: list[str], evidence: list[str]) -> str:
    """A short explanation in the style of subtask 3: what the text pushes, and the sentences that carry it."""
    what = _topic(narrative)
    subs = [s for s in subnarratives if _topic(s) != "Other"]
    head = f"The text pushes the storyline “{what}”"
    if subs:
        head += f", in particular that {_topic(subs[0])[0].lower() + _topic(subs[0])[1:]}"
    if not evidence:
        return head + "."
    carried = "It is carried most clearly by " + (
        _quote(evidence[0]) if len(evidence) == 1 else ", ".join(_quote(e, 110) for e in evidence[:2])
    )
    return f"{head}. {carried}."


def analyze_storylines(doc: Doc, models: ModelRegistry, vectors: np.ndarray | None = None) -> Section:
    section = Section()
    model: StorylineModel = models.get("storylines")
    if doc.word_count < MIN_WORDS:
        section.notes.append(
            f"No storyline verdict: the body has {doc.word_count} words, under the {MIN_WORDS} needed to read one."
        )
        section.fields["storylines"] = StorylineReport(
            other=True, threshold=round(model.report_threshold, 4), zero_shot=False, model=model.name
        )
        return section
    sentences = sentences_of(doc)
    if vectors is None:
        vectors = sentence_vectors(doc, models)
    zero_shot = doc.language not in model.languages
    if zero_shot:
        section.notes.append(
            f"Storylines in '{doc.language}' are zero-shot: the heads were trained on "
            f"{', '.join(model.languages)} through a multilingual encoder."
        )
    scores = model.scores(vectors)
    chosen, subs = model.decide(scores, model.report_threshold)
    make = FindingMaker("storyline")
    storylines: list[Storyline] = []
    for i, p in chosen:
        if i == model.other:
            continue
        label = model.narratives[i]
        kids = [(j, q) for j, q in subs if model.subnarratives[j].startswith(label + ": ")]
        column = scores.narrative_sentence_logits[:, i]
        order = [int(k) for k in np.argsort(-column)[:MAX_EVIDENCE]] if len(column) else []
        picked = [k for k in order if column[k] > 0] or order[:1]
        evidence = [span_of(doc, sentences[k][0], sentences[k][1].start, sentences[k][1].end) for k in picked]
        evidence.sort(key=lambda e: (e.field != "title", e.start))
        sub_labels = [model.subnarratives[j] for j, _ in kids]
        explanation = explain(label, sub_labels, [e.text for e in evidence])
        storylines.append(
            Storyline(
                narrative=label,
                domain="CC" if label.startswith("CC") else "URW",
                probability=round(p, 4),
                subnarratives=[
                    LabelScore(label=model.subnarratives[j], probability=round(q, 4))
                    for j, q in kids[:SHOWN_SUBNARRATIVES]
                ],
                evidence=evidence,
                explanation=explanation,
            )
        )
        for e in evidence:
            section.findings.append(
                make(doc, e.field, e.start, e.end, label, p, explanation, narrative=label)
            )
    top = [
        LabelScore(label=model.narratives[int(i)], probability=round(float(scores.narratives[int(i)]), 4))
        for i in np.argsort(-scores.narratives)[:5]
    ]
    section.fields["storylines"] = StorylineReport(
        storylines=storylines,
        other=not storylines,
        threshold=round(model.report_threshold, 4),
        top=top,
        zero_shot=zero_shot,
        model=model.name,
    )
    return section


class NarrativesTaxonomyAnalyzer(Analyzer):
    """SemEval-2025 Task 10 storylines (narratives and subnarratives) with their evidence sentences."""

    name = "narratives_taxonomy"
    provides = ("report.storylines",)
    models = ("encoder", "storylines")

    def start_after_parse(self, doc: Doc, models: ModelRegistry) -> Callable[[], Any] | None:
        return (lambda: sentence_vectors(doc, models)) if doc.word_count >= MIN_WORDS else None

    def run(self, doc: Doc, models: ModelRegistry) -> Section:
        started = doc.started.get(self.name)
        return analyze_storylines(doc, models, started if isinstance(started, np.ndarray) else None)


def _sentence_at(starts: dict[TextField, list[int]], field: TextField, pos: int, offset: int) -> int:
    """Index (into sentences_of) of the sentence of ``field`` holding ``pos``."""
    where = starts.get(field, [])
    if not where:
        return 0
    k = max(0, bisect.bisect_right(where, pos) - 1)
    return offset + k if field == "body" else k


def _is_read(
    sentences: list[tuple[TextField, Sentence]], starts: dict[TextField, list[int]], n_title: int, m: Span
) -> bool:
    """Whether the mention lies in a sentence the heads read."""
    if not starts.get(m.field):
        return False
    field, s = sentences[_sentence_at(starts, m.field, m.start, n_title)]
    return field == m.field and s.start <= m.start < max(s.end, s.start + 1)


def analyze_roles(doc: Doc, models: ModelRegistry) -> Section:
    section = Section()
    entities = layer(doc.entities, "entities")
    sentences = sentences_of(doc)
    section.fields["entity_roles"] = []
    if not entities or not sentences:
        return section
    model: RoleModel = models.get("entity_roles")
    vectors = sentence_vectors(doc, models)
    art = article_vector(vectors)
    starts: dict[TextField, list[int]] = {
        "title": [s.start for f, s in sentences if f == "title"],
        "body": [s.start for f, s in sentences if f == "body"],
    }
    n_title = len(starts["title"])
    ranked = sorted(entities.values(), key=lambda e: -e.mention_count)
    rows: list[tuple[str, int, Span]] = []  # entity id, sentence index, mention
    for e in ranked:
        spans = sorted(
            (m for v in e.variants for m in v.mentions), key=lambda m: (m.field != "title", m.start)
        )
        read = [m for m in spans if _is_read(sentences, starts, n_title, m)]
        for m in read[:MAX_MENTIONS]:
            rows.append((e.id, _sentence_at(starts, m.field, m.start, n_title), m))
    kept = list(dict.fromkeys(eid for eid, _, _ in rows))[:MAX_ENTITIES]
    rows = [r for r in rows if r[0] in kept]
    ranked = [e for e in ranked if e.id in kept]
    if doc.language in READ_WORDS:
        section.notes.append(
            f"Entity roles and storylines in '{doc.language}' read the title and the lead (the first "
            f"{READ_WORDS[doc.language]} words): entities named only later get no role."
        )
    if not rows:
        return section
    encoder = models.get("encoder")
    # One name vector per entity, of its canonical name: every spelling would be one more encoder pass (a short
    # text costs nearly as much as a sentence), and its contextual state already reads the spelling at hand.
    canonical = {e.id: e.canonical for e in ranked}
    names = np.asarray(encoder.embed([canonical[eid] for eid, _, _ in rows]))
    texts = [s.text for _, s in sentences]
    where = [
        (k, max(0, m.start - sentences[k][1].start), max(0, m.end - sentences[k][1].start))
        for _, k, m in rows
    ]
    states = mention_states(encoder, texts, where, names)
    x = np.stack([mention_features(vectors, k, names[r], art, states[r]) for r, (_, k, _) in enumerate(rows)])
    main_p, fine_p = model.predict_proba(x)
    zero_shot = doc.language not in model.languages
    make = FindingMaker("role")
    out: list[EntityRole] = []
    for e in ranked:
        idx = [r for r, (eid, _, _) in enumerate(rows) if eid == e.id]
        if not idx:
            continue
        mp, fp = main_p[idx].mean(axis=0), fine_p[idx].mean(axis=0)
        chosen, fine = model.decide(mp, fp)
        role = model.main_roles[chosen]
        best = idx[int(np.argmax(main_p[idx, chosen]))]
        field, sentence = sentences[rows[best][1]]
        evidence = span_of(doc, field, sentence.start, sentence.end)
        fine_labels = [
            LabelScore(label=model.fine_roles[j], probability=round(float(fp[j]), 4)) for j in fine
        ]
        out.append(
            EntityRole(
                entity_id=e.id,
                canonical=e.canonical,
                main_role=role,  # type: ignore[arg-type]
                probability=round(float(mp[chosen]), 4),
                main_probabilities={r: round(float(q), 4) for r, q in zip(model.main_roles, mp, strict=True)},
                fine_roles=fine_labels,
                mentions=len(idx),
                evidence=evidence,
                zero_shot=zero_shot,
            )
        )
        mention = rows[best][2]
        section.findings.append(
            make(
                doc,
                mention.field,
                mention.start,
                mention.end,
                role,
                float(mp[chosen]),
                f"{e.canonical} is cast as {role.lower()}"
                + (f" ({', '.join(f.label for f in fine_labels)})" if fine_labels else "")
                + f", read over {len(idx)} mention{'s' if len(idx) != 1 else ''}.",
                entity_id=e.id,
            )
        )
    section.fields["entity_roles"] = out
    if zero_shot:
        section.notes.append(
            f"Entity roles in '{doc.language}' are zero-shot: the heads were trained on {', '.join(model.languages)}."
        )
    return section


class EntityRolesAnalyzer(Analyzer):
    """Main and fine roles of the named entities (SemEval-2025 Task 10 subtask 1), over merged mentions."""

    name = "entity_roles"
    requires = ("doc.entities",)
    provides = ("report.entity_roles",)
    models = ("encoder", "entity_roles")

    def run(self, doc: Doc, models: ModelRegistry) -> Section:
        return analyze_roles(doc, models)
