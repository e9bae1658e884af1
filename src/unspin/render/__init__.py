"""Renderers: one Report, several views (JSON, HTML, terminal text)."""

from unspin.render.html import render_html
from unspin.render.json import render_json
from unspin.render.text import render_text

__all__ = ["render_html", "render_json", "render_text"]
