"""The OpenAPI schema: generated without a warning, valid against the OpenAPI 3 schema,
naming every contract path; its documentation pages use the app's own static files."""

from __future__ import annotations

from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = [
    "/api/v1/projects/",
    "/api/v1/projects/{slug}/documents/",
    "/api/v1/projects/{slug}/annotations/",
    "/api/v1/projects/{slug}/predictions/",
    "/api/v1/projects/{slug}/gold/",
    "/api/v1/projects/{slug}/agreement/",
    "/api/v1/projects/{slug}/profiles/",
    "/api/v1/projects/{slug}/exports/",
    "/api/v1/jobs/{job_id}/",
]


def test_the_schema_is_valid_and_generated_without_warnings(tmp_path):
    """drf-spectacular's validation: the schema against the OpenAPI 3.0 JSON schema."""
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    assert schema["openapi"].startswith("3.")
    assert set(CONTRACT_PATHS) <= set(schema["paths"])
    annotation = schema["components"]["schemas"]["Annotation"]["properties"]
    assert list(annotation) == [
        "id", "document", "label", "start", "end", "quote", "note", "created_at", "updated_at",
        "holder_kind", "holder", "cue_start", "cue_end",
    ]  # fmt: skip
    listing = schema["paths"]["/api/v1/projects/{slug}/annotations/"]["get"]
    parameters = {p["name"] for p in listing["parameters"]}
    assert {"page", "page_size", "limit", "offset", "updated_since", "label"} <= parameters
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


def test_the_schema_is_served_and_the_docs_use_local_static_files():
    client = Client()
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert "/api/v1/projects/{slug}/annotations/" in yaml.safe_load(schema.content)["paths"]
    for page in ("/api/docs/", "/api/redoc/"):
        html = client.get(page).content.decode()
        assert "/static/drf_spectacular_sidecar/" in html
        assert "https://" not in html, "a CDN or font link"
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")


def test_the_docs_pages_allow_only_their_own_scripts():
    response = Client().get("/api/docs/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]


def test_schema_is_written_by_the_command_as_json_too():
    out = StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    assert '"/api/v1/jobs/{job_id}/"' in out.getvalue()
