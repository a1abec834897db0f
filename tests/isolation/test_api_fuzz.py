"""The API schema tells the truth, fuzzed (issue 18): schemathesis generates requests from our own OpenAPI schema for
every operation, as a manager and as a partner user of a throwaway program, and every answer must be no server
error and conform to the schema (status declared, content type, body, headers).

Bounded and repeatable: a fixed seed (hypothesis ``derandomize``), a few valid and a few invalid examples per
operation, no shrinking, in-process through the WSGI application (no server, the test's own database transaction).
The object ids in the paths are the program's own objects, so that the bodies reach the code behind the 404.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partnerhub.core.models import Role
from tests.isolation.world import build_world, own_object_id

pytestmark = pytest.mark.django_db
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 3, GenerationMode.NEGATIVE: 2}


@contextmanager
def _connection_kept():
    """As Django's test client does: a request must not close the connection that holds the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _fuzz(role: str) -> tuple[int, list[str]]:
    world = build_world()  # tenant "alpha" is the throwaway program; its objects fill the path parameters
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    headers = {"Authorization": f"Token {world.tokens[role]}"}
    calls, failures = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        path_parameters: dict[str, Any] = {
            p.name: own_object_id(world, p.name) for p in operation.path_parameters if p.name != "kind"
        }
        for mode, examples in EXAMPLES.items():

            @settings(
                max_examples=examples,
                derandomize=True,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
            def run(case: Any) -> None:
                nonlocal calls
                calls += 1
                response = case.call(headers=headers)
                try:
                    case.validate_response(response, checks=CHECKS)
                except Exception as exc:  # a check failed: keep going, report them all
                    failures.append(f"{role} {case.operation.label}: {str(exc).splitlines()[0:6]}"[:600])

            try:
                run()
            except Unsatisfiable:  # nothing to make invalid (e.g. no parameter but the fixed path): no case
                continue
    return calls, failures


@pytest.mark.parametrize("role", [Role.MANAGER, Role.PARTNER])
def test_every_operation_answers_within_its_schema_and_never_a_server_error(role, record_property):
    with _connection_kept():
        calls, failures = _fuzz(role)
    record_property("fuzz_calls", calls)
    assert failures == []
    assert calls > 100
