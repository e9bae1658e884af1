"""Entities: mentions grouped into canonical entities across spelling and transliteration variants."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import cast

from unspin.analyzers.base import Analyzer, FindingMaker, Section, span_of
from unspin.model import Entity, EntitySource, EntityType, EntityVariant, Finding, TextField
from unspin.models.registry import ModelRegistry
from unspin.nlp import names
from unspin.nlp.doc import Doc, EntityRef, Part

NER_SCORE, GAZETTEER_SCORE = 0.85, 0.95
_TYPES = {"PER", "LOC", "ORG", "GROUP"}
_TYPE_WORDS = {"PER": "person", "LOC": "place", "ORG": "organisation", "GROUP": "group"}


@dataclass
class _Mention:
    field: TextField
    start: int
    end: int
    text: str
    normal: str  # base form used to compare spellings (lemma for Russian, table form for gazetteer hits)
    type: str
    canonical: str | None = None  # set when the gazetteer knows the entity
    origin: str = "ner"


def gazetteer_hits(doc: Doc, part: Part) -> list[tuple[int, int, names.GazetteerEntry]]:
    """Every place or person form from the variant tables found in the part (computed once per Doc)."""
    if part.field not in doc.gazetteer:
        doc.gazetteer[part.field] = names.gazetteer().find(part.text)
    return doc.gazetteer[part.field]


_NAME_WINDOW = 64  # longer than any first name: the look-back never copies more of the text than this


def _extend_first_name(part: Part, start: int) -> int:
    """NER often tags only the surname after an unfamiliar first name ('Oleksiy Reznikov'): extend left.

    Reads a short window before the mention, not the whole text before it (that made the entities stage
    quadratic in article length: 103 s for a 200k-word article)."""
    lo = max(0, start - _NAME_WINDOW)
    before = part.text[lo:start].rstrip(" ")
    words = before.split()
    word = words[-1] if words else ""
    if word and word[0].isupper() and names.is_first_name(word) and lo + len(before) == start - 1:
        if len(word) == len(before) and lo > 0 and not part.text[lo - 1].isspace():
            return start  # the word runs on past the window: not a first name
        return start - 1 - len(word)
    return start


def _other_first_name(part: Part, start: int, group: str | None) -> int | None:
    """Start of a first name right before ``start`` that belongs to another first-name group, if any."""
    extended = _extend_first_name(part, start)
    if extended == start:
        return None
    word = part.text[extended:start].strip()
    return extended if names.first_name_key(word) != group else None


def collect_mentions(doc: Doc) -> list[_Mention]:
    """NER mentions and gazetteer hits, overlaps resolved in favour of the longer (then the known) span."""
    out: list[_Mention] = []
    for part in doc.parts:
        cands: list[_Mention] = []
        for s, e, entry in gazetteer_hits(doc, part):
            if entry.type == "PER" and " " not in entry.form:
                other = _other_first_name(part, s, entry.first_name)
                if other is not None:
                    # 'Wladimir Klitschko' is not the table's Vitali Klitschko: a person of its own.
                    cands.append(
                        _Mention(part.field, other, e, part.text[other:e], part.text[other:e], "PER")
                    )
                    continue
            cands.append(
                _Mention(
                    part.field, s, e, part.text[s:e], entry.form, entry.type, entry.canonical, "gazetteer"
                )
            )
        for m in part.mentions:
            if m.label in _TYPES:
                label = m.label
                words = m.text.split()
                if (
                    label in ("ORG", "LOC")
                    and 2 <= len(words) <= 3
                    and names.is_first_name(words[0])
                    and all(w[0].isupper() for w in words)
                ):
                    label = "PER"  # 'Mykola Kovalenko' tagged ORG: a known first name says person
                s = _extend_first_name(part, m.start) if label == "PER" else m.start
                normal = m.normal if s == m.start else part.text[s : m.end]
                cands.append(_Mention(part.field, s, m.end, part.text[s : m.end], normal, label))
        cands.sort(key=lambda c: (c.start, -(c.end - c.start), c.origin != "gazetteer"))
        kept: list[_Mention] = []
        for c in cands:
            if kept and c.start < kept[-1].end:
                prev = kept[-1]
                if (
                    prev.origin != c.origin
                    and prev.canonical is None
                    and c.canonical is not None
                    and c.end - c.start >= prev.end - prev.start
                ):
                    kept[-1] = c  # same span, the gazetteer knows the name
                    c.origin = "ner+gazetteer"
                elif prev.origin != c.origin:
                    prev.origin = "ner+gazetteer" if prev.origin != "ner+gazetteer" else prev.origin
                continue
            kept.append(c)
        out.extend(kept)
    return out


def _group_key(m: _Mention) -> tuple[str, ...]:
    if m.canonical:
        return (m.type, "known", m.canonical)
    if m.type == "PER":
        words = m.normal.split()
        if len(words) >= 2:
            return ("PER", names.first_name_key(words[0]), names.skeleton(words[-1]))
        return ("PER", "", names.skeleton(m.normal))
    # Nationalities (GROUP) never merge with places: 'Ukrainian' and 'Ukraine' share a skeleton.
    bucket = "GROUP" if m.type == "GROUP" else "NAME"
    skel = names.skeleton(m.normal)
    return (bucket, skel) if len(skel.replace(" ", "")) >= 3 else (bucket, m.normal.casefold())


def group_mentions(mentions: list[_Mention]) -> list[list[_Mention]]:
    """Group mentions into entities; a surname alone joins the one full name with that surname."""
    groups: dict[tuple[str, ...], list[_Mention]] = defaultdict(list)
    surname_only: list[_Mention] = []
    single = [m for m in mentions if len(m.normal.split()) == 1 and m.type != "GROUP"]
    single_ids = {id(m) for m in single}  # identity, not equality: a list lookup here was quadratic
    for m in mentions:
        if m.type == "PER" and len(m.normal.split()) == 1:
            surname_only.append(m)  # resolved below, once every full name is known
        elif id(m) not in single_ids or m.type == "PER":
            groups[_group_key(m)].append(m)
    by_surname: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for key, ms in groups.items():
        if ms[0].type == "PER":
            surnames = {names.skeleton(x.normal.split()[-1]) for x in ms if x.normal.split()}
            for s in surnames:
                by_surname[s].append(key)
    for m in single:
        if m.type != "PER" and m.canonical is None:
            if by_surname.get(names.skeleton(m.normal)):
                surname_only.append(m)  # NER often labels a lone surname ORG or LOC: it is the person
            else:
                groups[_group_key(m)].append(m)
        elif m.type != "PER":
            groups[_group_key(m)].append(m)
    surname_only.sort(key=lambda x: (x.field != "title", x.start))
    # Each owner's mention positions, sorted, so that 'the nearest before' is a bisection rather than a scan
    # of the group (which grows with every surname joined to it: quadratic on long articles).
    positions: dict[tuple[str, ...], list[tuple[str, int]]] = {}

    def positions_of(key: tuple[str, ...]) -> list[tuple[str, int]]:
        if key not in positions:
            positions[key] = sorted((x.field, x.start) for x in groups[key])
        return positions[key]

    for m in surname_only:
        owners = by_surname.get(names.skeleton(m.normal), [])
        if owners:
            # Several people share the surname: the nearest full name mentioned before wins.
            def last_before(key: tuple[str, ...], m: _Mention = m) -> tuple[int, int]:
                where = positions_of(key)
                idx = bisect.bisect_left(where, (m.field, m.start))
                if idx == 0:
                    return (0, -min(start for _, start in where))
                if m.field == "body":  # every earlier position is in the body ('body' < 'title'), sorted
                    return (1, where[idx - 1][1])
                return (1, max(start for _, start in where[:idx]))

            key = max(owners, key=last_before)
        else:
            key = _group_key(m) if m.canonical else ("PER", "", names.skeleton(m.normal))
        groups[key].append(m)
        if key in positions:
            bisect.insort(positions[key], (m.field, m.start))
    ordered = sorted(groups.values(), key=lambda ms: min((x.field != "title", x.start) for x in ms))
    return [sorted(ms, key=lambda x: (x.field != "title", x.start)) for ms in ordered]


def _spellings(ms: list[_Mention], etype: str) -> list[str]:
    """Distinct spellings, ignoring case endings and surname-only mentions of a spelt-out surname."""
    person = etype == "PER"
    full = [m for m in ms if len(m.normal.split()) >= 2 or not person]
    forms: dict[str, str] = {}
    for m in full:
        forms.setdefault(m.normal.casefold(), m.normal)
    full_surnames = {m.normal.split()[-1].casefold() for m in full if person}
    for m in ms:
        if person and len(m.normal.split()) == 1 and m.normal.casefold() not in full_surnames:
            forms.setdefault(m.normal.casefold(), m.normal)
    return list(forms.values())


def _canonical(ms: list[_Mention]) -> str:
    # A table name applies when a full-name mention matched it, or when the entity is known by surname only.
    full = [m for m in ms if len(m.normal.split()) >= 2]
    known = next((m.canonical for m in (full or ms) if m.canonical), None)
    if known:
        return known
    counts = Counter(m.normal for m in ms)
    first: dict[str, int] = {}
    for i, m in enumerate(ms):
        first.setdefault(m.normal, i)
    return max(counts, key=lambda n: (len(n.split()), counts[n], -first[n]))


def _entity(doc: Doc, eid: str, ms: list[_Mention]) -> Entity:
    """One entity from its grouped mentions: its canonical name, type, variants and spellings."""
    types = [m.type for m in ms]
    etype = cast(EntityType, "PER" if "PER" in types else Counter(types).most_common(1)[0][0])
    spellings = _spellings(ms, etype)
    variants: dict[str, list[_Mention]] = defaultdict(list)
    for m in ms:
        variants[m.text].append(m)
    origins = {m.origin for m in ms}
    source: EntitySource = (
        "ner" if origins == {"ner"} else "gazetteer" if origins == {"gazetteer"} else "ner+gazetteer"
    )
    return Entity(
        id=eid,
        canonical=_canonical(ms),
        type=etype,
        mention_count=len(ms),
        variants=[
            EntityVariant(text=t, count=len(v), mentions=[span_of(doc, x.field, x.start, x.end) for x in v])
            for t, v in variants.items()
        ],
        multiple_spellings=len(spellings) > 1,
        spellings=spellings,
        source=source,
    )


def _spelling_findings(doc: Doc, entity: Entity, ms: list[_Mention], make: FindingMaker) -> list[Finding]:
    """One finding per spelling of an entity spelt several ways, at its first mention."""
    spellings = entity.spellings
    if len(spellings) < 2:
        return []
    quoted = [f"'{s}'" for s in spellings]
    listed = ", ".join(quoted[:-1]) + f" and {quoted[-1]}"
    seen: set[str] = set()
    out = []
    for m in ms:
        if m.normal in spellings and m.normal not in seen:
            seen.add(m.normal)
            out.append(
                make(
                    doc,
                    m.field,
                    m.start,
                    m.end,
                    "multiple spellings",
                    1.0,
                    f"{listed} all name the same {_TYPE_WORDS[entity.type]} ({entity.canonical}) in this article: "
                    "inconsistent spelling often marks text stitched from several sources or translations.",
                    entity_id=entity.id,
                )
            )
    return out


def analyze(doc: Doc) -> Section:
    """Entities with merged variants, and spelling findings for entities spelt several ways."""
    section = Section()
    if not doc.ner_available:
        section.notes.append(
            f"Named-entity recognition is not available for language '{doc.language}': entities are limited "
            "to the names in unspin's variant tables."
        )
    entities: list[Entity] = []
    refs: list[EntityRef] = []
    make_entity, make_spelling = FindingMaker("entity"), FindingMaker("spelling")
    for n, ms in enumerate(group_mentions(collect_mentions(doc)), start=1):
        entity = _entity(doc, f"E{n}", ms)
        entities.append(entity)
        for m in ms:
            refs.append(EntityRef(m.field, m.start, m.end, entity.id))
            section.findings.append(
                make_entity(
                    doc,
                    m.field,
                    m.start,
                    m.end,
                    entity.type,
                    GAZETTEER_SCORE if m.origin != "ner" else NER_SCORE,
                    f"{entity.type} mention of {entity.canonical}"
                    + (f", spelt '{m.text}'" if m.text != entity.canonical else ""),
                    entity_id=entity.id,
                    canonical=entity.canonical,
                )
            )
        section.findings += _spelling_findings(doc, entity, ms, make_spelling)
    doc.entity_mentions = refs
    doc.entities = {e.id: e for e in entities}
    section.fields["entities"] = entities
    return section


class EntitiesAnalyzer(Analyzer):
    name = "entities"
    provides = ("doc.entity_mentions", "doc.entities", "report.entities")

    def run(self, doc: Doc, models: ModelRegistry) -> Section:
        return analyze(doc)
