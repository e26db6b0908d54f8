"""labelwatch store: DuckDB file, schema declared with SQLModel, bulk loads, history, queries."""
