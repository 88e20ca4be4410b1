"""Hostile BPMN sent to POST /api/sops: refused with a 4xx naming what is wrong, nothing stored."""

import pytest
from sqlalchemy import func, select

from storage.models import Event, Sop, SopVersion
from tests.factories.bpmn import HEADER, SopSpec, Step, build, flow, gateway
from web.usecases.context import Context

MAX_BPMN_BYTES = 2 * 1024 * 1024  # the default of ALUR_MAX_BPMN_BYTES


def _doctype(dtd: str, body: str) -> bytes:
    return (
        build()
        .replace(HEADER.encode(), _with_doctype(dtd).encode())
        .replace(b'name="SOP Uji"', f'name="{body}"'.encode())
    )


def _with_doctype(dtd: str) -> str:
    declaration, rest = HEADER.split("\n", 1)
    return f"{declaration}\n<!DOCTYPE bpmn:definitions [{dtd}]>\n{rest}"


def _decision(condition: str) -> bytes:
    """An SOP whose only decision branches on ``condition``."""
    return build(
        SopSpec(
            steps=[Step("terima"), Step("setujui", lane="kepala"), Step("tolak")],
            chain=False,
            extra=(
                '<bpmn:startEvent id="mulai"/><bpmn:endEvent id="selesai"/>'
                + gateway("cek", default="f_tolak")
                + flow("mulai", "terima")
                + flow("terima", "cek")
                + flow("cek", "setujui", condition, flow_id="f_setuju")
                + flow("cek", "tolak", flow_id="f_tolak")
                + flow("setujui", "selesai")
                + flow("tolak", "selesai")
            ),
        )
    )


def _with_extra(extra: str) -> bytes:
    return build(SopSpec(extra=extra))


BILLION_LAUGHS = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">' for n in range(1, 10)
)

# name -> (body, status, problem code, element id the problem must name or None)
HOSTILE = {
    "external_entity": (
        _doctype('<!ENTITY xxe SYSTEM "file:///etc/passwd">', "&xxe;"),
        422,
        "doctype_refused",
        None,
    ),
    "external_dtd": (
        build().replace(b"?>\n", b'?>\n<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd">\n', 1),
        422,
        "doctype_refused",
        None,
    ),
    "billion_laughs": (_doctype(BILLION_LAUGHS, "&lol9;"), 422, "doctype_refused", None),
    "ten_megabytes": (
        build().replace(b"SOP Uji", b"x" * (10 * 1024 * 1024)),
        413,
        "file_too_large",
        None,
    ),
    "just_over_the_limit": (
        build().replace(b"SOP Uji", b"x" * MAX_BPMN_BYTES),
        413,
        "file_too_large",
        None,
    ),
    "import_in_condition": (
        _decision("__import__('os').system('id') == 0"),
        422,
        "condition_invalid",
        "f_setuju",
    ),
    "dunder_walk_in_condition": (
        _decision("().__class__.__base__.__subclasses__() != []"),
        422,
        "condition_invalid",
        "f_setuju",
    ),
    "lambda_in_condition": (
        _decision("(lambda: True)()"),
        422,
        "condition_invalid",
        "f_setuju",
    ),
    "reserved_id_start": (
        build(SopSpec(steps=[Step("Start"), Step("periksa")])),
        422,
        "reserved_id",
        "Start",
    ),
    "link_events": (
        build(
            SopSpec(
                steps=[Step("terima"), Step("periksa", chained=False)],
                extra=(
                    '<bpmn:intermediateThrowEvent id="ke_b">'
                    '<bpmn:linkEventDefinition name="B"/></bpmn:intermediateThrowEvent>'
                    '<bpmn:intermediateCatchEvent id="dari_a">'
                    '<bpmn:linkEventDefinition name="B"/></bpmn:intermediateCatchEvent>'
                    + flow("dari_a", "periksa")
                ),
            )
        ),
        422,
        "unsupported_event",
        "ke_b",
    ),
    "script_task_when_disabled": (
        _with_extra(
            '<bpmn:scriptTask id="skrip" name="Skrip"><bpmn:script>import os</bpmn:script>'
            "</bpmn:scriptTask>"
        ),
        422,
        "script_disabled",
        "skrip",
    ),
    "xinclude": (
        _with_extra(
            '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" '
            'parse="text"/>'
        ),
        422,
        "unsupported_element",
        None,
    ),
    "not_xml": (b"PK\x03\x04 this is a zip file, not BPMN", 422, "malformed_xml", None),
    "not_bpmn": (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        422,
        "not_bpmn",
        None,
    ),
    "not_utf8": (
        build().replace(b"SOP Uji", "SOP Uji \u00e9".encode("latin-1")),
        422,
        "encoding",
        None,
    ),
    "empty_body": (b"", 422, "empty_file", None),
    "whitespace_only": (b" \n\t ", 422, "empty_file", None),
}


