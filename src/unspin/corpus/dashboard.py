"""The corpus dashboard: one self-contained HTML file (Plotly's JS inlined from the plotly package, the
data as an inline JSON block), charts first, then tables linking to the per-article reports."""

from __future__ import annotations

import json
import re
from html import escape
from importlib.resources import files
from typing import Any

from unspin.corpus.aggregate import Table


def plotly_js() -> str:
    """plotly.min.js as shipped inside the plotly wheel (no CDN, no network)."""
    return (files("plotly") / "package_data" / "plotly.min.js").read_text(encoding="utf-8")


def _script_json(data: Any) -> str:
    # Inside <script> only "</" can end the block early; JSON allows "<\/" for it.
    return json.dumps(data, ensure_ascii=False, default=str).replace("</", "<\\/")


def html_table(table: Table, links: dict[str, str] | None = None, limit: int = 200) -> str:
    """A table, escaped; a 'key' column links to the article's report when ``links`` has it."""
    if not table.rows:
        return '<p class="empty">Nothing to show.</p>'
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = []
    for row in table.rows[:limit]:
        cells = []
        for column, value in zip(table.columns, row, strict=True):
            text = "" if value is None else escape(str(value))
            if column == "key" and links and str(value) in links:
                text = f'<a href="{escape(links[str(value)])}">{text}</a>'
            cells.append(f"<td>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    more = (
        f'<p class="more">{len(table.rows) - limit} more rows in the CSV.</p>'
        if len(table.rows) > limit
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def clusters_html(clusters: list[dict[str, Any]], links: dict[str, str], limit: int = 50) -> str:
    if not clusters:
        return '<p class="empty">No near-duplicate clusters at this threshold.</p>'
    out = []
    for c in clusters[:limit]:
        rows = []
        for m in c["members"]:
            link = links.get(m["key"])
            name = escape(m["title"] or m["id"])
            title = f'<a href="{escape(link)}">{name}</a>' if link else name
            change = m.get("changes")
            detail = ""
            if change:
                parts = [f"similarity {change['similarity']}"]
                for label, k in (("+", "sentences_added"), ("−", "sentences_removed")):
                    parts += [f"<span class='diff'>{label} {escape(s)}</span>" for s in change[k][:5]]
                if change["names_added"] or change["names_removed"]:
                    parts.append(
                        f"names +[{escape(', '.join(change['names_added']))}] "
                        f"−[{escape(', '.join(change['names_removed']))}]"
                    )
                detail = "<br>".join(parts)
            else:
                detail = "<b>earliest</b>"
            rows.append(
                f"<tr><td>{escape(m['date'] or '')}</td><td>{escape(m['outlet'] or '')}</td>"
                f"<td>{title}</td><td>{detail}</td></tr>"
            )
        out.append(
            f"<details open><summary>Cluster {c['cluster']}: {len(c['members'])} articles, first "
            f"{escape(c['members'][0]['outlet'] or '?')} {escape(c['members'][0]['date'] or '')}</summary>"
            f"<table><thead><tr><th>date</th><th>outlet</th><th>article</th><th>how it changed</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></details>"
        )
    return "".join(out)


_MARKER = re.compile(r"__[A-Z_]+__")
_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>unspin corpus report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1em 2em;color:#222}
h1{margin-bottom:.2em} .sub{color:#666;margin-top:0} .cards{display:flex;gap:1em;flex-wrap:wrap}
.card{background:#f4f6f8;border-radius:8px;padding:.6em 1em;min-width:8em}.card b{font-size:1.6em;display:block}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1em}.chart{min-height:360px;border:1px solid #eee;border-radius:8px}
.wide{grid-column:1/3} table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:13px}
th,td{border-bottom:1px solid #e4e4e4;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#fafafa} .diff{color:#555} details{margin:.6em 0} summary{cursor:pointer;font-weight:600}
.empty{color:#888} .csv{font-size:13px;color:#555}
</style></head><body>
<h1>unspin corpus report</h1>
<p class="sub">__SUBTITLE__</p>
<div class="cards">__CARDS__</div>
<h2>Charts</h2>
<div class="grid">
<div id="chart-techniques-outlet" class="chart wide"></div>
<div id="chart-techniques-month" class="chart wide"></div>
<div id="chart-headline" class="chart"></div>
<div id="chart-unattributed" class="chart"></div>
<div id="chart-speakers" class="chart"></div>
<div id="chart-sources" class="chart"></div>
<div id="chart-narratives" class="chart wide"></div>
</div>
<h2>Near-duplicate clusters</h2>
<p>Articles that copy or lightly rewrite each other (MinHash estimate of word 3-shingle Jaccard ≥ __THRESHOLD__);
the earliest first, each copy with what it added and removed.</p>
__CLUSTERS__
<h2>Articles to read first</h2>__FLAGGED__
<h2>Outlets</h2>__OUTLETS__
<h2>Known narratives by language</h2>__NARR_LANG__
<h2>Known narratives by month</h2>__NARR_MONTH__
<h2>Storylines by outlet (SemEval-2025 narratives)</h2>__STORY_OUTLET__
<h2>Storylines by month</h2>__STORY_MONTH__
<h2>How each outlet casts the most named actors</h2>__CASTING__
<h2>Rows that could not be analysed</h2>__ERRORS__
<p class="csv">The same numbers as CSV: __CSV__</p>
<script type="application/json" id="corpus-data">__DATA__</script>
<script>__PLOTLY__</script>
<script>
(function () {
  var d = JSON.parse(document.getElementById("corpus-data").textContent);
  var cfg = {displaylogo: false, responsive: true};
  function lay(title, extra) {
    var l = {title: {text: title}, margin: {l: 160, r: 20, t: 50, b: 80}};
    for (var k in extra) l[k] = extra[k];
    return l;
  }
  function col(rows, k) { return rows.map(function (r) { return r[k]; }); }
  var plots = [];
  var outlets = d.outlets.map(function (r) { return r.outlet; });
  var techs = [];
  d.techniques_by_outlet.forEach(function (r) { if (techs.indexOf(r.technique) < 0) techs.push(r.technique); });
  var z = techs.map(function (t) {
    return outlets.map(function (o) {
      var hit = d.techniques_by_outlet.filter(function (r) { return r.outlet === o && r.technique === t; })[0];
      return hit ? hit.rate : 0;
    });
  });
  plots.push(Plotly.newPlot("chart-techniques-outlet", [{type: "heatmap", x: outlets, y: techs, z: z,
    colorscale: "Reds", hovertemplate: "%{y} in %{x}: %{z:.0%} of articles<extra></extra>"}],
    lay("Share of each outlet's articles using a technique", {height: Math.max(360, 22 * techs.length + 140)}), cfg));
  var top = d.top_techniques;
  plots.push(Plotly.newPlot("chart-techniques-month", top.map(function (t) {
    var rows = d.techniques_by_month.filter(function (r) { return r.technique === t; });
    return {type: "scatter", mode: "lines+markers", name: t, x: col(rows, "month"), y: col(rows, "rate")};
  }), lay("Technique use over time (share of the month's articles)", {yaxis: {tickformat: ".0%"}}), cfg));
  plots.push(Plotly.newPlot("chart-headline", [{type: "bar", x: outlets,
    y: col(d.outlets, "headline_not_supported_rate"), marker: {color: "#c0392b"}}],
    lay("Headlines the body does not support", {yaxis: {tickformat: ".0%"}}), cfg));
  plots.push(Plotly.newPlot("chart-unattributed", [{type: "bar", x: outlets,
    y: col(d.outlets, "unattributed_claim_rate"), marker: {color: "#8e44ad"}}],
    lay("Check-worthy claims with no named source", {yaxis: {tickformat: ".0%"}}), cfg));
  plots.push(Plotly.newPlot("chart-speakers", [{type: "bar", orientation: "h",
    y: col(d.speakers, "speaker").reverse(), x: col(d.speakers, "articles").reverse()}],
    lay("Most-quoted speakers (articles)", {}), cfg));
  plots.push(Plotly.newPlot("chart-sources", [{type: "bar", orientation: "h",
    y: col(d.sources, "source").reverse(), x: col(d.sources, "articles").reverse(), marker: {color: "#16a085"}}],
    lay("Most-cited sources (articles)", {}), cfg));
  var narr = [];
  d.narratives_by_outlet.forEach(function (r) { if (narr.indexOf(r.narrative) < 0) narr.push(r.narrative); });
  plots.push(Plotly.newPlot("chart-narratives", narr.map(function (n) {
    var rows = d.narratives_by_outlet.filter(function (r) { return r.narrative === n; });
    return {type: "bar", name: (rows[0].claim || n).slice(0, 60), x: col(rows, "outlet"), y: col(rows, "articles")};
  }), lay(narr.length ? "Known narratives by outlet (articles)" : "Known narratives by outlet: none matched",
    {barmode: "stack"}), cfg));
  Promise.all(plots).then(function () { document.body.setAttribute("data-charts", String(plots.length)); });
})();
</script>
</body></html>
"""


def render_dashboard(
    *,
    overview: dict[str, Any],
    tables: dict[str, Table],
    clusters: list[dict[str, Any]],
    links: dict[str, str],
    csv_links: dict[str, str],
    threshold: float,
    source: str,
) -> str:
    data: dict[str, Any] = {
        name: tables[name].records()
        for name in (
            "outlets",
            "techniques_by_outlet",
            "techniques_by_month",
            "speakers",
            "sources",
            "narratives_by_outlet",
        )
    }
    totals: dict[str, int] = {}
    for r in data["techniques_by_outlet"]:
        totals[r["technique"]] = totals.get(r["technique"], 0) + r["articles"]
    data["top_techniques"] = sorted(totals, key=lambda t: (-totals[t], t))[:6]
    cards = [
        ("articles analysed", overview["analysed"]),
        ("error rows", overview["errors"]),
        ("outlets", overview["outlets"]),
        ("near-duplicate clusters", len(clusters)),
        ("first date", overview["first_date"] or "—"),
        ("last date", overview["last_date"] or "—"),
    ]
    replacements = {
        "__SUBTITLE__": escape(f"From {source}"),
        "__CARDS__": "".join(f'<div class="card"><b>{escape(str(v))}</b>{escape(k)}</div>' for k, v in cards),
        "__THRESHOLD__": f"{threshold:g}",
        "__CLUSTERS__": clusters_html(clusters, links),
        "__FLAGGED__": html_table(tables["flagged"], links),
        "__OUTLETS__": html_table(tables["outlets"]),
        "__NARR_LANG__": html_table(tables["narratives_by_language"]),
        "__NARR_MONTH__": html_table(tables["narratives_by_month"]),
        "__STORY_OUTLET__": html_table(tables["storylines_by_outlet"])
        if "storylines_by_outlet" in tables
        else "",
        "__STORY_MONTH__": html_table(tables["storylines_by_month"])
        if "storylines_by_month" in tables
        else "",
        "__CASTING__": html_table(tables["casting_by_outlet"]) if "casting_by_outlet" in tables else "",
        "__ERRORS__": html_table(tables["errors"]),
        "__CSV__": " · ".join(
            f'<a href="{escape(href)}">{escape(name)}</a>' for name, href in csv_links.items()
        ),
        "__DATA__": _script_json(data),
        "__PLOTLY__": plotly_js().replace("</script", "<\\/script"),
    }
    # One pass over the template: text put in (titles, the library) is never searched for markers again.
    return _MARKER.sub(lambda m: replacements[m.group(0)], _PAGE)
