"""Quotes and sources: who is quoted, saying what, through which outlet or document."""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from functools import cache

from unspin.analyzers.base import Analyzer, FindingMaker, Section, span_of
from unspin.analyzers.intervals import Intervals
from unspin.model import Finding, Party, PartyKind, Quote
from unspin.models.registry import ModelRegistry
from unspin.nlp.attribution import Relation, cue_forms, cue_sources, find_relations
from unspin.nlp.doc import Doc, FieldRange, Part, Sentence, layer
from unspin.nlp.lexicon import Lexicon, lexicon, outlets
from unspin.nlp.quotes import MIN_QUOTE_WORDS, WORD, Quoted, find_quoted

NEAR = 60  # how far after a source cue (in characters) the source's name may start
# 'did not say that', 'never claimed that', 'не заявлял, что': what someone did not say is not their quote.
_NEGATED = re.compile(r"(?:\bnot|\bnever|n't|\bno longer|\bне|\bніколи)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_NEVER = re.compile(r"(?!)")
# Ukrainian has no lexicon of its own (the other analysers' cues are English and Russian); the quotes need only
# their attribution words, so they get a small one here.
_UK_QUOTE_CUES = {
    "speech_verbs": [
        "заявив", "заявила", "заявили", "сказав", "сказала", "зазначив", "зазначила", "повідомив", "повідомила",
        "повідомляє", "повідомили", "наголосив", "наголосила", "додав", "додала", "написав", "написала",
        "пише", "пояснив", "пояснила", "підкреслив", "підкреслила", "вважає", "розповів", "розповіла",
        "заявляє", "каже", "передає",
    ],
    "according_to": ["за словами", "на думку", "як (?:заявив|сказав|зазначив|пише|повідомляє)"],
    "source_cues": ["в інтерв'ю", "в інтерв’ю", "повідомляє", "пише", "передає", "за даними", "з посиланням на"],
    "outlet_nouns": ["видання", "газет[аиі]", "агентств[оа]", "телеканал[уа]?", "сайт[уа]?", "журнал[уа]?"],
    "document_nouns": ["заяв[аиі]", "документ[уа]?", "звіт[уа]?", "указ[уа]?"],
    "role_nouns": [
        "міністр[аи]?", "речни[кц][аи]?", "президент[аи]?", "прем'єр", "генерал[аи]?", "посол", "експерт[аи]?",
        "представни[кц][аи]?", "голов[аиу]", "керівни[кц][аи]?", "радни[кц][аи]?", "депутат[аи]?",
    ],
    "pronouns": {"він": "PER", "вона": "PER", "вони": "ANY"},
}  # fmt: skip


@cache
def _quote_lexicon(language: str) -> Lexicon | None:
    """The cue lexicon for quotes: the shared one, or the quotes-only one for Ukrainian."""
    if language != "uk":
        return lexicon(language)
    d = _UK_QUOTE_CUES

    def alt(words: object) -> re.Pattern[str]:
        assert isinstance(words, list)
        return re.compile(r"(?<![\w-])(?:" + "|".join(words) + r")(?![\w-])", re.IGNORECASE)

    pronouns = d["pronouns"]
    assert isinstance(pronouns, dict)
    return Lexicon(
        language="uk",
        speech_verbs=alt(d["speech_verbs"]),
        according_to=alt(d["according_to"]),
        source_cues=alt(d["source_cues"]),
        outlet_nouns=alt(d["outlet_nouns"]),
        document_nouns=alt(d["document_nouns"]),
        role_nouns=alt(d["role_nouns"]),
        pronouns=pronouns,
        unattributed=(),
        hedges=_NEVER,
        vague=_NEVER,
        intensifiers=_NEVER,
        future_threat=(),
        rhetorical_starts=_NEVER,
    )


# A person's name where the language has no NER model: two or three capitalised words ('Олексій Резніков').
_CAPITALISED_NAME = re.compile(r"(?<![\w-])[A-ZА-ЯЁІЇЄҐ][\w'’-]+(?:\s+[A-ZА-ЯЁІЇЄҐ][\w'’-]+){1,2}")
_SENTENCE_END = re.compile(r"[.!?…](?=[\s\"”»]|$)")
# 'said that', 'told journalists that', 'заявил, что', 'said:'
_THAT = re.compile(r"(?:\s+(?!that\b|что\b)[\w-]+){0,3}?\s*(?:,\s*)?(?:that|что|:)\s+", re.IGNORECASE)


def _window_after(part: Part, close: int) -> tuple[int, int]:
    """From the closing mark to the end of its sentence; if the quote ended the sentence, the next one."""
    para = part.paragraph_at(close)
    para_end = para.end if para else len(part.text)
    s = close + 1
    m = _SENTENCE_END.search(part.text, s, para_end)
    end = m.end() if m else para_end
    if m and not part.text[s : m.start()].strip():
        m2 = _SENTENCE_END.search(part.text, m.end(), para_end)
        end = m2.end() if m2 else para_end
    return s, min(end, s + 250)


def _window_before(part: Part, open_: int) -> tuple[int, int]:
    para = part.paragraph_at(open_)
    if para is None:
        return open_, open_
    head = part.text[para.start : open_]
    if head.strip() == "" and para.index > 0:
        prev = part.paragraphs[para.index - 1]
        if part.text[prev.start : prev.end].rstrip().endswith(":"):
            ends = list(_SENTENCE_END.finditer(part.text, prev.start, prev.end))
            return (ends[-1].end() if ends else prev.start), prev.end
    ends = [m for m in _SENTENCE_END.finditer(part.text, para.start, open_)]
    return (ends[-1].end() if ends else para.start), open_


@dataclass
class _Attribution:
    speaker: Party | None
    source: Party | None
    cue: str | None
    confidence: float


class QuoteAttributor:
    """Finds speaker and source for a quote or a reported-speech clause, within one part of a Doc."""

    def __init__(self, doc: Doc, part: Part, lex: Lexicon, names: list[Quoted]) -> None:
        self.doc, self.part, self.lex, self.names = doc, part, lex, names
        ents = layer(doc.entities, "entities")
        self.mentions = [
            (s, e, eid, ents[eid].type if eid in ents else "PER", ents[eid].canonical if eid in ents else "")
            for f, s, e, eid in layer(doc.entity_mentions, "entity_mentions")
            if f == part.field
        ]
        self._at = Intervals([(m[0], m[1]) for m in self.mentions])
        # The last PER mention (in list order) ending at or before a position, by bisection.
        people = sorted((m[1], i) for i, m in enumerate(self.mentions) if m[3] == "PER")
        self._person_ends = [end for end, _ in people]
        self._person_last: list[int] = list(itertools.accumulate((i for _, i in people), max))
        self._names_at = Intervals([(q.open, q.open + 1) for q in names])
        self._para_starts = [p.start for p in part.paragraphs]
        self._sentences = Intervals([(x.start, x.end) for x in part.sentences])

    def sentence_at(self, pos: int) -> Sentence | None:
        """The sentence of the part that holds ``pos``, by bisection."""
        hits = [i for i in self._sentences.containing(pos, pos) if pos < self.part.sentences[i].end]
        return self.part.sentences[hits[0]] if hits else None

    def party_at(self, s: int, e: int, kind: PartyKind) -> Party:
        hit = self._at.overlapping(s, e)
        mention = self.mentions[hit[0]] if hit else None
        name = self.part.text[s:e]
        if mention is not None and mention[4] and mention[0] <= s and e <= mention[1]:
            # The words are that entity's mention: name it as the entity is known, so a Russian outlet in the
            # genitive ('в эфире «Первого канала»') reads as 'Первый канал', the same in every quote.
            name = mention[4]
        return Party(
            name=name,
            span=span_of(self.doc, self.part.field, s, e),
            entity_id=mention[2] if mention else None,
            kind=kind,
        )

    def named_for_role(self, role_start: int, role_end: int) -> tuple[int, int, str, str, str] | None:
        """The person an earlier sentence names with the same role ('Defense Minister Reznikov' for 'the
        minister'), else None: the role word must sit right next to a person's mention."""
        words = [w.lower() for w in WORD.findall(self.part.text[role_start:role_end])]
        role_words = [w for w in words if self.lex.role_nouns.fullmatch(w)]
        if not role_words:
            return None
        role = re.compile(r"(?<!\w)" + re.escape(role_words[-1]) + r"(?!\w)", re.IGNORECASE)
        best = None
        for m in role.finditer(self.part.text, 0, role_start):
            for ment in self.mentions:
                if ment[3] != "PER":
                    continue
                gap = (
                    self.part.text[m.end() : ment[0]]
                    if ment[0] >= m.end()
                    else self.part.text[ment[1] : m.start()]
                )
                if len(gap) <= 25 and "." not in gap and "\n" not in gap:
                    best = ment
        return best

    def party_for_source(self, s: int, e: int) -> tuple[Party, float]:
        """The speaker named by a source phrase: its person or organisation, a pronoun's referent, the person
        an article names with the same role, or else the phrase itself."""
        phrase = self.part.text[s:e]
        out = outlets().search(self.part.text, s, e)
        if out:  # 'according to the Canadian edition "The Globe and Mail"': the outlet, not 'Canadian'
            return self.party_at(out.start(), out.end(), "outlet"), 0.8
        named_quote = next((q for q in self.names if s <= q.open and q.close < e), None)
        if named_quote is not None and self.lex.outlet_nouns.search(phrase):
            return self.party_at(named_quote.open + named_quote.width, named_quote.close, "outlet"), 0.8
        rank = {"PER": 0, "ORG": 1, "GROUP": 2}
        inside = [m for m in (self.mentions[i] for i in self._at.within(s, e)) if m[3] in rank]
        if inside:
            ms, me, eid, etype, canonical = min(inside, key=lambda m: (rank[m[3]], m[0]))
            kind: PartyKind = "person" if etype == "PER" else "organisation"
            if self.lex.outlet_nouns.search(self.part.text, s, ms):
                kind = "outlet"
            span = span_of(self.doc, self.part.field, ms, me)
            return Party(name=canonical or self.part.text[ms:me], span=span, entity_id=eid, kind=kind), 0.9
        if phrase.lower() in self.lex.pronouns:
            prior = [x for x in self.mentions if x[1] <= s and x[3] == "PER"]
            if prior:
                ref = prior[-1]
                return Party(
                    name=ref[4] or self.part.text[ref[0] : ref[1]],
                    span=span_of(self.doc, self.part.field, s, e),
                    entity_id=ref[2],
                    kind="pronoun",
                ), 0.7
        named = self.named_for_role(s, e)
        if named is not None:
            return Party(
                name=named[4] or self.part.text[named[0] : named[1]],
                span=span_of(self.doc, self.part.field, s, e),
                entity_id=named[2],
                kind="person",
            ), 0.75
        return self.party_at(s, e, "pronoun" if phrase.lower() in self.lex.pronouns else "unknown"), 0.6

    def speaker_in(self, lo: int, hi: int, cue_pos: int) -> tuple[Party | None, float]:
        """The named speaker nearest to the cue inside [lo, hi), else a pronoun or a role noun phrase."""
        cands = [
            m for m in (self.mentions[i] for i in self._at.within(lo, hi)) if m[3] in ("PER", "ORG", "GROUP")
        ]
        if cands:

            def rank(m: tuple[int, int, str, str, str]) -> tuple[int, int]:
                return (0 if m[3] == "PER" else 1, min(abs(m[0] - cue_pos), abs(m[1] - cue_pos)))

            s, e, eid, etype, canonical = min(cands, key=rank)
            kind: PartyKind = "person" if etype == "PER" else "organisation"
            if outlets().fullmatch(self.part.text[s:e]):
                kind = "outlet"
            return Party(
                name=canonical or self.part.text[s:e],
                span=span_of(self.doc, self.part.field, s, e),
                entity_id=eid,
                kind=kind,
            ), 0.9
        window = self.part.text[lo:hi]
        if not self.doc.ner_available:
            names = [m for m in _CAPITALISED_NAME.finditer(window) if not outlets().fullmatch(m.group())]
            if names:
                m = min(names, key=lambda m: min(abs(lo + m.start() - cue_pos), abs(lo + m.end() - cue_pos)))
                if min(abs(lo + m.start() - cue_pos), abs(lo + m.end() - cue_pos)) < 60:
                    return self.party_at(lo + m.start(), lo + m.end(), "person"), 0.6
        for m in re.finditer(r"(?<!\w)(" + "|".join(self.lex.pronouns) + r")(?!\w)", window, re.IGNORECASE):
            s = lo + m.start()
            k = bisect.bisect_right(self._person_ends, s)
            if k and abs(s - cue_pos) < 40:
                ref = self.mentions[self._person_last[k - 1]]
                return Party(
                    name=ref[4] or self.part.text[ref[0] : ref[1]],
                    span=span_of(self.doc, self.part.field, s, lo + m.end()),
                    entity_id=ref[2],
                    kind="pronoun",
                ), 0.65
        role = re.compile(
            r"(?:(?:the|a|an)\s+)?(?:[\w-]+\s+){0,3}?(?:" + self.lex.role_nouns.pattern + r")", re.IGNORECASE
        )
        best = None
        for m in role.finditer(window):
            d = min(abs(lo + m.start() - cue_pos), abs(lo + m.end() - cue_pos))
            if d < 50 and (best is None or d < best[0]):
                best = (d, lo + m.start(), lo + m.end())
        if best:
            return self.party_at(best[1], best[2], "unknown"), 0.55
        return None, 0.0

    def source_in(self, lo: int, hi: int) -> Party | None:
        """The outlet or document a source cue points at, within [lo, hi)."""
        text = self.part.text
        for cue in self.lex.source_cues.finditer(text, lo, hi):
            after = cue.end()
            limit = min(hi, after + NEAR) if hi > after else after + NEAR
            named = [self.names[i] for i in self._names_at.starting_in(after, limit)]
            if named:
                q = named[0]
                return self.party_at(q.open + 1, q.close, "outlet")
            out = outlets().search(text, after, limit)
            if out:
                return self.party_at(out.start(), out.end(), "outlet")
            orgs = [
                m for m in (self.mentions[i] for i in self._at.starting_in(after, limit)) if m[3] == "ORG"
            ]
            if orgs:
                s, e = orgs[0][0], orgs[0][1]
                noun = self.lex.outlet_nouns.search(text, after, s)
                return self.party_at(
                    s, e, "outlet" if noun or outlets().fullmatch(text[s:e]) else "organisation"
                )
            doc_noun = self.lex.document_nouns.search(text, after, min(limit, after + 30))
            if doc_noun:
                return self.party_at(doc_noun.start(), doc_noun.end(), "document")
        return None

    def context_source(self, pos: int, entity_id: str) -> Party | None:
        """A source named for the same speaker earlier in the paragraph or in the previous one.

        ('Reznikov, in an interview with "The Globe and Mail", said ...' followed by the quote.)
        """
        k = bisect.bisect_right(self._para_starts, pos) - 1
        para = self.part.paragraphs[k] if k >= 0 and pos <= self.part.paragraphs[k].end else None
        if para is None:
            return None
        lo = self.part.paragraphs[para.index - 1].start if para.index > 0 else para.start
        for sent in reversed([self.part.sentences[i] for i in self._sentences.within(lo, pos)]):
            if any(self.mentions[i][2] == entity_id for i in self._at.starting_in(sent.start, sent.end)):
                found = self.source_in(sent.start, sent.end)
                if found:
                    return found
        return None

    def source_for(
        self, windows: list[tuple[int, int]], speaker: Party | None, content: list[tuple[int, int]]
    ) -> Party | None:
        """The outlet or document in the windows around a quote ('told Reuters', 'according to the edition
        "The Globe and Mail"'), not inside what is quoted, else one named for the same speaker just before."""
        for lo, hi in windows:
            found = self.source_in(lo, hi)
            if found is None or any(a <= found.span.start < b for a, b in content):
                continue
            if speaker is None or found.span.start != speaker.span.start:
                return found
        if speaker is not None and speaker.entity_id and windows:
            return self.context_source(windows[0][0], speaker.entity_id)
        return None

    def attribute(self, before: tuple[int, int], after: tuple[int, int]) -> _Attribution:
        text = self.part.text
        cue = self.lex.speech_verbs.search(text, *after) or self.lex.according_to.search(text, *after)
        speaker, conf = None, 0.0
        if cue:
            speaker, conf = self.speaker_in(after[0], after[1], cue.start())
        if speaker is None:
            cues = list(self.lex.speech_verbs.finditer(text, *before)) + list(
                self.lex.according_to.finditer(text, *before)
            )
            if cues:
                cue = max(cues, key=lambda m: m.start())
                speaker, conf = self.speaker_in(before[0], before[1], cue.start())
        source = self.source_in(before[0], before[1]) or self.source_in(after[0], after[1])
        if source is None and speaker is not None and speaker.entity_id:
            source = self.context_source(before[0], speaker.entity_id)
        if speaker is not None and speaker.kind == "outlet":
            source, speaker, conf = source or speaker, None, 0.5
        if speaker is None:
            conf = 0.4 if cue else 0.25
        return _Attribution(speaker, source, cue.group(0) if cue else None, conf)


def _interior(part: Part, q: Quoted) -> tuple[int, int]:
    """A quotation's words: inside the marks, without the writer's closing comma ('"..., we hope," he said')."""
    s, e = q.open + q.width, q.close
    while s < e and part.text[s].isspace():
        s += 1
    while e > s and part.text[e - 1] in " ,\n":
        e -= 1
    return s, e


class _ByEnd:
    """Quotes with a speaker or a source, looked up by end offset (bisection, not a scan per quote)."""

    def __init__(self) -> None:
        self._keys: list[tuple[int, int]] = []  # (end, order added): ties go to the quote added last
        self._quotes: list[Quote] = []

    def add(self, quote: Quote) -> None:
        if quote.speaker or quote.source:
            key = (quote.span.end, len(self._quotes))
            self._quotes.append(quote)
            bisect.insort(self._keys, key)

    def last_ending_by(self, pos: int) -> Quote | None:
        """The quote ending last at or before ``pos``."""
        i = bisect.bisect_right(self._keys, (pos, len(self._quotes)))
        return self._quotes[self._keys[i - 1][1]] if i else None


def _direct_quotes(
    doc: Doc,
    part: Part,
    lex: Lexicon | None,
    quoted: list[Quoted],
    covered: list[tuple[int, int]] | None = None,
    previous: list[Quote] | None = None,
) -> list[Quote]:
    """Quotations found by their marks, except those inside ``covered`` (already attributed by the parse).

    A quotation with no cue nearby continues the speaker of the quote just before it in the same or the
    previous paragraph (a quote that runs on over several sentences or paragraphs).
    """
    names = [q for q in quoted if q.is_name]
    attributor = QuoteAttributor(doc, part, lex, names) if lex else None
    quotes: list[Quote] = []
    covered_at = Intervals(covered or [])
    # Quotes with a speaker or source, by end offset: the one a quote with no cue nearby continues.
    attributed = _ByEnd()
    for x in sorted(previous or [], key=lambda x: x.span.start):
        attributed.add(x)
    for q in quoted:
        if not q.is_utterance:
            continue
        embedded = _embedded(part, q)
        if q.words < MIN_QUOTE_WORDS and embedded:
            continue  # 'called him a "nasty guy,"': scare quotes, not someone's words
        s, e = _interior(part, q)
        near = (covered_at.spans[i] for i in covered_at.overlapping(s - 1, e + 1))
        if any((a <= s and e <= b) or (a < e and s < b and e - s < 2 * (b - a)) for a, b in near):
            continue
        after, before = _window_after(part, q.close), _window_before(part, q.open)
        parsed = cue_sources(part, *after) or cue_sources(part, *before)
        if attributor and parsed:
            cue_span, (ps, pe) = min(
                parsed, key=lambda cs: min(abs(cs[0][0] - q.close), abs(cs[0][0] - q.open))
            )
            speaker, conf = attributor.party_for_source(ps, pe)
            cue_text = part.text[cue_span[0] : cue_span[1]]
            if speaker.kind == "outlet":
                att = _Attribution(None, speaker, cue_text, 0.6)
            else:
                source = attributor.source_for([before, after], speaker, [(s, e)])
                att = _Attribution(speaker, source, cue_text, conf)
        elif attributor:
            att = attributor.attribute(before, after)
        else:
            att = _Attribution(None, None, None, 0.25)
        if q.words < MIN_QUOTE_WORDS and att.cue is None:
            continue  # a short quotation is someone's words only with a cue next to it ('"Never," she said')
        if att.speaker is None and att.source is None and att.cue is None:
            last = attributed.last_ending_by(s)
            if last is not None and _paragraphs_apart(part, last.span.end, s) <= 2:
                att = _Attribution(last.speaker, last.source, None, 0.5)
        who = att.speaker.name if att.speaker else "an unidentified speaker"
        via = f", through {att.source.name}" if att.source else ""
        quotes.append(
            Quote(
                id="",
                type="indirect" if embedded else "direct",
                span=span_of(doc, part.field, s, e),
                speaker=att.speaker,
                source=att.source,
                cue=att.cue,
                confidence=att.confidence,
                explanation=f"Direct quotation attributed to {who}{via}."
                if att.speaker or att.source
                else "Direct quotation with no speaker named nearby.",
            )
        )
        attributed.add(quotes[-1])
    return quotes


_PREVIOUS_WORD = re.compile(r"([^\W_]+)\s*$")


def _embedded(part: Part, q: Quoted) -> bool:
    """Quoted words inside the writer's own clause ('called it "a disaster"', 'that "the talks failed"'): a
    mixed quotation, reported speech in PARC's and PolNeAR's terms. A quotation that opens its sentence or
    follows a colon, a comma or a cue verb ('said "we will win"') is someone's words as they stand."""
    para = part.paragraph_at(q.open)
    head = part.text[para.start if para else 0 : q.open]
    stripped = head.rstrip()
    if not stripped or stripped[-1] in '.!?:,;—–-\n"“”«»„':
        return False
    word = _PREVIOUS_WORD.search(stripped)
    if word is None:
        return False
    lex_cues = cue_forms()
    return word.group(1).lower() not in lex_cues


def _paragraphs_apart(part: Part, a: int, b: int) -> int:
    pa, pb = part.paragraph_at(a, end_inclusive=True), part.paragraph_at(b, end_inclusive=True)
    return abs((pb.index if pb else 0) - (pa.index if pa else 0))


def _relation_quotes(doc: Doc, part: Part, lex: Lexicon, quoted: list[Quoted]) -> list[Quote]:
    """Direct and reported speech from the dependency parse (languages with one: English).

    A content fragment inside a quotation stands for the whole quotation (a quote of several sentences is
    parsed one sentence at a time); a quotation inside a longer content is a mixed quote, reported speech.
    An attribution whose cue lies inside another's content is part of what that one reports ('"They said
    X," he said'), not a quote of its own: PolNeAR and PARC annotate the outer one only.
    """
    attributor = QuoteAttributor(doc, part, lex, [q for q in quoted if q.is_name])
    long_quotes = [(q, *_interior(part, q)) for q in quoted if q.is_utterance]
    # Looked up by position: a scan of every quotation for every relation was quadratic in article length.
    interiors = Intervals([(a, b) for _, a, b in long_quotes])
    outsides = Intervals([(q.open, q.close + q.width) for q, _, _ in long_quotes])
    found: list[tuple[Relation, list[tuple[int, int, bool]]]] = []
    for rel in find_relations(part):
        if interiors.overlapping(rel.cue[0], rel.cue[0] + 1):
            continue  # words inside a quotation ('"I want to know ..."'): the quotation is the attribution
        frags: list[tuple[int, int, bool]] = []
        for s, e in rel.content:
            around = outsides.containing(s, e)
            inside = (long_quotes[around[0]][1], long_quotes[around[0]][2]) if around else None
            if inside is not None and not (inside[0] <= rel.cue[0] < inside[1]):
                frags.append((inside[0], inside[1], True))
            else:
                frags.append((s, e, False))
        frags = sorted(set(frags))
        found.append((rel, frags))
    contents = Intervals([(s, e) for _, frags in found for s, e, _ in frags])
    out: list[Quote] = []
    seen: set[tuple[int, int]] = set()
    for rel, frags in found:
        if contents.containing(rel.cue[0], rel.cue[1]):
            continue
        if rel.source is not None:
            speaker, conf = attributor.party_for_source(*rel.source)
        else:
            speaker, conf = None, 0.4
        source = None
        if speaker is not None and speaker.kind == "outlet":
            source, speaker, conf = speaker, None, 0.6
        else:
            # The relation's own stretch of text (its source, cue and content), widened to the cue's sentence
            # end: 'Reznikov said, according to the paper' but not another relation's words in that sentence.
            edges = [rel.cue[0], rel.cue[1]] + [x for a, b, _ in frags for x in (a, b)]
            if rel.source is not None:
                edges += list(rel.source)
            cue_sent = attributor.sentence_at(rel.cue[0])
            windows = [(min(edges), max(max(edges), cue_sent.end if cue_sent else 0))]
            source = attributor.source_for(windows, speaker, [(a, b) for a, b, _ in frags])
        cue = part.text[rel.cue[0] : rel.cue[1]]
        for s, e, direct in frags:
            if (s, e) in seen or len(WORD.findall(part.text[s:e])) < (2 if direct else 3):
                continue
            seen.add((s, e))
            who = speaker.name if speaker else source.name if source else "an unnamed source"
            out.append(
                Quote(
                    id="",
                    type="direct" if direct else "indirect",
                    span=span_of(doc, part.field, s, e),
                    speaker=speaker,
                    source=source,
                    cue=cue,
                    confidence=round(conf if direct else conf * 0.85, 3),
                    explanation=f"{'Direct quotation' if direct else 'Reported speech'} attributed to {who}.",
                )
            )
    return out


# Translated media's sentence-final attribution: 'CONTENT, - reports RIA Novosti.', 'CONTENT, writes "Izvestia".'
_TRAILING_ATTRIBUTION = re.compile(
    r",\s*(?:[-–—]\s*)?(reports|reported|writes|wrote|says|said|notes|noted|adds|added|claims|claimed|told)\s+"
    r"([^,.!?]{2,80}?)\s*[.!]?$"
)


def _trailing_attributions(doc: Doc, part: Part, lex: Lexicon, quoted: list[Quoted]) -> list[Quote]:
    """'CONTENT, - reports RIA Novosti.': reported speech whose outlet or speaker closes the sentence, the
    word order of translated Russian-language news that the English parse does not read as a clause."""
    attributor = QuoteAttributor(doc, part, lex, [q for q in quoted if q.is_name])
    out = []
    for sent in part.sentences:
        m = _TRAILING_ATTRIBUTION.search(part.text, sent.start, sent.end)
        if m is None or m.end() != sent.end:
            continue
        s, e = sent.start, m.start()
        if len(WORD.findall(part.text[s:e])) < 3:
            continue
        party, conf = attributor.party_for_source(m.start(2), m.end(2))
        if party.kind not in ("outlet", "person", "organisation", "pronoun"):
            continue  # a named speaker or outlet only: 'X, said the official' stays with the parse
        speaker, source = (None, party) if party.kind == "outlet" else (party, None)
        out.append(_reported(doc, part, s, e, speaker, source, m.group(1), conf))
    return out


def _reported(
    doc: Doc, part: Part, s: int, e: int, speaker: Party | None, source: Party | None, cue: str, conf: float
) -> Quote:
    """Reported speech found by the cue-word patterns (less sure than the parse: confidence x 0.85)."""
    who = speaker.name if speaker else source.name if source else "?"
    return Quote(
        id="",
        type="indirect",
        span=span_of(doc, part.field, s, e),
        speaker=speaker,
        source=source,
        cue=cue,
        confidence=round(conf * 0.85, 3),
        explanation=f"Reported speech attributed to {who}.",
    )


def _indirect_quotes(doc: Doc, part: Part, lex: Lexicon, quoted: list[Quoted]) -> list[Quote]:
    """Reported speech: 'X said that ...', 'according to X, ...', 'X заявил, что ...'."""
    attributor = QuoteAttributor(doc, part, lex, [q for q in quoted if q.is_name])
    taken = Intervals([(q.open, q.close) for q in quoted if q.words >= MIN_QUOTE_WORDS])
    text, out = part.text, []
    for sent in part.sentences:
        if taken.overlapping(sent.start, sent.end):
            continue
        found = None
        for cue in lex.speech_verbs.finditer(text, sent.start, sent.end):
            m = _THAT.match(text, cue.end())
            if m and not _NEGATED.search(text, max(sent.start, cue.start() - 20), cue.start()):
                speaker, conf = attributor.speaker_in(sent.start, cue.start(), cue.start())
                if speaker and speaker.span.end >= cue.start() - 25:
                    found = (speaker, conf, cue, m.end())
                    break
        if not found:
            for cue in lex.according_to.finditer(text, sent.start, sent.end):
                comma = text.find(",", cue.end(), sent.end)
                if comma > 0:
                    speaker, conf = attributor.speaker_in(cue.end(), comma, cue.end())
                    if speaker:
                        found = (speaker, conf, cue, comma + 1)
                        break
        content = None
        if not found:
            # Inverted: 'CONTENT, warned the spokeswoman Maria Zakharova.' / '..., заявил Резников.'
            for cue in lex.speech_verbs.finditer(text, sent.start, sent.end):
                if text[max(sent.start, cue.start() - 2) : cue.start()].strip() in (",", ", —", "—", ",—"):
                    speaker, conf = attributor.speaker_in(cue.end(), sent.end, cue.end())
                    if speaker and speaker.kind != "pronoun":
                        found, content = (
                            (speaker, conf, cue, sent.start),
                            text.rfind(",", sent.start, cue.start()),
                        )
                        break
        if not found:
            continue
        speaker, conf, cue, content_start = found
        s, e = content_start, (content if content and content > 0 else sent.end)
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1] in ".!?… ":
            e -= 1
        if len(WORD.findall(text[s:e])) < 3:
            continue
        source = attributor.source_in(sent.start, sent.end)
        if speaker.kind == "outlet":
            source, speaker = source or speaker, None
        out.append(_reported(doc, part, s, e, speaker, source, cue.group(0), conf))
    return out


