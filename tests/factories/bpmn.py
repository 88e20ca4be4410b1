"""Build small BPMN SOPs in tests: a chain of user tasks with optional decisions and timers."""

import itertools
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:sop="https://alur.dev/schema/sop/1" id="defs" targetNamespace="https://alur.dev/test">'
)


@dataclass
class Step:
    id: str
    lane: str = "staf"
    time: str | None = "1 jam"
    fields: str = ""
    extra: str = ""
    # False keeps the step out of the start -> steps -> end chain (wire it with ``flow``).
    chained: bool = True


@dataclass
class SopSpec:
    key: str = "uji_sop"
    steps: list[Step] = field(default_factory=lambda: [Step("terima"), Step("periksa")])
    lanes: dict[str, str | None] = field(
        default_factory=lambda: {"staf": "UJI-STAF", "kepala": "UJI-KEPALA"}
    )
    # Extra elements and flows placed inside the process, verbatim.
    extra: str = ""
    chain: bool = True


def flow(source: str, target: str, condition: str | None = None, flow_id: str = "") -> str:
    """A sequence flow, with a condition expression when ``condition`` is given."""
    flow_id = flow_id or f"f_{source}_{target}"
    body = (
        f"<bpmn:conditionExpression>{escape(condition)}</bpmn:conditionExpression>"
        if condition is not None
        else ""
    )
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f"{body}</bpmn:sequenceFlow>"
    )


def gateway(gateway_id: str, default: str | None = None, kind: str = "exclusiveGateway") -> str:
    default_attr = f' default="{default}"' if default else ""
    return f'<bpmn:{kind} id="{gateway_id}" name="Keputusan {gateway_id}"{default_attr}/>'


def timer(kind: str, expression: str) -> str:
    """A timer event definition; ``kind`` is timeDuration, timeDate or timeCycle."""
    return (
        f"<bpmn:timerEventDefinition><bpmn:{kind}>{escape(expression)}</bpmn:{kind}>"
        "</bpmn:timerEventDefinition>"
    )


def boundary_timer(
    event_id: str, attached_to: str, duration: str, interrupting: bool = True
) -> str:
    cancel = "true" if interrupting else "false"
    return (
        f'<bpmn:boundaryEvent id="{event_id}" attachedToRef="{attached_to}" '
        f'cancelActivity="{cancel}">{timer("timeDuration", duration)}</bpmn:boundaryEvent>'
    )


def build(spec: SopSpec | None = None) -> bytes:
    """A runnable SOP whose steps run one after the other, unless ``chain`` is False."""
    spec = spec or SopSpec()
    parts = [HEADER, f'<bpmn:process id="{spec.key}" name="SOP Uji" isExecutable="true">']
    parts.append("<bpmn:laneSet>")
    for lane, position in spec.lanes.items():
        performer = (
            f'<bpmn:extensionElements><sop:performer position="{position}"/>'
            "</bpmn:extensionElements>"
            if position
            else ""
        )
        refs = "".join(
            f"<bpmn:flowNodeRef>{s.id}</bpmn:flowNodeRef>" for s in spec.steps if s.lane == lane
        )
        parts.append(
            f'<bpmn:lane id="lane_{lane}" name="{lane.title()}">{performer}{refs}</bpmn:lane>'
        )
    parts.append("</bpmn:laneSet>")
    for step in spec.steps:
        standard = f"<sop:standard time={quoteattr(step.time)}/>" if step.time else ""
        form = f"<sop:form>{step.fields}</sop:form>" if step.fields else ""
        parts.append(
            f'<bpmn:userTask id="{step.id}" name="Langkah {step.id}">'
            f"<bpmn:extensionElements>{standard}{form}</bpmn:extensionElements>{step.extra}"
            "</bpmn:userTask>"
        )
    if spec.chain:
        nodes = ["mulai", *[s.id for s in spec.steps if s.chained], "selesai"]
        parts.append('<bpmn:startEvent id="mulai"/><bpmn:endEvent id="selesai"/>')
        for source, target in itertools.pairwise(nodes):
            parts.append(flow(source, target))
    parts.append(spec.extra)
    parts.append("</bpmn:process></bpmn:definitions>")
    return "".join(parts).encode()
