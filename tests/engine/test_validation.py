"""What the engine cannot run safely is refused at upload, each problem naming its element."""

import pytest

from engine.definition import EngineOptions, load_sop
from engine.errors import BpmnRejected
from tests.factories.bpmn import SopSpec, Step, build, flow, gateway, timer

START_END = '<bpmn:startEvent id="mulai"/><bpmn:endEvent id="selesai"/>'


def decision(condition: str | None, default: str | None = "f_cek_tolak") -> bytes:
    """terima -> decision 'cek' -> proses (when ``condition``) or tolak (the default)."""
    steps = [Step("terima"), Step("proses", chained=False), Step("tolak", chained=False)]
    extra = (
        START_END
        + gateway("cek", default=default)
        + flow("mulai", "terima")
        + flow("terima", "cek")
        + flow("cek", "proses", condition)
        + flow("cek", "tolak")
        + flow("proses", "selesai")
        + flow("tolak", "selesai")
    )
    return build(SopSpec(steps=steps, chain=False, extra=extra))


def with_extra(extra: str, **kwargs) -> bytes:
    return build(SopSpec(extra=extra, **kwargs))


def event(tag: str, event_id: str, definition: str, attrs: str = "") -> str:
    return f'<bpmn:{tag} id="{event_id}"{attrs}>{definition}</bpmn:{tag}>'


def boundary(event_id: str, definition: str, attached_to: str = "periksa") -> str:
    return event("boundaryEvent", event_id, definition, f' attachedToRef="{attached_to}"')


def timed(kind: str, expression: str) -> bytes:
    return with_extra(boundary("batas", timer(kind, expression)))


def field_form(fields: str) -> bytes:
    return build(SopSpec(steps=[Step("terima", fields=fields), Step("periksa")]))


SCRIPT = '<bpmn:scriptTask id="hitung"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>'
SPIFF_NS = 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
PRE_SCRIPT = f"<spiffworkflow:preScript {SPIFF_NS}>x = 1</spiffworkflow:preScript>"
MULTI = (
    '<bpmn:multiInstanceLoopCharacteristics isSequential="true">'
    "<bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>"
)
LOOP = (
    "<bpmn:standardLoopCharacteristics><bpmn:loopCondition>True</bpmn:loopCondition>"
    "</bpmn:standardLoopCharacteristics>"
)

CONDITIONS = [
    "__import__('os')",
    "__import__('os').system('id') == 0",
    "().__class__.__base__.__subclasses__()",
    "berkas._rahasia == 1",
    "eval('1')",
    "(lambda: 1)()",
    "lengkap ==",
]
RESERVED_IDS = [
    "Start",
    "End",
    "Root",
    "StartEventSplit",
    "StartEventJoin",
    "uji_sop.EndJoin",
    "x.EndJoin",
    "periksa.BoundaryEventSplit",
    "periksa.BoundaryEventJoin",
]
BAD_TIMERS = [
    ("timeDuration", "__import__('os')"),
    ("timeDuration", "'P2X'"),
    ("timeDuration", "P2X"),
    ("timeCycle", "R3/P"),
    ("timeDate", "2026-01-31T16:00:00"),
    ("timeDate", "'2026-01-31T16:00'"),
]
BAD_FIELDS = [
    '<sop:field name="Nama Lengkap"/>',
    '<sop:field name="berkas" type="file"/>',
    '<sop:field name="hasil" type="choice"/>',
    '<sop:field name="nama"/><sop:field name="nama"/>',
]
BAD_FIELD_RULES = [
    '<sop:field name="nik" pattern="[0-9{16}"/>',
    '<sop:field name="nik" pattern="(a+)+"/>',
    '<sop:field name="jumlah" type="integer" pattern="[0-9]+"/>',
    '<sop:field name="jumlah" type="integer" min="10" max="1"/>',
    '<sop:field name="jumlah" type="integer" min="satu"/>',
    '<sop:field name="biaya" type="decimal" max="nan"/>',
    '<sop:field name="tanggal" type="date" min="2026-13-01"/>',
    '<sop:field name="nama" minLength="5" maxLength="2"/>',
    '<sop:field name="nama" maxLength="banyak"/>',
    '<sop:field name="setuju" type="boolean" min="1"/>',
    '<sop:field name="nama" notBefore="tanggal"/>',
    '<sop:field name="selesai" type="date" notBefore="mulai"/>',
]
UNSUPPORTED_ELEMENTS = [
    "subProcess",
    "callActivity",
    "serviceTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
    "eventBasedGateway",
    "transaction",
    "complexGateway",
]
UNSUPPORTED_EVENTS = [
    ("startEvent", "message"),
    ("startEvent", "timer"),
    ("endEvent", "error"),
    ("endEvent", "signal"),
    ("intermediateThrowEvent", "escalation"),
    ("intermediateCatchEvent", "message"),
    ("boundaryEvent", "error"),
    ("boundaryEvent", "conditional"),
    ("boundaryEvent", "compensate"),
]


