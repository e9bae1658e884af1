"""`unspin corpus report`: aggregates, clusters, per-article reports, CSVs and the dashboard of a batch."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from unspin.corpus import aggregate
from unspin.corpus.aggregate import Table
from unspin.corpus.clusters import Doc, build_clusters, link
from unspin.corpus.dashboard import render_dashboard

TEXT_SQL = """SELECT key, json_extract_string(report_json, '$.body') FROM articles
    ORDER BY chunk, split_part(key, ':', 1)::INT, input_row"""


def cluster_corpus(
    con: Any, threshold: float, spark: Any = None, out_dir: Path | None = None
) -> list[dict[str, Any]]:
    """Near-duplicate clusters of the analysed articles: streamed from DuckDB in input order, or on Spark."""

    def texts() -> Any:
        result = con.execute(TEXT_SQL)
        while batch := result.fetchmany(1000):
            yield from ((key, text or "") for key, text in batch)

    if spark is not None and out_dir is not None:
        from unspin.corpus.spark_clusters import spark_link

        groups = spark_link(spark, out_dir, threshold)
    else:
        groups = link(texts(), threshold=threshold)
    members = [key for group in groups for key in group]
    docs: dict[str, Doc] = {}
    if members:
        con.execute("CREATE OR REPLACE TEMP TABLE wanted (key VARCHAR)")
        con.executemany("INSERT INTO wanted VALUES (?)", [(k,) for k in members])
        rows = con.execute(
            """SELECT key, id, outlet, date, title, json_extract_string(report_json, '$.body')
            FROM articles JOIN wanted USING (key)"""
        ).fetchall()
        docs = {r[0]: Doc(r[0], r[1], r[2], r[3], r[4], r[5] or "") for r in rows}
    out = []
    for number, cluster in enumerate(build_clusters(docs, groups), start=1):
        changes: list[dict[str, Any] | None] = [None, *cluster.changes]
        out.append(
            {
                "cluster": number,
                "members": [
                    {
                        "key": d.key,
                        "id": d.id,
                        "outlet": d.outlet,
                        "date": d.date,
                        "title": d.title,
                        "changes": c,
                    }
                    for d, c in zip(cluster.members, changes, strict=True)
                ],
            }
        )
    return out


def clusters_table(clusters: list[dict[str, Any]]) -> Table:
    columns = [
        "cluster", "key", "id", "outlet", "date", "earliest", "similarity_to_earliest",
        "sentences_added", "sentences_removed", "names_added", "names_removed",
    ]  # fmt: skip
    rows = []
    for c in clusters:
        for m in c["members"]:
            ch = m["changes"]
            rows.append(
                (
                    c["cluster"], m["key"], m["id"], m["outlet"], m["date"], ch is None,
                    ch["similarity"] if ch else 1.0,
                    len(ch["sentences_added"]) if ch else 0, len(ch["sentences_removed"]) if ch else 0,
                    "; ".join(ch["names_added"]) if ch else "", "; ".join(ch["names_removed"]) if ch else "",
                )
            )  # fmt: skip
    return Table(columns, rows)


def write_csv(path: Path, table: Table) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(table.columns)
        writer.writerows(table.rows)


def write_article_reports(con: Any, keys: set[str], folder: Path) -> dict[str, str]:
    """The HTML report of each article named in ``keys``; returns key -> file name inside ``folder``."""
    from unspin.model import Report
    from unspin.render import render_html

    folder.mkdir(parents=True, exist_ok=True)
    if not keys:
        return {}
    con.execute("CREATE OR REPLACE TEMP TABLE linked (key VARCHAR)")
    con.executemany("INSERT INTO linked VALUES (?)", [(k,) for k in sorted(keys)])
    result = con.execute("SELECT key, report_json FROM articles JOIN linked USING (key)")
    names = {}
    while batch := result.fetchmany(100):
        for key, report_json in batch:
            name = f"{key.replace(':', '-')}.html"
            (folder / name).write_text(render_html(Report.model_validate_json(report_json)), encoding="utf-8")
            names[key] = name
    return names


def build_report(
    out_dir: Path,
    html: Path,
    *,
    csv_dir: Path | None = None,
    threshold: float = 0.5,
    spark_master: str | None = None,
) -> dict[str, Any]:
    """Write the dashboard to ``html``, the tables as CSV into ``csv_dir`` (default: <html stem>_csv next to it)
    and the linked per-article reports into <html stem>_reports; returns a summary of what was written.
    ``spark_master`` (e.g. local[4] or spark://host:7077) runs the clustering on Spark."""
    con = aggregate.connect(out_dir)
    overview = aggregate.overview(con)
    tables: dict[str, Table] = {
        "outlets": aggregate.outlets(con),
        "techniques_by_outlet": aggregate.techniques_by(con, "outlet_name"),
        "techniques_by_month": aggregate.techniques_by(con, "month"),
        "narratives_by_outlet": aggregate.narratives_by(con, "outlet_name"),
        "narratives_by_language": aggregate.narratives_by(con, "language"),
        "narratives_by_month": aggregate.narratives_by(con, "month"),
        "storylines_by_outlet": aggregate.storylines_by(con, "outlet_name"),
        "storylines_by_month": aggregate.storylines_by(con, "month"),
        "casting_by_outlet": aggregate.casting(con),
        "speakers": aggregate.people(con, "speakers"),
        "sources": aggregate.people(con, "sources"),
        "errors": aggregate.errors(con),
        "flagged": aggregate.flagged(con),
    }
    if spark_master:
        from unspin.engines.spark import spark_context

        with spark_context(spark_master, 1, app="unspin corpus report") as spark:
            clusters = cluster_corpus(con, threshold, spark, out_dir)
    else:
        clusters = cluster_corpus(con, threshold)
    tables["clusters"] = clusters_table(clusters)

    html.parent.mkdir(parents=True, exist_ok=True)
    csv_dir = csv_dir or html.parent / f"{html.stem}_csv"
    csv_dir.mkdir(parents=True, exist_ok=True)
    csv_links = {}
    for name, table in tables.items():
        write_csv(csv_dir / f"{name}.csv", table)
        csv_links[name] = os.path.relpath(csv_dir / f"{name}.csv", html.parent)
    reports_dir = html.parent / f"{html.stem}_reports"
    linked = {str(k) for k, *_ in tables["flagged"].rows} | {m["key"] for c in clusters for m in c["members"]}
    names = write_article_reports(con, linked, reports_dir)
    links = {key: f"{reports_dir.name}/{name}" for key, name in names.items()}
    page = render_dashboard(
        overview=overview,
        tables=tables,
        clusters=clusters,
        links=links,
        csv_links=csv_links,
        threshold=threshold,
        source=str(out_dir),
    )
    html.write_text(page, encoding="utf-8")
    (csv_dir / "overview.json").write_text(json.dumps(overview, indent=2), encoding="utf-8")
    return {
        "html": str(html),
        "csv_dir": str(csv_dir),
        "reports": len(names),
        "clusters": len(clusters),
        **overview,
    }
