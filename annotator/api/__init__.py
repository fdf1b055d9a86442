"""The REST API (``/api/v1/``): the same data and rules as the pages, for scripts.

Django REST framework over the same services and access rules the pages use (one
service, two front doors): ``access`` decides who sees what (a non-member gets 404, an
annotator only their own annotations), the workspace's services save annotations (quote
check, snapping, audit trail, undo), the importer imports, jobs export.

- ``authentication``: personal API tokens (``Token``/``Bearer``) and sessions with CSRF;
- ``throttling``: a rate per token, and failed token attempts per address;
- ``pagination``: ``page``/``page_size`` or ``limit``/``offset``;
- ``errors``: every error as ``{"detail": ..., "errors": {field: [...]}}``;
- ``serializers``, ``filters``, ``parsers``; ``views``: one module per resource group.
"""