def _unsupported_event(tag: str, kind: str) -> bytes:
    definition = f"<bpmn:{kind}EventDefinition/>"
    if tag == "boundaryEvent":
        return with_extra(boundary("peristiwa", definition))
    return with_extra(event(tag, "peristiwa", definition))


def _pre_script() -> bytes:
    standard = b'<sop:standard time="1 jam"/>'
    return build().replace(standard, standard + PRE_SCRIPT.encode(), 1)


LINKS = event("intermediateThrowEvent", "lempar", '<bpmn:linkEventDefinition name="L"/>') + event(
    "intermediateCatchEvent", "tangkap", '<bpmn:linkEventDefinition name="L"/>'
)

# name -> (upload, problems that must be among those reported, as (code, element id))
HOSTILE = {
    **{
        f"condition {c}": (decision(c), {("condition_invalid", "f_cek_proses")}) for c in CONDITIONS
    },
    "flow without condition, not the default": (
        decision("lengkap", default=None),
        {("condition_missing", "f_cek_tolak")},
    ),
    **{
        f"reserved id {rid}": (
            build(SopSpec(steps=[Step(rid), Step("periksa")])),
            {("reserved_id", rid)},
        )
        for rid in RESERVED_IDS
    },
    "link events": (
        with_extra(LINKS),
        {("unsupported_event", "lempar"), ("unsupported_event", "tangkap")},
    ),
    "compensation activity": (
        with_extra('<bpmn:manualTask id="batalkan" isForCompensation="true"/>'),
        {("unsupported_element", "batalkan")},
    ),
    "task with two outgoing flows": (
        with_extra(flow("terima", "selesai")),
        {("several_outgoing", "terima")},
    ),
    "start event with two outgoing flows": (
        with_extra(flow("mulai", "periksa")),
        {("several_outgoing", "mulai")},
    ),
    "script task while scripts are disabled": (
        with_extra(SCRIPT),
        {("script_disabled", "hitung")},
    ),
    "pre-script while scripts are disabled": (_pre_script(), {("script_disabled", "terima")}),
    "multi-instance activity": (
        build(SopSpec(steps=[Step("terima", extra=MULTI), Step("periksa")])),
        {("unsupported_loop", "terima")},
    ),
    "looping activity": (
        build(SopSpec(steps=[Step("terima", extra=LOOP), Step("periksa")])),
        {("unsupported_loop", "terima")},
    ),
    "unmapped lane": (build(SopSpec(lanes={"staf": None})), {("lane_unmapped", "lane_staf")}),
    "activity in no lane": (
        build(SopSpec(steps=[Step("terima", lane="tamu"), Step("periksa")])),
        {("activity_without_lane", "terima")},
    ),
    "no lanes at all": (build(SopSpec(lanes={})), {("no_lanes", "uji_sop")}),
    "missing time standard": (
        build(SopSpec(steps=[Step("terima", time=None), Step("periksa")])),
        {("time_standard_missing", "terima")},
    ),
    "unparseable time standard": (
        build(SopSpec(steps=[Step("terima", time="secepatnya"), Step("periksa")])),
        {("time_standard_invalid", "terima")},
    ),
    **{
        f"timer {kind} {text}": (timed(kind, text), {("timer_invalid", "batas")})
        for kind, text in BAD_TIMERS
    },
    "timer without expression": (
        with_extra(boundary("batas", "<bpmn:timerEventDefinition/>")),
        {("timer_invalid", "batas")},
    ),
    **{f"field {f}": (field_form(f), {("field_invalid", "terima")}) for f in BAD_FIELDS},
    **{f"rule {f}": (field_form(f), {("field_rule_invalid", "terima")}) for f in BAD_FIELD_RULES},
    "automatic loop between two decisions": (
        with_extra(
            gateway("g1", default="f_g1_g2")
            + gateway("g2", default="f_g2_g1")
            + flow("g1", "g2")
            + flow("g2", "g1")
        ),
        {("automatic_loop", "g1")},
    ),
    "invalid process id": (build(SopSpec(key="1-uji")), {("process_id_invalid", "1-uji")}),
    "duplicate id": (
        build(SopSpec(steps=[Step("terima"), Step("terima")])),
        {("duplicate_id", "terima")},
    ),
    **{
        f"unsupported {tag}": (
            with_extra(f'<bpmn:{tag} id="x_{tag}"/>'),
            {("unsupported_element", f"x_{tag}")},
        )
        for tag in UNSUPPORTED_ELEMENTS
    },
    **{
        f"{kind} {tag}": (_unsupported_event(tag, kind), {("unsupported_event", "peristiwa")})
        for tag, kind in UNSUPPORTED_EVENTS
    },
}


