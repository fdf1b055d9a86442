"""The export formats, one module each, all written from ``plan.iter_documents``."""
