"""The API's views, one module per group of resources (see annotator/api/urls.py)."""