@pytest.mark.parametrize(("data", "expected"), list(HOSTILE.values()), ids=list(HOSTILE))
def test_unrunnable_sop_is_refused_naming_the_element(data: bytes, expected: set) -> None:
    with pytest.raises(BpmnRejected) as caught:
        load_sop(data)
    found = {(p.code, p.element_id) for p in caught.value.problems}
    assert expected <= found
    assert all(p.message for p in caught.value.problems)


def test_every_problem_of_one_upload_is_reported_at_once() -> None:
    steps = [
        Step("terima", time=None),
        Step("End", fields='<sop:field name="Nama"/>'),
        Step("periksa", lane="kepala", time="segera"),
    ]
    extra = SCRIPT + '<bpmn:complexGateway id="rumit"/>' + flow("terima", "periksa")
    data = build(SopSpec(steps=steps, lanes={"staf": "UJI-STAF", "kepala": None}, extra=extra))

    with pytest.raises(BpmnRejected) as caught:
        load_sop(data)

    assert sorted((p.code, p.element_id) for p in caught.value.problems) == [
        ("field_invalid", "End"),
        ("lane_unmapped", "lane_kepala"),
        ("reserved_id", "End"),
        ("script_disabled", "hitung"),
        ("several_outgoing", "terima"),
        ("time_standard_invalid", "periksa"),
        ("time_standard_missing", "terima"),
        ("unsupported_element", "rumit"),
    ]
    assert str(caught.value).endswith("(and 7 more)")


def test_problem_names_the_element_by_id_and_name() -> None:
    with pytest.raises(BpmnRejected) as caught:
        load_sop(build(SopSpec(steps=[Step("terima", time=None), Step("periksa")])))
    assert caught.value.problems[0].as_dict() == {
        "code": "time_standard_missing",
        "message": caught.value.problems[0].message,
        "element_id": "terima",
        "element_name": "Langkah terima",
    }


@pytest.mark.parametrize(
    "data",
    [
        decision("lengkap == True"),
        decision("lengkap", default=None).replace(
            b'<bpmn:sequenceFlow id="f_cek_tolak" sourceRef="cek" targetRef="tolak">',
            b'<bpmn:sequenceFlow id="f_cek_tolak" sourceRef="cek" targetRef="tolak">'
            b"<bpmn:conditionExpression>not lengkap</bpmn:conditionExpression>",
        ),
    ],
    ids=["with default", "all flows conditional"],
)
def test_well_formed_decision_is_accepted(data: bytes) -> None:
    assert load_sop(data).key == "uji_sop"


def test_script_task_is_accepted_when_the_server_allows_it() -> None:
    wired = build(
        SopSpec(
            steps=[Step("terima")],
            chain=False,
            extra=(
                START_END
                + SCRIPT
                + flow("mulai", "hitung")
                + flow("hitung", "terima")
                + flow("terima", "selesai")
            ),
        )
    )
    assert load_sop(wired, EngineOptions(allow_script_tasks=True)).key == "uji_sop"
    with pytest.raises(BpmnRejected):
        load_sop(wired)
