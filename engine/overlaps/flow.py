"""Which activities of an SOP can meet on one request's path, read from its sequence flows.

Loops are rework (the same step again), not a second step: the edges that close a loop are
dropped, found by a depth-first walk from the start events. Two activities lie on one path
when one can follow the other in what remains; activities on alternative branches of a
decision (TPT or TPA) do not.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from engine import validation
from engine.sop_metadata import HUMAN_TASKS, NS
from engine.xml_safety import DEFAULT_MAX_BYTES, parse_bpmn_xml


@dataclass(frozen=True)
class ActivityFlow:
    """For each activity, the activities that can come after it on a loop-free path."""

    after: Mapping[str, frozenset[str]]

    def on_one_path(self, a: str, b: str) -> bool:
        """True when one request can meet both activities (one follows the other)."""
        return b in self.after.get(a, ()) or a in self.after.get(b, ())


def build_flow(
    edges: Iterable[tuple[str, str]],
    activities: Iterable[str],
    starts: Iterable[str] = (),
) -> ActivityFlow:
    """The flow of a graph of flow nodes; ``starts`` default to the nodes nothing leads to."""
    activities = set(activities)
    successors: dict[str, list[str]] = {}
    targets: set[str] = set()
    for source, target in edges:
        successors.setdefault(source, []).append(target)
        successors.setdefault(target, [])
        targets.add(target)
    for activity in activities:
        successors.setdefault(activity, [])
    roots = list(starts) or [n for n in successors if n not in targets] or sorted(successors)[:1]
    forward = _drop_loop_edges(successors, roots)
    after: dict[str, frozenset[str]] = {}
    for activity in activities:
        after[activity] = frozenset(_reachable(forward, activity) & activities)
    return ActivityFlow(after)


def _drop_loop_edges(successors: dict[str, list[str]], roots: list[str]) -> dict[str, list[str]]:
    """The graph without the edges back to a node still open in a depth-first walk."""
    forward: dict[str, list[str]] = {node: [] for node in successors}
    state: dict[str, int] = {}  # 1 = on the walk's stack, 2 = done
    for root in [*roots, *successors]:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(successors[root]))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                continue  # closes a loop: rework, not a new step
            else:
                forward[node].append(child)
                if child not in state:
                    state[child] = 1
                    stack.append((child, iter(successors[child])))
    return forward


def _reachable(graph: dict[str, list[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return seen


def flow_of_process(process: etree._Element) -> ActivityFlow:
    """The flow of a parsed ``bpmn:process``: sequence flows, and tasks to their boundary events."""
    edges = [
        (flow.get("sourceRef", ""), flow.get("targetRef", ""))
        for flow in process.iterfind("bpmn:sequenceFlow", NS)
    ]
    edges += [
        (event.get("attachedToRef", ""), event.get("id", ""))
        for event in process.iterfind("bpmn:boundaryEvent", NS)
    ]
    activities = [
        task.get("id", "") for tag in HUMAN_TASKS for task in process.iterfind(f"bpmn:{tag}", NS)
    ]
    starts = [event.get("id", "") for event in process.iterfind("bpmn:startEvent", NS)]
    return build_flow(edges, activities, starts)


def flow_of_bpmn(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> ActivityFlow:
    """The flow of the single process in a BPMN file (as stored with an SOP version)."""
    tree = parse_bpmn_xml(data, max_bytes)
    processes = validation.find_processes(tree.getroot())
    if len(processes) != 1:
        raise ValueError(f"an SOP file holds exactly one process; found {len(processes)}")
    return flow_of_process(processes[0])
