"""Structural checks of an SOP process: everything the engine cannot run is found before publish.

Every problem is collected (not just the first), each naming the element it concerns.
"""

import re
from collections import Counter

from lxml import etree

from engine import expressions, timer_expressions
from engine.errors import Problem
from engine.sop_metadata import HUMAN_TASKS, NS

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
KEY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,99}$")
RESERVED_IDS = {"Start", "End", "StartEventSplit", "StartEventJoin", "Root"}
RESERVED_SUFFIXES = (".EndJoin", ".BoundaryEventSplit", ".BoundaryEventJoin")

FLOW_NODES = {
    "startEvent",
    "endEvent",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "scriptTask",
    *HUMAN_TASKS,
}
ARTIFACTS = {
    "sequenceFlow",
    "laneSet",
    "extensionElements",
    "documentation",
    "textAnnotation",
    "association",
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
}
SINGLE_EXIT = {
    *HUMAN_TASKS,
    "scriptTask",
    "startEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
}
DECISIONS = {"exclusiveGateway", "inclusiveGateway"}
# Where a request waits or its data can change; a loop through none of these never ends.
LOOP_BREAKERS = {*HUMAN_TASKS, "intermediateCatchEvent", "scriptTask"}
# Repeated activities run as child tasks that are not the activity the SOP names.
LOOPS = {"multiInstanceLoopCharacteristics", "standardLoopCharacteristics"}
ALLOWED_EVENT_DEFINITIONS = {
    "startEvent": set(),
    "endEvent": {"terminateEventDefinition"},
    "intermediateCatchEvent": {"timerEventDefinition"},
    "intermediateThrowEvent": set(),
    "boundaryEvent": {"timerEventDefinition"},
}


def _local(tag: str) -> str:
    return etree.QName(tag).localname


def _label(node: etree._Element) -> str:
    return node.get("name") or node.get("id") or _local(node.tag)


def find_processes(root: etree._Element) -> list[etree._Element]:
    return root.findall("bpmn:process", NS)


def check_process(
    process: etree._Element, *, allow_scripts: bool, check_script: object = None
) -> list[Problem]:
    """Return every problem of ``process`` that would stop the engine from running it safely."""
    problems: list[Problem] = []

    def add(code: str, message: str, node: etree._Element) -> None:
        problems.append(Problem(code, message, node.get("id"), node.get("name")))

    key = process.get("id", "")
    if not KEY_PATTERN.match(key):
        add(
            "process_id_invalid",
            "The process id must be a letter followed by letters, "
            "digits, '_' or '-' (at most 100); it becomes the SOP key.",
            process,
        )

    ids = Counter(node.get("id") for node in process.iter() if node.get("id"))
    for element_id, count in ids.items():
        if count > 1:
            problems.append(
                Problem("duplicate_id", f"The id {element_id!r} is used {count} times.", element_id)
            )
    for node in process.iter():
        element_id = node.get("id")
        if element_id and (element_id in RESERVED_IDS or element_id.endswith(RESERVED_SUFFIXES)):
            add(
                "reserved_id",
                f"The id {element_id!r} is reserved by the engine; rename the element.",
                node,
            )

    for node in process:
        tag = _local(node.tag)
        if tag not in FLOW_NODES and tag not in ARTIFACTS:
            add("unsupported_element", f"{tag} '{_label(node)}' is not supported by Alur.", node)
        if node.get("isForCompensation") == "true":
            add(
                "unsupported_element",
                f"Compensation activity '{_label(node)}' is not supported.",
                node,
            )
        if any(_local(child.tag) in LOOPS for child in node):
            add(
                "unsupported_loop",
                f"Repeating activity '{_label(node)}' (loop or multi-instance) is not supported "
                "by Alur.",
                node,
            )
        scripts = _scripts(node, tag)
        if scripts and not allow_scripts:
            kind = "Script task" if tag == "scriptTask" else "Pre/post script of"
            add(
                "script_disabled",
                f"{kind} '{_label(node)}' is refused: script tasks are "
                "disabled on this server (ALUR_ALLOW_SCRIPT_TASKS).",
                node,
            )
        elif callable(check_script):
            for script in scripts:
                reason = check_script(script)
                if reason:
                    add("script_invalid", f"Script of '{_label(node)}' is refused: {reason}", node)
        _check_event_definitions(node, tag, add)

    _check_flows(process, add)
    _check_automatic_loops(process, add)
    return problems


