"""The corpus view of a batch output: aggregates (DuckDB over the Parquet parts), near-duplicate clusters
(MinHash/LSH), and a self-contained HTML dashboard with CSVs."""
