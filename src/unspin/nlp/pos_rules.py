"""The coarse part of speech that spaCy's attribute ruler sets, read from its rules without its Matcher.

Why: in the English pipeline the attribute ruler maps the tagger's fine tags (and some word/tag pairs) to
coarse POS, and sets morphology and lemmas that unspin never reads. Its Matcher tries every one of the 179
rules at every token: about 1 s of CPU per 30,000 words, 12 % of the parse. The rules that set POS test
exact values, ``IN`` or ``NOT_IN`` lists of a token's TAG, LOWER, DEP or IS_SPACE, so most are looked up in
dictionaries instead (0.17 s for the same words) and the few others tried at every position: the same POS for
every token (tests/test_pos_rules.py compares the two on the same parse).

The semantics are the ruler's: every rule is matched against the tagger's and parser's output, then the
matches are applied in rule order, so a later rule's POS wins over an earlier one.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

_TOKEN_ATTRS = ("TAG", "LOWER", "DEP", "IS_SPACE")


class UnsupportedRule(ValueError):
    """A rule tests something other than exact values, ``IN`` or ``NOT_IN`` lists of TAG, LOWER, DEP or
    IS_SPACE."""


def _value(token: Any, attr: str) -> object:
    if attr == "TAG":
        return token.tag_
    if attr == "LOWER":
        return token.lower_
    if attr == "DEP":
        return token.dep_
    return token.is_space


# A token test: attribute -> (values, negated): the token's value must be among the values (NOT_IN: not).
TokenTest = dict[str, tuple[frozenset[object], bool]]


def _token_test(order: int, token: dict[str, Any]) -> TokenTest:
    """A pattern token as a TokenTest (an exact value, an ``IN`` or a ``NOT_IN`` list per attribute)."""
    if not token or not set(token) <= set(_TOKEN_ATTRS):
        raise UnsupportedRule(f"rule {order}: {token!r}")
    test: TokenTest = {}
    for attr, value in token.items():
        if isinstance(value, str | bool):
            test[attr] = (frozenset([value]), False)
        elif (
            isinstance(value, dict)
            and len(value) == 1
            and isinstance(listed := value.get("IN", value.get("NOT_IN")), list)
        ):
            test[attr] = (frozenset(listed), "NOT_IN" in value)
        else:
            raise UnsupportedRule(f"rule {order}: {token!r}")
    return test


@dataclass
class PosRules:
    """POS-setting rules. One-token rules of exact values and IN lists sit in a dictionary per set of tested
    attributes (value tuple -> (rule order, POS)); the others (NOT_IN tests, several tokens) are kept as
    (order, token tests, index of the token they set, POS) and tried at every position."""

    single: dict[tuple[str, ...], dict[tuple[object, ...], tuple[int, str]]] = field(default_factory=dict)
    other: list[tuple[int, list[TokenTest], int, str]] = field(default_factory=list)

    @classmethod
    def from_patterns(cls, patterns: list[dict[str, Any]]) -> PosRules:
        """From ``AttributeRuler.patterns`` (in rule order). Raises UnsupportedRule for anything else."""
        rules = cls()
        for order, rule in enumerate(patterns):
            pos = rule["attrs"].get("POS")
            if pos is None:
                continue
            for pattern in rule["patterns"]:
                tests = [_token_test(order, token) for token in pattern]
                index = rule.get("index", 0)
                if len(tests) == 1 and index in (0, -1) and not any(neg for _, neg in tests[0].values()):
                    attrs = tuple(sorted(tests[0]))
                    for key in itertools.product(*(tests[0][a][0] for a in attrs)):
                        # A later rule with the same test replaces an earlier one, as the ruler applies it later.
                        rules.single.setdefault(attrs, {})[key] = (order, str(pos))
                else:
                    rules.other.append((order, tests, index, str(pos)))
        return rules

    def pos_of(self, doc: Doc) -> list[str]:
        """The POS of each token of ``doc`` ("" where no rule sets one, as the ruler leaves it)."""
        values = {attr: [_value(token, attr) for token in doc] for attr in self._attrs_read}
        best: list[tuple[int, str]] = [(-1, "")] * len(doc)
        for attrs, table in self.single.items():
            for i, key in enumerate(zip(*(values[a] for a in attrs), strict=True)):
                hit = table.get(key)
                if hit is not None and hit[0] > best[i][0]:
                    best[i] = hit
        for order, tests, index, pos in self.other:
            width = len(tests)
            for start in range(len(doc) - width + 1):
                if all(
                    (values[a][start + k] in accepted) != negated
                    for k, test in enumerate(tests)
                    for a, (accepted, negated) in test.items()
                ):
                    target = start + (index if index >= 0 else width + index)
                    if order > best[target][0]:
                        best[target] = (order, pos)
        return [pos for _, pos in best]

    @cached_property
    def _attrs_read(self) -> frozenset[str]:
        """The token attributes the rules test (worked out once, not for every Doc)."""
        single = {a for attrs in self.single for a in attrs}
        return frozenset(single | {a for _, tests, _, _ in self.other for test in tests for a in test})


class PosRulesComponent:
    """A pipeline component that sets ``token.pos_`` by PosRules."""

    def __init__(self) -> None:
        self.rules = PosRules()

    def __call__(self, doc: Doc) -> Doc:
        for token, pos in zip(doc, self.rules.pos_of(doc), strict=True):
            if pos:
                token.pos_ = pos
        return doc


POS_RULES_FACTORY = "unspin_pos_rules"


@Language.factory(POS_RULES_FACTORY)
def make_pos_rules(nlp: Language, name: str) -> PosRulesComponent:
    return PosRulesComponent()


def replace_attribute_ruler(nlp: Language) -> bool:
    """Swap the pipeline's attribute ruler for PosRulesComponent, in place; False (ruler kept) when the
    ruler holds a rule PosRules cannot read."""
    if "attribute_ruler" not in nlp.pipe_names:
        return False
    try:
        ruler: Any = nlp.get_pipe("attribute_ruler")
        rules = PosRules.from_patterns(ruler.patterns)
    except UnsupportedRule:
        return False
    component = nlp.replace_pipe("attribute_ruler", POS_RULES_FACTORY)
    assert isinstance(component, PosRulesComponent)
    component.rules = rules
    return True
