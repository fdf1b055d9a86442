"""Search across a project's documents and annotations: PostgreSQL's Russian full-text
search, or SQLite's FTS5 tables (migration 0010) as the embedded fallback."""
