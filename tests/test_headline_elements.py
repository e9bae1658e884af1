"""Headline actors: stated in the body in any word order, inflection or spelling; absent only when they are."""

from __future__ import annotations

from unspin.model import Article, HeadlineElement
from unspin.pipeline import default_pipeline


def _actors(title: str, body: str, language: str) -> list[HeadlineElement]:
    report = default_pipeline().analyze(Article(title=title, body=body), language=language, only=["headline"])
    assert report.headline is not None
    return [e for e in report.headline.elements if e.kind == "actor"]


def test_word_order_possessive_and_of_phrase() -> None:
    actors = _actors(
        "Ukraine's Ministry of Defense asks Canada for armoured vehicles",
        "The Ministry of Defense of Ukraine made an official request to the Government of Canada for the "
        "transfer of armoured vehicles.",
        "en",
    )
    assert actors, "the headline names actors"
    assert all(e.status == "supported" for e in actors), [(e.span.text, e.status) for e in actors]


def test_inflection_in_russian() -> None:
    actors = _actors(
        "Министерство обороны Украины запросило у Канады бронетехнику",
        "Представители Министерства обороны Украины направили в Канаду официальный запрос о передаче "
        "бронетехники.",
        "ru",
    )
    assert actors
    assert all(e.status == "supported" for e in actors), [(e.span.text, e.status) for e in actors]


def test_entity_spelling_variant() -> None:
    actors = _actors(
        "Zelenskyy thanks Canada for armoured vehicles",
        "President Volodymyr Zelensky thanked the Government of Canada for the armoured vehicles on Monday.",
        "en",
    )
    zelensky = [e for e in actors if "Zelensk" in e.span.text]
    assert zelensky and zelensky[0].status == "supported"


def test_an_actor_the_body_never_names_is_absent() -> None:
    actors = _actors(
        "Poland's Ministry of Defense asks Canada for armoured vehicles",
        "The Ministry of Defense of Ukraine made an official request to the Government of Canada for the "
        "transfer of armoured vehicles.",
        "en",
    )
    poland = [e for e in actors if "Poland" in e.span.text]
    assert poland and poland[0].status == "absent"
