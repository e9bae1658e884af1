"""Entities: spelling and transliteration variants merge; surnames join full names; tables are data."""

from __future__ import annotations

from conftest import report_for_text
from unspin import resources
from unspin.model import Entity, Report
from unspin.nlp.names import skeleton, transliterate


def by_canonical(r: Report, name: str) -> Entity:
    return next(e for e in r.entities if e.canonical == name)


def test_transliteration_skeleton() -> None:
    assert len({skeleton(n) for n in ("Oleksiy", "Alexei", "Aleksey", "Алексей", "Олексій")}) == 1
    assert skeleton("Zelenskyy") == skeleton("Zelensky") == skeleton("Зеленский")
    assert skeleton("Luhansk") == skeleton("Lugansk")
    assert transliterate("Київ") == "kiyiv"


def test_reznikov_three_spellings_merge_and_flag(example_report: Report) -> None:
    e = by_canonical(example_report, "Oleksii Reznikov")
    assert e.type == "PER" and e.multiple_spellings
    assert set(e.spellings) == {"Oleksiy Reznikov", "Aleksey Reznikov", "Alexei Reznikov"}
    assert {v.text for v in e.variants} >= {
        "Oleksiy Reznikov",
        "Aleksey Reznikov",
        "Alexei Reznikov",
        "Reznikov",
    }
    spelling = [f for f in example_report.findings if f.kind == "spelling"]
    assert len(spelling) == 3 and all(f.attributes["entity_id"] == e.id for f in spelling)


def test_place_and_person_variants_merge() -> None:
    text = (
        "Volodymyr Zelensky visited Kyiv. Vladimir Zelenskyy later left Kiev for Donbas and Donbass, "
        "then Kharkiv, Kharkov, Odesa, Odessa, Luhansk and Lugansk. Zelensky spoke."
    )
    r = report_for_text(text, language="en")
    z = by_canonical(r, "Volodymyr Zelensky")
    assert set(z.spellings) == {"Volodymyr Zelensky", "Vladimir Zelenskyy"} and z.mention_count == 3
    for canon, forms in [
        ("Kyiv", {"Kyiv", "Kiev"}),
        ("Donbas", {"Donbas", "Donbass"}),
        ("Kharkiv", {"Kharkiv", "Kharkov"}),
        ("Odesa", {"Odesa", "Odessa"}),
        ("Luhansk", {"Luhansk", "Lugansk"}),
    ]:
        e = by_canonical(r, canon)
        assert {v.text for v in e.variants} == forms and e.multiple_spellings


def test_surname_only_joins_full_name_and_offsets_slice() -> None:
    text = "Oleksiy Reznikov arrived. Reznikov said little. Later Reznikov left."
    r = report_for_text(text, language="en")
    e = by_canonical(r, "Oleksii Reznikov")
    assert e.mention_count == 3 and not e.multiple_spellings  # a bare surname is not another spelling
    for v in e.variants:
        for m in v.mentions:
            assert text[m.start : m.end] == m.text == v.text


def test_unknown_names_merge_by_first_name_group_and_skeleton() -> None:
    r = report_for_text(
        "Mykola Kovalenko met reporters. Nikolai Kovalenko then left. Kovalenko said nothing.", language="en"
    )
    e = by_canonical(r, "Mykola Kovalenko")
    assert e.multiple_spellings and set(e.spellings) == {"Mykola Kovalenko", "Nikolai Kovalenko"}
    assert e.mention_count == 3


def test_people_sharing_a_surname_stay_apart() -> None:
    r = report_for_text(
        "Vitali Klitschko met his brother Wladimir Klitschko in Kyiv on Monday.", language="en"
    )
    people = sorted(e.canonical for e in r.entities if e.type == "PER")
    assert people == ["Vitali Klitschko", "Wladimir Klitschko"]


def test_russian_case_endings_are_not_spellings(ru_report: Report) -> None:
    e = by_canonical(ru_report, "Oleksii Reznikov")
    assert "Резникова" in {v.text for v in e.variants}
    assert set(e.spellings) == {"Алексей Резников", "Олексій Резніков"}  # Russian and Ukrainian spellings
    assert by_canonical(ru_report, "Kyiv").spellings == ["Киев"]


def test_variant_tables_are_data() -> None:
    data = resources.load("variants")
    assert any(p["canonical"] == "Kyiv" and "Kiev" in p["russian_derived"] for p in data["places"])
    assert "Oleksiy" in data["first_names"]["oleksii"]
