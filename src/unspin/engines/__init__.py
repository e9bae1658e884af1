"""Batch engines: the local process pool and Apache Spark, sharing one per-article function and layout."""
