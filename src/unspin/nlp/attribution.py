"""Attribution relations from the dependency parse (English): cue, content and source as character spans.

A cue is a verb whose word form is an attribution cue (resources/attribution_cues.json, learnt from PolNeAR
train, plus the speech verbs of the lexicon) with a clause for content:

- 'X said (that) CONTENT' / 'CONTENT, X said' / '"CONTENT," X said': the verb's clausal complement (ccomp);
- 'X promised / urged them / vowed to CONTENT': its open complement (xcomp);
- 'CONTENT, X said, CONTENT': the verb hangs off the content's verb (parataxis), whose clause is the content;
- 'according to X, CONTENT' / 'CONTENT, according to X': the clause the phrase attaches to.

The source is the verb's subject (inherited from the verb it is coordinated with or subordinate to, or the
noun a relative clause 'who said' describes), the agent of a passive, or the object of 'according to'. A
content interrupted by its own cue and source ('"A," she said, "B."') is two fragments.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from unspin import resources
from unspin.nlp.doc import Part, Token

Span = tuple[int, int]
_CONTENT_DEPS = ("ccomp", "xcomp")
_SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
_INHERIT_DEPS = ("conj", "xcomp", "advcl")
_EDGE = set(" \t\n,.;:!?—–-")
_CORE_CUES = {
    "say", "says", "said", "saying", "tell", "tells", "told", "telling", "believe", "believes", "believed",
    "think", "thinks", "thought", "argue", "argues", "argued", "claim", "claims", "claimed", "add", "adds",
    "added", "warn", "warns", "warned", "insist", "insists", "insisted", "know", "knows", "knew", "feel",
    "feels", "felt", "hope", "hopes", "hoped", "expect", "expects", "expected", "fear", "fears", "feared",
    "want", "wants", "wanted", "predict", "predicted", "promise", "promised", "vow", "vowed", "deny",
    "denied", "suggest", "suggested", "acknowledge", "acknowledged", "admit", "admitted", "explain",
    "explained", "note", "noted", "write", "writes", "wrote", "report", "reported", "announce", "announced",
    "ask", "asked", "urge", "urged", "show", "shows", "showed", "found", "find", "finds", "agree", "agreed",
}  # fmt: skip


@cache
def cue_forms() -> frozenset[str]:
    return frozenset(resources.load("attribution_cues")["forms"]) | _CORE_CUES


@dataclass
class Relation:
    """One attribution: content fragments, the cue and the source (character spans in the part)."""

    content: list[Span]
    cue: Span
    source: Span | None
    source_head: int | None  # token index of the source's head word


class _Tree:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.children: list[list[int]] = [[] for _ in tokens]
        for i, t in enumerate(tokens):
            if 0 <= t.head != i:
                self.children[t.head].append(i)

    def subtree(self, i: int) -> list[int]:
        out, stack = [], [i]
        while stack:
            j = stack.pop()
            out.append(j)
            stack.extend(self.children[j])
        return sorted(out)

    def child(self, i: int, deps: tuple[str, ...]) -> int | None:
        return next((c for c in self.children[i] if self.tokens[c].dep in deps), None)


_TREES: dict[int, tuple[list[Token], _Tree]] = {}


def _tree_of(tokens: list[Token]) -> _Tree:
    """The dependency tree of a part's tokens, built once per part (the quotes ask for it per quotation)."""
    hit = _TREES.get(id(tokens))
    if hit is not None and hit[0] is tokens:
        return hit[1]
    if len(_TREES) > 8:
        _TREES.clear()
    tree = _Tree(tokens)
    _TREES[id(tokens)] = (tokens, tree)
    return tree


def _trim(text: str, s: int, e: int) -> Span:
    while s < e and text[s] in _EDGE:
        s += 1
    while e > s and text[e - 1] in _EDGE:
        e -= 1
    return s, e


def _fragments(text: str, tokens: list[Token], content: list[int], gap: list[int]) -> list[Span]:
    """Content tokens as character spans, split around the cue and source when they sit inside."""
    lo, hi = min(content), max(content)
    inside = [i for i in gap if lo < i < hi]
    pieces = [(lo, min(inside) - 1), (max(inside) + 1, hi)] if inside else [(lo, hi)]
    out = []
    for a, b in pieces:
        if a > b:
            continue
        s, e = _trim(text, tokens[a].start, tokens[b].end)
        if e > s:
            out.append((s, e))
    return out


def _source(tree: _Tree, verb: int) -> int | None:
    """The token heading the source of a cue verb."""
    toks = tree.tokens
    seen = set()
    i = verb
    while i not in seen:
        seen.add(i)
        subj = tree.child(i, _SUBJECT_DEPS)
        if (
            subj is not None
            and toks[i].dep == "relcl"
            and toks[subj].text.lower() in ("who", "that", "which")
        ):
            return toks[i].head  # 'Trump, who said ...': the noun the relative clause describes
        if subj is not None and toks[subj].dep == "nsubjpass" and toks[subj].text.lower() in ("it", "this"):
            return None  # 'it is reported that ...': nobody is named
        if subj is not None:
            if toks[subj].dep == "nsubjpass":
                agent = tree.child(i, ("agent",))
                pobj = tree.child(agent, ("pobj",)) if agent is not None else None
                if pobj is not None:
                    return pobj
            return subj
        if toks[i].dep == "relcl":
            return toks[i].head
        if toks[i].dep in _INHERIT_DEPS and toks[i].head != i:
            i = toks[i].head
            continue
        break
    return None


