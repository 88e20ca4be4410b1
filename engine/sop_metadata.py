"""SOP AP fields stored as BPMN extension elements in Alur's namespace.

One BPMN file is the whole SOP: ``sop:identity`` on the process, ``sop:performer`` on each
lane (the position code), ``sop:standard`` (mutu baku) and ``sop:form`` on each activity.
The format is documented in processes/README.md.
"""

from dataclasses import asdict, dataclass, field
from typing import Any

from lxml import etree

from engine.errors import Problem
from engine.form_rules import read_rules
from engine.forms import FIELD_NAME, FIELD_TYPES, FormField, FormOption
from engine.time_standard import TimeStandard, parse_time_standard
from engine.xml_safety import BPMN_NS

SOP_NS = "https://alur.dev/schema/sop/1"
NS = {"bpmn": BPMN_NS, "sop": SOP_NS}
HUMAN_TASKS = ("userTask", "manualTask", "task")
_LIST_FIELDS = {
    "legalBasis": "legal_basis",
    "performerQualifications": "performer_qualifications",
    "relatedSops": "related_sops",
    "equipment": "equipment",
    "warnings": "warnings",
    "records": "records",
}
_TEXT_FIELDS = {
    "number": "number",
    "unit": "unit",
    "createdOn": "created_on",
    "revisedOn": "revised_on",
    "effectiveOn": "effective_on",
    "approvedBy": "approved_by",
}


@dataclass(frozen=True)
class Lane:
    id: str
    name: str
    position_code: str | None