def _part_quotes(doc: Doc, part: Part, lex: Lexicon | None, quoted: list[Quoted]) -> list[Quote]:
    """The quotes of one part: attribution relations from the parse first (English body), then quotation
    marks and cue-word patterns for what the parse missed; marks and patterns alone elsewhere."""
    if not (lex and part.field == "body" and part.tokens and part.tokens[0].head >= 0):
        return _direct_quotes(doc, part, lex, quoted) + (
            _indirect_quotes(doc, part, lex, quoted) if lex else []
        )
    parsed = _relation_quotes(doc, part, lex, quoted)
    covered = [(q.span.start, q.span.end) for q in parsed]
    found = parsed + _direct_quotes(doc, part, lex, quoted, covered, parsed)
    taken = _Taken([(q.span.start, q.span.end) for q in found])
    # What the parse missed ('CONTENT, warned the spokeswoman X'), from the cue-word patterns.
    for extra in _trailing_attributions(doc, part, lex, quoted) + _indirect_quotes(doc, part, lex, quoted):
        if not taken.overlaps(extra.span.start, extra.span.end):
            found.append(extra)
            taken.add(extra.span.start, extra.span.end)
    return found


class _Taken:
    """Spans already claimed by a quote, growing as quotes are added; overlap tests by bisection."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self._spans = sorted(spans)
        self._longest = max((e - s for s, e in spans), default=0)

    def add(self, start: int, end: int) -> None:
        bisect.insort(self._spans, (start, end))
        self._longest = max(self._longest, end - start)

    def overlaps(self, start: int, end: int) -> bool:
        """Does a span share a character with [start, end)? Only spans starting in the last ``longest``
        characters before ``end`` can."""
        i = bisect.bisect_left(self._spans, (end, -1))
        while i > 0:
            i -= 1
            a, b = self._spans[i]
            if a < start - self._longest:
                return False
            if start < b:
                return True
        return False


def _quote_findings(doc: Doc, quotes: list[Quote]) -> list[Finding]:
    """Each quote, its speaker and its source as highlighted findings (quotes numbered Q1, Q2 … here)."""
    mk_quote, mk_speaker, mk_source = FindingMaker("quote"), FindingMaker("speaker"), FindingMaker("source")
    out: list[Finding] = []
    for n, quote in enumerate(quotes, start=1):
        quote.id = f"Q{n}"
        s = quote.span
        out.append(
            mk_quote(
                doc,
                s.field,
                s.start,
                s.end,
                quote.type,
                quote.confidence,
                quote.explanation,
                quote_id=quote.id,
            )
        )
        if quote.speaker:
            sp = quote.speaker
            out.append(
                mk_speaker(
                    doc,
                    sp.span.field,
                    sp.span.start,
                    sp.span.end,
                    sp.kind,
                    quote.confidence,
                    f"Speaker of quote {quote.id}" + (f" (cue: '{quote.cue}')" if quote.cue else ""),
                    quote_id=quote.id,
                    entity_id=sp.entity_id,
                )
            )
        if quote.source:
            so = quote.source
            out.append(
                mk_source(
                    doc,
                    so.span.field,
                    so.span.start,
                    so.span.end,
                    so.kind,
                    0.8,
                    f"Quote {quote.id} is attributed to this {so.kind}.",
                    quote_id=quote.id,
                )
            )
    return out


def analyze(doc: Doc) -> Section:
    """Direct and indirect quotes with speakers and sources; the ranges of quotation marks, and short quoted
    words (scare quotes), as Doc layers for the analysers after it."""
    section = Section()
    lex = _quote_lexicon(doc.language)
    if lex is None:
        section.notes.append(
            f"Speaker and source cues are available for English, Russian and Ukrainian only; quotes in "
            f"'{doc.language}' are found by their quote marks, without attribution."
        )
    quotes: list[Quote] = []
    scare: list[FieldRange] = []
    ranges: list[FieldRange] = []
    for part in doc.parts:
        quoted = find_quoted(part)
        quotes += _part_quotes(doc, part, lex, quoted)
        for q in quoted:
            if q.words >= MIN_QUOTE_WORDS and not q.is_name:
                ranges.append(FieldRange(part.field, q.open, q.close + q.width))
            elif 0 < q.words < MIN_QUOTE_WORDS and not q.is_name:
                scare.append(FieldRange(part.field, q.open + q.width, q.close))
    quotes.sort(key=lambda q: (q.span.field != "title", q.span.start))
    section.findings += _quote_findings(doc, quotes)
    doc.quote_ranges = ranges
    doc.scare_quotes = scare
    doc.quotes = quotes  # claims take their claimant from here
    section.fields["quotes"] = quotes
    return section


class QuotesAnalyzer(Analyzer):
    name = "quotes"
    requires = ("doc.entities", "doc.entity_mentions")
    provides = ("doc.quotes", "doc.quote_ranges", "doc.scare_quotes", "report.quotes")

    def run(self, doc: Doc, models: ModelRegistry) -> Section:
        return analyze(doc)
