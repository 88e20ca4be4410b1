"""Marshmallow schemas of the API's requests and responses."""

from datetime import datetime

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate

from web.api.fields import FormData, Number, Text
from web.usecases.runtime import sla


def _value(state: sla.SlaState | None) -> str | None:
    return state.value if state else None


def _now() -> datetime:
    """The clock of the app's use cases, so states match what the use cases see."""
    return current_app.extensions["alur"]["context"].clock()


_SLA_DESCRIPTION = (
    "on_time, at_risk (80% of the time standard used, in working time) or breached, at the "
    "moment of the response; once finished, on_time or breached; null without a standard."
)


class ErrorSchema(ma.Schema):
    """Every error the API answers (documentation only; web.api.errors writes it)."""

    code = fields.String(metadata={"description": "Stable, for programs: 'invalid', 'conflict'…"})
    message = fields.String(metadata={"description": "For people."})
    details = fields.Raw(
        allow_none=True,
        metadata={"description": "For both: 'fields', 'problems', who acted first, …"},
    )


class PageArgs(ma.Schema):
    page = Number(load_default=1)
    per_page = Number(
        load_default=None, metadata={"description": "Larger values give the largest page."}
    )


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    return ma.Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Integer(),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "pages": fields.Integer(),
        },
        name=name,
    )


class TimeStandardSchema(ma.Schema):
    text = fields.String()
    days = fields.Integer()
    minutes = fields.Integer()


class FormOptionSchema(ma.Schema):
    value = fields.String()
    label = fields.String()
    label_en = fields.String(allow_none=True)


class FormFieldSchema(ma.Schema):
    name = fields.String()
    type = fields.String()
    label = fields.String()
    label_en = fields.String(allow_none=True)
    required = fields.Boolean()
    options = fields.List(fields.Nested(FormOptionSchema))
    # pattern, pattern_message(_en), min_length, max_length, minimum, maximum, not_before:
    # the declared rules, so a client can check a value before sending it.
    rules = fields.Function(lambda spec: spec.rules.as_dict(), metadata={"type": "object"})


class ActivitySchema(ma.Schema):
    id = fields.String()
    name = fields.String()
    lane_id = fields.String(allow_none=True)
    position_code = fields.String(allow_none=True)
    time_standard = fields.Nested(TimeStandardSchema, allow_none=True)
    requirements = fields.List(fields.String())
    output = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    fields_ = fields.List(fields.Nested(FormFieldSchema), data_key="fields", attribute="fields")


class VersionSummarySchema(ma.Schema):
    number = fields.Integer()
    status = fields.Function(lambda v: v.status.value)
    name = fields.String()
    bpmn_sha256 = fields.String()
    created_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)


class VersionSchema(VersionSummarySchema):
    sop = fields.Function(lambda v: v.sop.key)
    identity = fields.Function(lambda v: v.sop_metadata["identity"])
    lanes = fields.Function(lambda v: v.sop_metadata["lanes"])
    activities = fields.Function(lambda v: v.sop_metadata["activities"])


class SopSchema(ma.Schema):
    key = fields.String()
    name = fields.String()
    reference_prefix = fields.String()
    published_version = fields.Function(
        lambda s: next((v.number for v in s.versions if v.status.value == "published"), None)
    )
    versions = fields.List(fields.Nested(VersionSummarySchema))


class StartInstanceArgs(ma.Schema):
    sop = Text(required=True, validate=validate.Length(min=1, max=100))
    data = FormData(load_default=dict)


class CancelArgs(ma.Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=2000))


class InstanceListArgs(PageArgs):
    sop = Text(validate=validate.Length(max=100))
    status = fields.String(validate=validate.OneOf(["running", "completed", "cancelled"]))
    overdue = fields.Boolean(
        load_default=False,
        metadata={"description": "Only running requests past their own due time."},
    )


class WorkItemSchema(ma.Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    reference = fields.Function(lambda w: w.instance.reference)
    activity_id = fields.String()
    activity_name = fields.String()
    lane = fields.String(allow_none=True)
    position = fields.Function(lambda w: w.position.code)
    status = fields.Function(lambda w: w.status.value)
    ready_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    at_risk_at = fields.DateTime(allow_none=True)
    breached_at = fields.DateTime(
        allow_none=True, metadata={"description": "When the breach was recorded (once)."}
    )
    sla_state = fields.Function(
        lambda w: _value(sla.work_item_sla(w, _now())),
        metadata={"description": _SLA_DESCRIPTION},
    )
    claimed_at = fields.DateTime(allow_none=True)
    claimed_by = fields.Function(lambda w: w.claimed_by.username if w.claimed_by else None)
    completed_at = fields.DateTime(allow_none=True)
    completed_by = fields.Function(lambda w: w.completed_by.username if w.completed_by else None)
    form_data = fields.Dict(allow_none=True)
    comment = fields.String(allow_none=True)


class EventSchema(ma.Schema):
    id = fields.Integer()
    type = fields.String()
    occurred_at = fields.DateTime()
    actor = fields.Function(lambda e: e.actor.username if e.actor else None)
    work_item_id = fields.Integer(allow_none=True)
    payload = fields.Dict()


class InstanceSchema(ma.Schema):
    id = fields.Integer()
    reference = fields.String()
    sop = fields.Function(lambda i: i.sop_version.sop.key)
    sop_version = fields.Function(lambda i: i.sop_version.number)
    status = fields.Function(lambda i: i.status.value)
    data = fields.Dict()
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    next_wake_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(
        allow_none=True,
        metadata={
            "description": "started_at plus the sum of the time standards of the steps on "
            "its path so far, in working time."
        },
    )
    at_risk_at = fields.DateTime(allow_none=True)
    sla_state = fields.Function(
        lambda i: _value(sla.instance_sla(i, _now())),
        metadata={"description": _SLA_DESCRIPTION},
    )


class InstanceDetailSchema(ma.Schema):
    instance = fields.Nested(InstanceSchema)
    data = fields.Dict()
    work_items = fields.List(fields.Nested(WorkItemSchema))
    events = fields.List(fields.Nested(EventSchema))


class WorkItemDetailSchema(ma.Schema):
    item = fields.Nested(WorkItemSchema, data_key="work_item")
    instance = fields.Nested(InstanceSchema)
    activity = fields.Nested(ActivitySchema)


class CompleteArgs(ma.Schema):
    data = FormData(load_default=dict)
    comment = Text(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class InboxArgs(PageArgs):
    sop = Text(validate=validate.Length(max=100))
    overdue = fields.Boolean(
        load_default=False, metadata={"description": "Only steps past their due time."}
    )


class UnitSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    parent_id = fields.Integer(allow_none=True)


class PositionSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    unit = fields.Function(lambda p: p.unit.code)


class UserSchema(ma.Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    role = fields.Function(lambda u: u.role.value)
    is_active = fields.Boolean()
    positions = fields.Function(lambda u: [p.code for p in u.positions])