@dataclass(frozen=True)
class Activity:
    """A kegiatan: one human step with its performer and mutu baku."""

    id: str
    name: str
    lane_id: str | None
    position_code: str | None
    time_standard: TimeStandard | None
    requirements: tuple[str, ...] = ()
    output: str | None = None
    note: str | None = None
    fields: tuple[FormField, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "lane_id": self.lane_id,
            "position_code": self.position_code,
            "time_standard": self.time_standard.as_dict() if self.time_standard else None,
            "requirements": list(self.requirements),
            "output": self.output,
            "note": self.note,
            "fields": [f.as_dict() for f in self.fields],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Activity":
        standard = data.get("time_standard")
        return cls(
            id=data["id"],
            name=data["name"],
            lane_id=data.get("lane_id"),
            position_code=data.get("position_code"),
            time_standard=TimeStandard(**standard) if standard else None,
            requirements=tuple(data.get("requirements", [])),
            output=data.get("output"),
            note=data.get("note"),
            fields=tuple(FormField.from_dict(f) for f in data.get("fields", [])),
        )


@dataclass(frozen=True)
class SopMetadata:
    """Everything of the SOP AP document that the BPMN carries besides the flow itself."""

    key: str
    name: str
    identity: dict[str, Any] = field(default_factory=dict)
    lanes: tuple[Lane, ...] = ()
    activities: tuple[Activity, ...] = ()

    def activity(self, activity_id: str) -> Activity | None:
        return next((a for a in self.activities if a.id == activity_id), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "identity": self.identity,
            "lanes": [asdict(lane) for lane in self.lanes],
            "activities": [a.as_dict() for a in self.activities],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SopMetadata":
        return cls(
            key=data["key"],
            name=data["name"],
            identity=data.get("identity", {}),
            lanes=tuple(Lane(**lane) for lane in data.get("lanes", [])),
            activities=tuple(Activity.from_dict(a) for a in data.get("activities", [])),
        )


def _text(element: etree._Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return " ".join(element.text.split()) or None


def _extension(element: etree._Element, name: str) -> etree._Element | None:
    return element.find(f"bpmn:extensionElements/sop:{name}", NS)


def read_identity(process: etree._Element) -> dict[str, Any]:
    identity: dict[str, Any] = {key: None for key in _TEXT_FIELDS.values()}
    identity.update({key: [] for key in _LIST_FIELDS.values()})
    node = _extension(process, "identity")
    if node is None:
        return identity
    for tag, key in _TEXT_FIELDS.items():
        identity[key] = _text(node.find(f"sop:{tag}", NS))
    for tag, key in _LIST_FIELDS.items():
        items = node.findall(f"sop:{tag}/sop:item", NS)
        identity[key] = [text for text in (_text(i) for i in items) if text]
    return identity


def read_lanes(process: etree._Element, problems: list[Problem]) -> tuple[Lane, ...]:
    lanes = []
    for lane in process.iterfind(".//bpmn:lane", NS):
        performer = _extension(lane, "performer")
        code = (performer.get("position") or "").strip() if performer is not None else ""
        lane_id, name = lane.get("id", ""), lane.get("name") or lane.get("id", "")
        if not code:
            problems.append(
                Problem(
                    "lane_unmapped",
                    f"Lane '{name}' names no position: add "
                    f'<sop:performer position="CODE"/> to its extensionElements.',
                    lane_id,
                    name,
                )
            )
        lanes.append(Lane(lane_id, name, code or None))
    return tuple(lanes)


def _read_fields(task: etree._Element, problems: list[Problem]) -> tuple[FormField, ...]:
    task_id, task_name = task.get("id"), task.get("name")
    fields: list[FormField] = []
    for node in task.iterfind("bpmn:extensionElements/sop:form/sop:field", NS):
        name, kind = (node.get("name") or "").strip(), (node.get("type") or "text").strip()
        options = tuple(
            FormOption(o.get("value", ""), o.get("label") or o.get("value", ""), o.get("labelEn"))
            for o in node.iterfind("sop:option", NS)
        )
        if not FIELD_NAME.match(name):
            message = (
                f"Form field name {name!r} must be lowercase letters, digits and '_', "
                "starting with a letter."
            )
            problems.append(Problem("field_invalid", message, task_id, task_name))
            continue
        if kind not in FIELD_TYPES:
            message = f"Form field '{name}' has unknown type {kind!r}; use one of {FIELD_TYPES}."
            problems.append(Problem("field_invalid", message, task_id, task_name))
            continue
        if kind == "choice" and not options:
            message = f"Choice field '{name}' has no <sop:option>."
            problems.append(Problem("field_invalid", message, task_id, task_name))
            continue
        if any(f.name == name for f in fields):
            message = f"Form field '{name}' is declared twice."
            problems.append(Problem("field_invalid", message, task_id, task_name))
            continue
        wrong_rules: list[str] = []
        rules = read_rules(node.attrib, kind, wrong_rules)
        for wrong in wrong_rules:
            message = f"Form field '{name}': {wrong}"
            problems.append(Problem("field_rule_invalid", message, task_id, task_name))
        fields.append(
            FormField(
                name=name,
                type=kind,
                label=node.get("label") or name,
                label_en=node.get("labelEn"),
                required=(node.get("required") or "").lower() == "true",
                options=options,
                rules=rules,
            )
        )
    return tuple(fields)


def _check_date_order(activities: list[Activity], problems: list[Problem]) -> None:
    """A ``notBefore`` must name a date field some activity of the SOP asks for."""
    dates = {f.name for a in activities for f in a.fields if f.type == "date"}
    for activity in activities:
        for spec in activity.fields:
            earlier = spec.rules.not_before
            if earlier is not None and earlier not in dates:
                message = (
                    f"Form field '{spec.name}': notBefore names '{earlier}', which is no date "
                    "field of this SOP."
                )
                problems.append(Problem("field_rule_invalid", message, activity.id, activity.name))


def _read_standard(
    task: etree._Element, problems: list[Problem]
) -> tuple[TimeStandard | None, tuple[str, ...], str | None, str | None]:
    task_id, task_name = task.get("id"), task.get("name")
    node = _extension(task, "standard")
    text = (node.get("time") or "").strip() if node is not None else ""
    standard = None
    if not text:
        problems.append(
            Problem(
                "time_standard_missing",
                f"Activity '{task_name or task_id}' has no time standard (mutu baku waktu): add "
                '<sop:standard time="..."/>.',
                task_id,
                task_name,
            )
        )
    else:
        try:
            standard = parse_time_standard(text)
        except ValueError as exc:
            problems.append(Problem("time_standard_invalid", str(exc), task_id, task_name))
    if node is None:
        return standard, (), None, None
    requirements = tuple(t for t in (_text(r) for r in node.iterfind("sop:requirement", NS)) if t)
    return (
        standard,
        requirements,
        _text(node.find("sop:output", NS)),
        _text(node.find("sop:note", NS)),
    )


def read_metadata(process: etree._Element, problems: list[Problem]) -> SopMetadata:
    """Read the SOP fields of ``process``, appending what is wrong to ``problems``."""
    lanes = read_lanes(process, problems)
    lane_of: dict[str, Lane] = {}
    for lane_node, lane in zip(process.iterfind(".//bpmn:lane", NS), lanes, strict=True):
        for ref in lane_node.iterfind("bpmn:flowNodeRef", NS):
            lane_of[(ref.text or "").strip()] = lane
    activities = []
    for tag in HUMAN_TASKS:
        for task in process.iterfind(f"bpmn:{tag}", NS):
            task_id = task.get("id", "")
            lane = lane_of.get(task_id)
            if lanes and lane is None:
                problems.append(
                    Problem(
                        "activity_without_lane",
                        f"Activity '{task.get('name') or task_id}' is in no lane, so no position "
                        "performs it.",
                        task_id,
                        task.get("name"),
                    )
                )
            standard, requirements, output, note = _read_standard(task, problems)
            activities.append(
                Activity(
                    id=task_id,
                    name=task.get("name") or task_id,
                    lane_id=lane.id if lane else None,
                    position_code=lane.position_code if lane else None,
                    time_standard=standard,
                    requirements=requirements,
                    output=output,
                    note=note,
                    fields=_read_fields(task, problems),
                )
            )
    _check_date_order(activities, problems)
    if not lanes:
        problems.append(
            Problem(
                "no_lanes",
                "The process has no lanes: every activity needs a performer (a lane mapped to a "
                "position).",
                process.get("id"),
                process.get("name"),
            )
        )
    return SopMetadata(
        key=process.get("id", ""),
        name=process.get("name") or process.get("id", ""),
        identity=read_identity(process),
        lanes=lanes,
        activities=tuple(activities),
    )
