"""Aggregates over `unspin batch` output with DuckDB: the Parquet parts are queried in place, never loaded
whole into Python. Each function returns a Table (column names + rows), written as CSV and charted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from unspin.engines.records import PARTS_DIR
from unspin.errors import UnspinError


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def connect(out_dir: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the view ``articles`` (the analysed rows, with outlet and month filled in)."""
    parts = out_dir / PARTS_DIR
    if not out_dir.is_dir():
        raise UnspinError(str(out_dir), "no such folder (give the --out folder of `unspin batch`)")
    if not any(parts.glob("part-*.parquet")):
        raise UnspinError(str(out_dir), "holds no part files: is it the --out folder of `unspin batch`?")
    con = duckdb.connect()
    glob = str(parts / "part-*.parquet").replace("'", "''")
    con.execute(f"CREATE VIEW rows AS SELECT * FROM read_parquet('{glob}')")
    con.execute(
        """CREATE VIEW articles AS SELECT *,
            coalesce(outlet, '(unknown)') AS outlet_name,
            coalesce(strftime(try_cast(date AS DATE), '%Y-%m'), '(undated)') AS month
        FROM rows WHERE status = 'ok'"""
    )
    return con


def query(con: duckdb.DuckDBPyConnection, sql: str) -> Table:
    result = con.execute(sql)
    return Table([d[0] for d in result.description], result.fetchall())


