"""Reading uploaded BPMN as hostile XML: size cap, no DTD, no entities, BPMN root only."""

from lxml import etree

from engine.errors import BpmnRejected, BpmnTooLarge, Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DEFAULT_MAX_BYTES = 2 * 1024 * 1024


def _parser() -> etree.XMLParser:
    # Nothing is fetched, nothing is expanded; huge_tree stays off so lxml's own limits hold.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_bpmn_xml(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._ElementTree:
    """Parse uploaded bytes into an XML tree, refusing anything that is not plain BPMN.

    :raises BpmnTooLarge: the file exceeds ``max_bytes``.
    :raises BpmnRejected: a DOCTYPE or entity declaration, malformed XML, or a non-BPMN root.
    """
    if len(data) > max_bytes:
        raise BpmnTooLarge(
            [
                Problem(
                    "file_too_large",
                    f"The file is {len(data):,} bytes; the limit is {max_bytes:,} bytes.",
                )
            ]
        )
    if not data.strip():
        raise BpmnRejected([Problem("empty_file", "The file is empty.")])
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BpmnRejected(
            [Problem("encoding", f"The file must be UTF-8 encoded (byte {exc.start} is not).")]
        ) from None
    doctype_refused = BpmnRejected(
        [Problem("doctype_refused", "DOCTYPE and entity declarations are not allowed in BPMN.")]
    )
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        # libxml2 may stop on a DTD's entities first (amplification, external reference in an
        # attribute); the reason to give is still the DTD. The file is UTF-8, so a byte search
        # finds the declaration.
        if b"<!DOCTYPE" in data:
            raise doctype_refused from None
        raise BpmnRejected(
            [Problem("malformed_xml", f"The file is not well-formed XML: {exc}")]
        ) from None
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise doctype_refused
    if any(isinstance(node, etree._Entity) for node in tree.iter()):
        raise BpmnRejected([Problem("entity_refused", "Entity references are not allowed.")])
    root = tree.getroot()
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise BpmnRejected(
            [
                Problem(
                    "not_bpmn",
                    f"The root element is {root.tag!r}; a BPMN 2.0 file starts with "
                    f"<definitions> in the namespace {BPMN_NS}.",
                )
            ]
        )
    return tree
