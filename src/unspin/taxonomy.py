"""The persuasion-technique taxonomies: SemEval-2023 Task 3 (23 techniques, 6 categories) and SemEval-2020
Task 11 / PTC (14 labels), with the mapping between them (resources/techniques.json)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from unspin import resources


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return resources.load("techniques")


def display_name(label: str) -> str:
    """A label of either taxonomy as a reader sees it: 'Name_Calling,Labeling' -> 'Name Calling, Labeling'."""
    return label.replace("_", " ").replace(",", ", ")


def display_names(labels: list[str]) -> str:
    """A span's SemEval-2023 techniques as one name ('Whataboutism / Straw Man / Red Herring')."""
    return " / ".join(map(display_name, labels))


def techniques_2023() -> list[str]:
    """The 23 SemEval-2023 techniques, in the organisers' inventory order of categories."""
    return [t["name"] for t in _data()["techniques"]]


def category_of(technique_2023: str) -> str:
    """SemEval-2023 category of a technique ('Loaded_Language' -> 'Manipulative Wording')."""
    for t in _data()["techniques"]:
        if t["name"] == technique_2023:
            return str(t["category"])
    raise KeyError(technique_2023)


def to_2023(ptc_label: str) -> list[str]:
    """The SemEval-2023 technique(s) a PTC label covers ('Whataboutism,Straw_Men,Red_Herring' -> three)."""
    return list(_data()["ptc2020_to_2023"][ptc_label])


def to_2020(technique_2023: str) -> str | None:
    """The PTC label that scores a SemEval-2023 technique, or None when PTC has no such label."""
    for t in _data()["techniques"]:
        if t["name"] == technique_2023:
            return t["ptc2020"][0] if t["ptc2020"] else None
    raise KeyError(technique_2023)
