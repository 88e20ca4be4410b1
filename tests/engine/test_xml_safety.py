"""Uploaded files that are not plain BPMN XML are refused before anything else reads them."""

import pytest
from lxml import etree

from engine.definition import EngineOptions, load_sop
from engine.errors import BpmnRejected, BpmnTooLarge
from engine.xml_safety import DEFAULT_MAX_BYTES, parse_bpmn_xml
from tests.factories.bpmn import build

BPMN_OPEN = b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'


def _billion_laughs(levels: int) -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'
        f'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        f'id="&lol{levels};">&lol{levels};</bpmn:definitions>'
    ).encode()


HOSTILE_FILES = {
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        + BPMN_OPEN
        + b"&e;</bpmn:definitions>",
        "doctype_refused",
    ),
    "external entity in an attribute": (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="&e;"/>',
        "doctype_refused",
    ),
    "parameter entity fetching a remote DTD": (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % r SYSTEM "http://127.0.0.1:9/x.dtd"> %r;]>'
        + BPMN_OPEN
        + b"</bpmn:definitions>",
        "doctype_refused",
    ),
    "external DTD": (
        b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">'
        + BPMN_OPEN
        + b"</bpmn:definitions>",
        "doctype_refused",
    ),
    "billion laughs, 3 levels": (_billion_laughs(3), "doctype_refused"),
    "billion laughs, 9 levels": (_billion_laughs(9), "doctype_refused"),
    "internal entity": (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aman">]>'
        + BPMN_OPEN
        + b"&a;</bpmn:definitions>",
        "doctype_refused",
    ),
    "HTML": (b"<html><body>halo</body></html>", "not_bpmn"),
    "definitions in another namespace": (
        b'<definitions xmlns="http://example.com/not-bpmn"/>',
        "not_bpmn",
    ),
    "SVG": (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "not_bpmn"),
    "truncated": (BPMN_OPEN + b"<bpmn:process", "malformed_xml"),
    "undeclared prefix": (b"<bpmn:definitions/>", "malformed_xml"),
    "undeclared entity": (BPMN_OPEN + b"&nbsp;</bpmn:definitions>", "malformed_xml"),
    "two roots": (BPMN_OPEN + b"</bpmn:definitions><x/>", "malformed_xml"),
    "plain text": (b"bukan xml", "malformed_xml"),
    "JSON": (b'{"process": "x"}', "malformed_xml"),
    "empty": (b"", "empty_file"),
    "only whitespace": (b" \n\t ", "empty_file"),
    "UTF-16": ('<?xml version="1.0" encoding="UTF-16"?><a/>'.encode("utf-16"), "encoding"),
    "Latin-1 bytes": (BPMN_OPEN + b"caf\xe9</bpmn:definitions>", "encoding"),
    "no process": (BPMN_OPEN + b"</bpmn:definitions>", "process_count"),
    "two processes": (
        BPMN_OPEN + b'<bpmn:process id="a"/><bpmn:process id="b"/></bpmn:definitions>',
        "process_count",
    ),
}


@pytest.mark.parametrize(
    ("data", "code"), list(HOSTILE_FILES.values()), ids=list(HOSTILE_FILES.keys())
)
def test_hostile_file_is_refused_with_its_reason(data: bytes, code: str) -> None:
    with pytest.raises(BpmnRejected) as caught:
        load_sop(data)
    assert [p.code for p in caught.value.problems] == [code]
    assert caught.value.problems[0].message


def test_entity_content_never_reaches_the_result() -> None:
    # Even parsed directly, the file's content is refused rather than expanded.
    data = HOSTILE_FILES["external entity"][0]
    with pytest.raises(BpmnRejected) as caught:
        parse_bpmn_xml(data)
    assert "root:" not in str(caught.value)


def test_ten_megabyte_file_is_refused_before_parsing() -> None:
    data = build().replace(b"</bpmn:definitions>", b"<!--" + b"x" * 10_000_000 + b"-->")
    with pytest.raises(BpmnTooLarge) as caught:
        load_sop(data)
    assert caught.value.problems[0].code == "file_too_large"
    assert "2,097,152" in caught.value.problems[0].message


def test_size_cap_is_a_server_setting() -> None:
    data = build()
    assert len(data) < DEFAULT_MAX_BYTES
    with pytest.raises(BpmnTooLarge):
        load_sop(data, EngineOptions(max_bpmn_bytes=len(data) - 1))
    assert load_sop(data, EngineOptions(max_bpmn_bytes=len(data))).key == "uji_sop"


def test_comments_and_processing_instructions_are_dropped() -> None:
    data = build().replace(b"<bpmn:laneSet>", b"<!-- catatan --><?pi data?><bpmn:laneSet>", 1)
    tree = parse_bpmn_xml(data)
    assert not any(node.tag in (etree.Comment, etree.ProcessingInstruction) for node in tree.iter())
    assert load_sop(data).key == "uji_sop"
