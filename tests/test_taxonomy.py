"""Both technique taxonomies and the mapping between them."""

from __future__ import annotations

from conftest import FIXTURES
from unspin.datasets.ptc import TECHNIQUES_2020
from unspin.taxonomy import category_of, display_name, techniques_2023, to_2020, to_2023


def test_inventories_match_the_organisers_lists() -> None:
    assert len(techniques_2023()) == 23 and len(set(techniques_2023())) == 23
    assert {category_of(t) for t in techniques_2023()} == {
        "Attack on Reputation",
        "Justification",
        "Distraction",
        "Simplification",
        "Call",
        "Manipulative Wording",
    }


def test_every_ptc_label_maps_and_maps_back() -> None:
    for label in TECHNIQUES_2020:
        targets = to_2023(label)
        assert targets and all(t in techniques_2023() for t in targets)
        assert all(
            to_2020(t) == label for t in targets if t not in ("Appeal_to_Popularity", "Guilt_by_Association")
        )
    assert to_2023("Whataboutism,Straw_Men,Red_Herring") == ["Straw_Man", "Red_Herring", "Whataboutism"]
    assert (
        to_2020("Appeal_to_Popularity") == to_2020("Guilt_by_Association") == "Bandwagon,Reductio_ad_hitlerum"
    )
    assert to_2020("Appeal_to_Hypocrisy") is None  # new in 2023: PTC cannot score it


def test_fixture_labels_are_known() -> None:
    text = (FIXTURES / "ptc-mini" / "ptc-semeval2020-task11" / "dev-task-TC.labels").read_text(
        encoding="utf-8"
    )
    assert all(line.split("\t")[1] in TECHNIQUES_2020 for line in text.splitlines())


def test_labels_read_as_words() -> None:
    assert display_name("Name_Calling,Labeling") == "Name Calling, Labeling"
    assert display_name("Appeal_to_Fear-Prejudice") == "Appeal to Fear-Prejudice"
