"""The OpenAPI schema, read statically (issue 18): every operation declares the error body on the error statuses it
can answer, every paginated list its envelope, and every write its request body. The fuzz test
(test_api_fuzz.py) then holds the running API to it."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from partnerhub.core.api.schema import ERROR_COMPONENT

pytestmark = pytest.mark.django_db
ERROR_REF = f"#/components/schemas/{ERROR_COMPONENT}"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method.upper(), operation


def test_every_error_status_of_every_operation_has_the_error_body(schema):
    problems = []
    for path, method, operation in _operations(schema):
        statuses = {int(code) for code in operation["responses"]}
        expected = {400, 405, 503} | ({401, 403, 404} if path.startswith("/api/v1/t/") else set())
        if not expected <= statuses:
            problems.append(f"{method} {path}: missing {sorted(expected - statuses)}")
        for code, response in operation["responses"].items():
            ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
            if int(code) >= 400 and ref != ERROR_REF:
                problems.append(f"{method} {path} {code}: body {ref}")
    assert problems == []
    assert set(schema["components"]["schemas"][ERROR_COMPONENT]["required"]) == {"detail", "code", "extra"}


def test_the_token_endpoint_declares_its_429(schema):
    assert "429" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]


def test_paginated_lists_are_declared_as_the_page_envelope(schema):
    lists = {}
    for path, method, operation in _operations(schema):
        body = operation["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        ref = body.get("$ref", "")
        if method == "GET" and ref.startswith("#/components/schemas/Paginated"):
            page = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
            assert {"count", "next", "previous", "results"} <= set(page["properties"])
            assert "page" in {p["name"] for p in operation.get("parameters", [])}
            lists[path] = "paginated"
    assert {"/api/v1/t/{tenant_slug}/partners/", "/api/v1/t/{tenant_slug}/members/"} <= set(lists)


def test_every_write_declares_its_request_body(schema):
    missing = [
        f"{method} {path}"
        for path, method, operation in _operations(schema)
        if method in ("POST", "PUT", "PATCH") and "requestBody" not in operation
    ]
    assert missing == []


def test_the_schema_is_generated_without_a_warning_or_an_error(tmp_path):
    """drf-spectacular only warns when it cannot read a view (and leaves it out of the schema, so out of the fuzz too)
    or when two serializers share a component name (one of them then documents the other's shape): fail on either."""
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml"))
    assert "/api/v1/t/{tenant_slug}/spend/:" in (tmp_path / "schema.yml").read_text()
