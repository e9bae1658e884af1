"""Request bodies of the API (the responses reuse the Report's pydantic models)."""

from __future__ import annotations

from pydantic import BaseModel, Field

LANG = r"^[a-z]{2,3}$"


class AnalyzeIn(BaseModel):
    text: str | None = Field(None, description="The article text (its first line is not taken as a title).")
    title: str | None = Field(None, description="The headline.")
    url: str | None = Field(None, description="Where the article was published (metadata only; not fetched).")
    html: str | None = Field(None, description="The article page's HTML, instead of text.")
    lang: str | None = Field(None, pattern=LANG, description="ISO 639-1 language code; skips detection.")
    sections: list[str] | None = Field(None, description="Run only these analysers (and what they need).")
    split_title: bool = Field(
        False,
        description="Without 'title': take the first line of 'title\\n\\nbody' as the headline (as for files).",
    )


class UrlIn(BaseModel):
    url: str = Field(max_length=8192)
    lang: str | None = Field(None, pattern=LANG)
    sections: list[str] | None = None


class ArticleIn(BaseModel):
    text: str
    id: str | None = None
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    date: str | None = None


class JobIn(BaseModel):
    articles: list[ArticleIn]
    lang: str | None = Field(None, pattern=LANG)
    sections: list[str] | None = None


class StanceIn(BaseModel):
    headline: str
    body: str
    lang: str | None = Field(None, pattern=LANG)


class VerifyIn(BaseModel):
    claim: str
    evidence: str | list[str]


class SideIn(BaseModel):
    """One side of a comparison: its text, its page's HTML, or a URL to fetch (SSRF-safe)."""

    text: str | None = None
    html: str | None = None
    url: str | None = Field(
        None, max_length=8192, description="Fetched (public addresses only) when no text/html."
    )
    title: str | None = None


class CompareIn(BaseModel):
    article: SideIn
    source: SideIn
    lang: str | None = Field(None, pattern=LANG, description="The article's language; skips detection.")
