"""Schemathesis fuzzes every operation of the API from its own OpenAPI document.

Requests are generated from the schema (so each is schema-valid) and sent through the WSGI
app, no server. For every answer: no server error, no 400/422 (a schema-valid request
refused means the document is not exact), errors as ``{code, message, details}``, and the
status, content type and body as the document describes them. Run as an administrator and
as an officer, who reach different answers (403 versus 200).

SQLite only: the database-specific faults (integer ranges, NUL characters) are covered on
both databases by tests/web/test_hostile_input.py; this run checks the document itself, and
one core's minute is better spent on more examples than on a second database.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, assume, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.web.conftest import publish

EXAMPLES = 5
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _form_names(body) -> list[str]:
    data = body.get("data") if isinstance(body, dict) else None
    return list(data) if isinstance(data, dict) else []


def _assert_answer(case, response) -> None:
    """A 400, or a 422 naming request fields, refuses what the document said was valid.

    A 422 from a use case (a BPMN with problems, form data its step refuses, a period
    longer than the documented cap) judges what a schema cannot express, and is allowed.
    """
    what = f"{case.method} {case.formatted_path} {case.query} {str(case.body)[:80]}"
    body = response.json() if response.status_code >= 400 else None
    if body is not None:
        assert set(body) == {"code", "message", "details"}, what
    assert response.status_code != 400, f"schema-valid request refused: {what}: {body}"
    refused_fields = response.status_code == 422 and "fields" in (body["details"] or {})
    assert not refused_fields, f"schema-valid request refused: {what}: {body}"


@pytest.mark.parametrize("who", ["admin", "ani"])
def test_every_operation_answers_schema_valid_requests_as_documented(
    app, api_ctx, tokens, db_url, who
):
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite only: see the module's docstring")
    publish(api_ctx)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    headers = {"Authorization": tokens[who]}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 24

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,  # the same examples on every run: a failure is reproducible
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            # OpenAPI 3.0 has no propertyNames: the document says in words that form data
            # names hold no NUL, and the generator cannot read words.
            assume(not any("\x00" in name for name in _form_names(case.body)))
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            _assert_answer(case, response)

        run()