def _span_of(tree: _Tree, head: int, stop: set[int]) -> Span:
    """The source phrase: the head's subtree without a relative clause that contains the cue."""
    idx = [j for j in tree.subtree(head) if j not in stop or j == head]
    contiguous = [j for j in idx if j <= head] + [j for j in idx if j > head]
    s = tree.tokens[min(contiguous)].start
    e = tree.tokens[max(contiguous)].end
    return s, e


_CUE_PREPS = ("to", "for", "about", "of", "on")
# Verbs of evidence and perception take an object that is no one's words ('has shown its true face').
_NO_OBJECT_CONTENT = {
    "show",
    "shows",
    "showed",
    "shown",
    "find",
    "finds",
    "found",
    "see",
    "sees",
    "saw",
    "seen",
}


def c_pobj(tree: _Tree, prep: int) -> int | None:
    return tree.child(prep, ("pobj",))


def find_relations(
    part: Part, first: int = 0, last: int | None = None, object_content: bool = True
) -> list[Relation]:
    """Attribution relations in the part's tokens [first, last) (all of them by default).

    ``object_content``: a cue verb's object or prepositional object is its content when it has no clause
    ('criticized the plan', 'called for a recount'), as PolNeAR annotates it.
    """
    tokens = part.tokens
    if not tokens or tokens[0].head < 0:
        return []
    tree = _tree_of(tokens)
    forms = cue_forms()
    text = part.text
    out: list[Relation] = []
    for i in range(first, last if last is not None else len(tokens)):
        t = tokens[i]
        w = t.text.lower()
        if w == "according" and i + 1 < len(tokens) and tokens[i + 1].text.lower() == "to":
            to = i + 1
            pobj = tree.child(to, ("pobj",))
            head = t.head if t.head != i else None
            if pobj is None or head is None:
                continue
            if tokens[head].text.lower() in forms and _source(tree, head) is not None:
                continue  # '"...," Reznikov said, according to the paper': the paper is the source of that quote
            phrase = set(tree.subtree(i))
            content = [j for j in tree.subtree(head) if j not in phrase and tokens[j].pos != "PUNCT"]
            if not content:
                continue
            frags = _fragments(text, tokens, content, sorted(phrase))
            if frags:
                out.append(Relation(frags, (t.start, tokens[to].end), _span_of(tree, pobj, set()), pobj))
            continue
        if t.pos not in ("VERB", "AUX") or w not in forms:
            continue
        if tree.child(i, ("neg",)) is not None:
            # 'The minister did not say a word about any offensive' is the writer's claim about what someone
            # did not say: reporting it as that person's words would put the claim in their mouth.
            continue
        comp = tree.child(i, _CONTENT_DEPS)
        content_tokens: list[int] = []
        cue_end = t.end
        if comp is not None:
            content_tokens = tree.subtree(comp)
        elif t.dep == "parataxis" and t.head != i:
            own = set(tree.subtree(i))
            content_tokens = [j for j in tree.subtree(t.head) if j not in own]
        elif object_content and w not in _NO_OBJECT_CONTENT:
            # 'called him "a liar"', 'cited the polls', 'questioned the results': the object is the content
            obj = tree.child(i, ("dobj",))
            prep = next(
                (
                    c
                    for c in tree.children[i]
                    if tokens[c].dep == "prep" and tokens[c].text.lower() in _CUE_PREPS
                ),
                None,
            )
            if obj is not None:
                content_tokens = tree.subtree(obj)
                oprd = tree.child(i, ("oprd",))
                if oprd is not None:
                    content_tokens = sorted(content_tokens + tree.subtree(oprd))
            elif prep is not None and c_pobj(tree, prep) is not None and prep == i + 1:
                content_tokens = tree.subtree(c_pobj(tree, prep))  # type: ignore[arg-type]
                cue_end = tokens[prep].end
        if not content_tokens or len([j for j in content_tokens if tokens[j].pos != "PUNCT"]) < 2:
            continue
        src_head = _source(tree, i)
        if src_head is not None and tokens[src_head].text.lower() in ("who", "what") and t.dep != "relcl":
            continue  # 'who really believes these "defenders"?': a question, not an attribution
        gap_deps = ("aux", "neg", "advmod", "prt", "dobj") if comp is not None else ("aux", "neg", "prt")
        gap = [i] + [c for c in tree.children[i] if tokens[c].dep in gap_deps]
        src: Span | None = None
        if src_head is not None:
            stop = set(tree.subtree(i)) if tokens[i].dep == "relcl" else set()
            src = _span_of(tree, src_head, stop)
            gap += [j for j in tree.subtree(src_head) if j not in stop]
        content_tokens = [j for j in content_tokens if j not in gap or j == comp]
        if not content_tokens:
            continue
        frags = _fragments(text, tokens, content_tokens, sorted(set(gap)))
        if frags:
            out.append(Relation(frags, (t.start, cue_end), src, src_head))
    return out


def cue_sources(part: Part, lo: int, hi: int) -> list[tuple[Span, Span]]:
    """(cue, source) pairs of the cue verbs in [lo, hi) that have a subject: the speaker of a quotation
    whose clause the parse did not attach to them ('"...," he said, adding ...')."""
    tokens = part.tokens
    if not tokens or tokens[0].head < 0:
        return []
    tree = _tree_of(tokens)
    forms = cue_forms()
    out = []
    for i, t in enumerate(tokens):
        if lo <= t.start and t.end <= hi and t.pos in ("VERB", "AUX") and t.text.lower() in forms:
            head = _source(tree, i)
            if head is not None and lo <= tokens[head].start < hi:
                stop = set(tree.subtree(i)) if t.dep == "relcl" else set()
                out.append(((t.start, t.end), _span_of(tree, head, stop)))
    return out