def overview(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    rows, ok, outlets, first, last = con.execute(
        """SELECT count(*), count(*) FILTER (status = 'ok'), count(DISTINCT outlet),
           min(try_cast(date AS DATE)), max(try_cast(date AS DATE)) FROM rows"""
    ).fetchone() or (0, 0, 0, None, None)
    return {
        "rows": rows,
        "analysed": ok,
        "errors": rows - ok,
        "outlets": outlets,
        "first_date": str(first) if first else None,
        "last_date": str(last) if last else None,
    }


def outlets(con: duckdb.DuckDBPyConnection) -> Table:
    """Per outlet: articles, techniques per article, headline-not-supported and unattributed-claim rates."""
    return query(
        con,
        """SELECT outlet_name AS outlet, count(*) AS articles,
            round(avg(n_techniques), 3) AS techniques_per_article,
            count(headline_verdict) AS headlines_checked,
            count(*) FILTER (headline_verdict = 'not supported') AS headlines_not_supported,
            round(count(*) FILTER (headline_verdict = 'not supported') / nullif(count(headline_verdict), 0), 4)
                AS headline_not_supported_rate,
            sum(n_claims) AS claims, sum(n_unattributed_claims) AS unattributed_claims,
            round(sum(n_unattributed_claims) / nullif(sum(n_claims), 0), 4) AS unattributed_claim_rate,
            sum(n_quotes) AS quotes
        FROM articles GROUP BY ALL ORDER BY articles DESC, outlet""",
    )


def techniques_by(con: duckdb.DuckDBPyConnection, group: str) -> Table:
    """Share of articles of each outlet (group='outlet_name') or month (group='month') using each technique."""
    label = "outlet" if group == "outlet_name" else group
    return query(
        con,
        f"""WITH sizes AS (SELECT {group} AS g, count(*) AS n FROM articles GROUP BY ALL),
        uses AS (SELECT {group} AS g, unnest(techniques) AS technique FROM articles)
        SELECT uses.g AS {label}, technique, count(*) AS articles, sizes.n AS of_articles,
            round(count(*) / sizes.n, 4) AS rate
        FROM uses JOIN sizes USING (g) GROUP BY uses.g, technique, sizes.n ORDER BY {label}, articles DESC, technique""",
    )


def narratives_by(con: duckdb.DuckDBPyConnection, group: str, limit: int = 10) -> Table:
    """The known narratives matched most often, per outlet, language or month."""
    label = "outlet" if group == "outlet_name" else group
    return query(
        con,
        f"""WITH hits AS (
            SELECT {group} AS g, unnest(narratives) AS narrative, unnest(narrative_claims) AS claim
            FROM articles),
        counted AS (
            SELECT g, narrative, any_value(claim) AS claim, count(*) AS articles,
                row_number() OVER (PARTITION BY g ORDER BY count(*) DESC, narrative) AS rank
            FROM hits GROUP BY g, narrative)
        SELECT g AS {label}, narrative, claim, articles FROM counted WHERE rank <= {int(limit)}
        ORDER BY {label}, articles DESC, narrative""",
    )


def _has(con: duckdb.DuckDBPyConnection, column: str) -> bool:
    """Whether the parts carry ``column`` (batch output written before it existed does not)."""
    return column in {r[0] for r in con.execute("DESCRIBE rows").fetchall()}


def storylines_by(con: duckdb.DuckDBPyConnection, group: str) -> Table:
    """Share of articles of each outlet or month that push each SemEval-2025 storyline (at the reporting
    threshold)."""
    label = "outlet" if group == "outlet_name" else group
    if not _has(con, "storylines"):
        return Table([label, "storyline", "articles", "of_articles", "rate"], [])
    return query(
        con,
        f"""WITH sizes AS (SELECT {group} AS g, count(*) AS n FROM articles GROUP BY ALL),
        uses AS (SELECT {group} AS g, unnest(storylines) AS storyline FROM articles)
        SELECT uses.g AS {label}, storyline, count(*) AS articles, sizes.n AS of_articles,
            round(count(*) / sizes.n, 4) AS rate
        FROM uses JOIN sizes USING (g) GROUP BY uses.g, storyline, sizes.n
        ORDER BY {label}, articles DESC, storyline""",
    )


def casting(con: duckdb.DuckDBPyConnection, actors: int = 10) -> Table:
    """How each outlet casts the corpus's most named actors: per (actor, outlet), the articles that cast it as
    protagonist, antagonist or innocent (the entity_roles analyser's main role)."""
    columns = ["actor", "outlet", "articles", "protagonist", "antagonist", "innocent"]
    if not _has(con, "actors"):
        return Table(columns, [])
    return query(
        con,
        f"""WITH cast_rows AS (
            SELECT outlet_name, unnest(actors) AS actor, unnest(actor_roles) AS role FROM articles),
        top AS (SELECT actor FROM cast_rows GROUP BY actor ORDER BY count(*) DESC, actor LIMIT {int(actors)})
        SELECT actor, outlet_name AS outlet, count(*) AS articles,
            count(*) FILTER (role = 'Protagonist') AS protagonist,
            count(*) FILTER (role = 'Antagonist') AS antagonist,
            count(*) FILTER (role = 'Innocent') AS innocent
        FROM cast_rows JOIN top USING (actor) GROUP BY actor, outlet_name ORDER BY actor, articles DESC, outlet""",
    )


def people(con: duckdb.DuckDBPyConnection, column: str, limit: int = 30) -> Table:
    """The most-quoted speakers (column='speakers') or cited sources (column='sources')."""
    name = column.rstrip("s")
    return query(
        con,
        f"""SELECT person AS {name}, count(*) AS articles, count(DISTINCT outlet_name) AS outlets,
            string_agg(DISTINCT outlet_name, '; ' ORDER BY outlet_name) AS outlet_names
        FROM (SELECT unnest({column}) AS person, outlet_name FROM articles)
        GROUP BY person ORDER BY articles DESC, person LIMIT {int(limit)}""",
    )


def errors(con: duckdb.DuckDBPyConnection) -> Table:
    return query(
        con,
        """SELECT error, count(*) AS rows, min(key) AS first_key FROM rows WHERE status <> 'ok'
        GROUP BY error ORDER BY rows DESC, error""",
    )


def flagged(con: duckdb.DuckDBPyConnection, limit: int = 25) -> Table:
    """The articles with the most technique spans: where a reader starts."""
    return query(
        con,
        f"""SELECT key, id, outlet_name AS outlet, date, title, n_techniques, n_unattributed_claims,
            headline_verdict FROM articles ORDER BY n_techniques DESC, n_unattributed_claims DESC, key
        LIMIT {int(limit)}""",
    )