@pytest.fixture
def analyst(tokens) -> dict[str, str]:
    return {"Authorization": tokens["eka"]}


def _counts(ctx: Context) -> dict[str, int]:
    with ctx.transaction() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Sop, SopVersion, Event)
        }


def _assert_refused(response, status: int, code: str, element_id: str | None) -> None:
    assert response.status_code == status, response.json
    assert response.is_json
    body = response.json
    refused = {"file_missing": "bpmn_file_missing", "empty_file": "bpmn_missing"}
    expected = "bpmn_too_large" if status == 413 else refused.get(code, "bpmn_refused")
    assert body["code"] in (expected, "bpmn_refused"), body
    assert body["message"]
    problems = body["details"]["problems"]
    assert code in [p["code"] for p in problems], problems
    assert all(p["message"] for p in problems)
    if element_id is not None:
        assert element_id in [p["element_id"] for p in problems], problems


@pytest.mark.parametrize(("body", "status", "code", "element_id"), HOSTILE.values(), ids=HOSTILE)
def test_hostile_raw_upload_is_refused_and_nothing_is_stored(
    client, analyst, api_ctx, body, status, code, element_id
):
    before = _counts(api_ctx)

    response = client.post("/api/sops", data=body, headers=analyst, content_type="application/xml")

    _assert_refused(response, status, code, element_id)
    assert _counts(api_ctx) == before


def _multipart(data: bytes, field: str = "file") -> dict:
    """A multipart body built by hand: the test client spools big ones to a file it never closes."""
    boundary = "alur-uji-batas"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="sop.bpmn"\r\n'
        "Content-Type: application/xml\r\n\r\n"
    )
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize(
    "name", ["external_entity", "billion_laughs", "ten_megabytes", "dunder_walk_in_condition"]
)
def test_hostile_multipart_upload_is_refused_and_nothing_is_stored(client, analyst, api_ctx, name):
    body, status, code, element_id = HOSTILE[name]
    before = _counts(api_ctx)

    response = client.post("/api/sops", headers=analyst, **_multipart(body))

    _assert_refused(response, status, code, element_id)
    assert _counts(api_ctx) == before


def test_multipart_without_a_file_field_names_the_field(client, analyst, api_ctx):
    before = _counts(api_ctx)

    response = client.post("/api/sops", headers=analyst, **_multipart(build(), field="berkas"))

    _assert_refused(response, 422, "file_missing", None)
    assert "'file'" in response.json["message"]
    assert _counts(api_ctx) == before


def test_every_problem_of_a_file_is_reported_at_once(client, analyst):
    body = _decision("__import__('os')").replace(b"tolak", b"End")

    response = client.post("/api/sops", data=body, headers=analyst, content_type="application/xml")

    assert response.status_code == 422
    codes = {p["code"]: p["element_id"] for p in response.json["details"]["problems"]}
    assert codes == {"condition_invalid": "f_setuju", "reserved_id": "End"}


def test_a_refused_upload_leaves_the_next_good_one_as_version_1(client, analyst):
    client.post(
        "/api/sops",
        data=HOSTILE["dunder_walk_in_condition"][0],
        headers=analyst,
        content_type="application/xml",
    )

    response = client.post(
        "/api/sops", data=build(), headers=analyst, content_type="application/xml"
    )

    assert response.status_code == 201
    assert response.json["number"] == 1