def _scripts(node: etree._Element, tag: str) -> list[str]:
    """The Python a node would run: a script task's script, SpiffWorkflow pre/post scripts."""
    scripts = [node.findtext("bpmn:script", "", NS)] if tag == "scriptTask" else []
    for kind in ("preScript", "postScript"):
        extension = node.find(f"bpmn:extensionElements/{{{SPIFF_NS}}}{kind}", NS)
        if extension is not None:
            scripts.append(extension.text or "")
    return scripts


def _check_event_definitions(node: etree._Element, tag: str, add) -> None:
    allowed = ALLOWED_EVENT_DEFINITIONS.get(tag)
    if allowed is None:
        return
    for definition in node:
        name = _local(definition.tag)
        if not name.endswith("EventDefinition"):
            continue
        if name not in allowed:
            kind = name.removesuffix("EventDefinition")
            add(
                "unsupported_event",
                f"{kind.capitalize()} event '{_label(node)}' ({tag}) is not supported by Alur.",
                node,
            )
            continue
        if name == "timerEventDefinition":
            _check_timer(node, definition, add)


def _check_timer(node: etree._Element, definition: etree._Element, add) -> None:
    found = False
    for kind in ("timeDuration", "timeDate", "timeCycle"):
        expression = definition.find(f"bpmn:{kind}", NS)
        if expression is None:
            continue
        found = True
        normalized, reason = timer_expressions.normalize(kind, expression.text or "")
        if reason:
            add("timer_invalid", f"Timer '{_label(node)}': {reason}", node)
        else:
            expression.text = normalized
    if not found:
        add(
            "timer_invalid",
            f"Timer '{_label(node)}' has no timeDuration, timeDate or timeCycle.",
            node,
        )


def _check_flows(process: etree._Element, add) -> None:
    outgoing: dict[str, list[etree._Element]] = {}
    for flow in process.iterfind("bpmn:sequenceFlow", NS):
        outgoing.setdefault(flow.get("sourceRef", ""), []).append(flow)
        condition = flow.find("bpmn:conditionExpression", NS)
        if condition is not None and (condition.text or "").strip():
            reason = expressions.check(condition.text or "")
            if reason:
                add(
                    "condition_invalid",
                    f"Condition of flow '{_label(flow)}' is refused: {reason}",
                    flow,
                )
    for node in process:
        tag = _local(node.tag)
        flows = outgoing.get(node.get("id", ""), [])
        if tag in SINGLE_EXIT and len(flows) > 1:
            add(
                "several_outgoing",
                f"{tag} '{_label(node)}' has {len(flows)} outgoing flows; "
                "branch with a gateway instead.",
                node,
            )
        if tag in DECISIONS and len(flows) > 1:
            default = node.get("default")
            for flow in flows:
                condition = flow.find("bpmn:conditionExpression", NS)
                has_condition = condition is not None and (condition.text or "").strip()
                if not has_condition and flow.get("id") != default:
                    add(
                        "condition_missing",
                        f"Flow '{_label(flow)}' leaves decision "
                        f"'{_label(node)}' with no condition and is not its default flow.",
                        flow,
                    )


def _check_automatic_loops(process: etree._Element, add) -> None:
    nodes = {
        node.get("id"): node
        for node in process
        if _local(node.tag) in FLOW_NODES - LOOP_BREAKERS and node.get("id")
    }
    successors: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    for flow in process.iterfind("bpmn:sequenceFlow", NS):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if source in nodes and target in nodes:
            successors[source].append(target)
    on_path: set[str] = set()
    done: set[str] = set()
    for root in nodes:
        if root in done:
            continue
        stack = [(root, iter(successors[root]))]
        on_path.add(root)
        while stack:
            node_id, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.discard(node_id)
                done.add(node_id)
            elif child in on_path:
                add(
                    "automatic_loop",
                    f"'{_label(nodes[child])}' is on a loop with no step for a person, no timer "
                    "and no script: the request would go round it for ever.",
                    nodes[child],
                )
                return
            elif child not in done:
                on_path.add(child)
                stack.append((child, iter(successors[child])))
