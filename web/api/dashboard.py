"""/api/dashboard: the efficiency dashboard's figures as JSON (the pages show the same).

Durations are seconds; "office" durations count working time only. Filters (query string):
``from`` and ``to`` (YYYY-MM-DD, local, both inclusive; default the last 90 days), ``unit``
(a unit and those below it; managers are limited to theirs), ``sop``, ``version``.
"""

import marshmallow as ma
from flask import request
from flask.views import MethodView
from marshmallow import fields, validate

from web.api import schemas
from web.api.auth import context, current_actor, require_token
from web.api.fields import Day, Number, Text
from web.api.json_body import Blueprint
from web.api.pages import envelope, page_request
from web.usecases.dashboard import drill as dashboard_drill
from web.usecases.dashboard import overview as dashboard
from web.usecases.dashboard import versions as dashboard_versions
from web.usecases.dashboard import workload as dashboard_workload
from web.usecases.dashboard.overview import MAX_DAYS

blp = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/api/dashboard",
    description="Cycle times, compliance with mutu baku, bottlenecks and workload.",
)
blp.before_request(require_token)


class FilterArgs(ma.Schema):
    start = Day(
        data_key="from",
        metadata={"description": f"First day, not after 'to' nor {MAX_DAYS} days before it."},
    )
    end = Day(data_key="to", metadata={"description": "Last day (default: today)."})
    unit = Number(metadata={"description": "Unit id (with the units below it)."})
    sop = Number(metadata={"description": "SOP id."})
    version = Number(metadata={"description": "SOP version id."})


class VersionArgs(FilterArgs):
    before = Number(metadata={"description": "Version id (default: the older one)."})
    after = Number(metadata={"description": "Version id (default: the newest)."})


class BehindArgs(FilterArgs, schemas.PageArgs):
    figure = fields.String(required=True, validate=validate.OneOf(dashboard_drill.FIGURES))
    activity = Text(validate=validate.Length(max=200))
    position = Number()
    user = Number()
    week = Day(metadata={"description": "A Monday: only that week of the period."})
    lifetime = fields.Boolean(
        load_default=False,
        metadata={"description": "Ignore the period (as the version comparison does)."},
    )


class SpreadSchema(ma.Schema):
    median = fields.Float(allow_none=True)
    p90 = fields.Float(allow_none=True)
    count = fields.Integer()


class ShareSchema(ma.Schema):
    part = fields.Integer()
    whole = fields.Integer()
    ratio = fields.Float(allow_none=True)


class FiltersSchema(ma.Schema):
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    unit_id = fields.Integer(allow_none=True)
    sop_id = fields.Integer(allow_none=True)
    version_id = fields.Integer(allow_none=True)


class SopRowSchema(ma.Schema):
    sop_id = fields.Integer()
    sop_key = fields.String()
    sop_name = fields.String()
    started = fields.Integer()
    completed = fields.Integer()
    open = fields.Integer()
    cycle = fields.Nested(SpreadSchema)
    cycle_office = fields.Nested(SpreadSchema)
    standard_office = fields.Nested(SpreadSchema)
    requests_on_time = fields.Nested(ShareSchema)
    steps_on_time = fields.Nested(ShareSchema)


class WeekSchema(ma.Schema):
    week_start = fields.Date()
    started = fields.Integer()
    completed = fields.Integer()
    cycle_office = fields.Nested(SpreadSchema)
    requests_on_time = fields.Nested(ShareSchema)


class OverviewSchema(ma.Schema):
    filters = fields.Nested(FiltersSchema)
    rows = fields.List(fields.Nested(SopRowSchema))
    trend = fields.List(fields.Nested(WeekSchema))
    approximate = fields.Boolean(
        metadata={
            "description": "Medians and 90th percentiles were read from the daily summaries "
            "(a long, busy period): within 1 % of the exact values. Counts are always exact."
        }
    )


class ActivityRowSchema(ma.Schema):
    activity_id = fields.String()
    name = fields.String()
    lane = fields.String(allow_none=True)
    positions = fields.List(fields.String())
    items = fields.Integer()
    completed = fields.Integer()
    open = fields.Integer()
    wait_office = fields.Nested(SpreadSchema)
    handle_office = fields.Nested(SpreadSchema)
    duration_office = fields.Nested(SpreadSchema)
    standard_office = fields.Float(allow_none=True)
    breaches = fields.Nested(ShareSchema)
    load_share = fields.Float(allow_none=True)
    bottleneck_rank = fields.Integer(allow_none=True)


class SopDetailSchema(ma.Schema):
    filters = fields.Nested(FiltersSchema)
    sop_id = fields.Integer()
    sop_key = fields.String()
    sop_name = fields.String()
    diagram_version_id = fields.Integer()
    summary = fields.Nested(SopRowSchema, allow_none=True)
    activities = fields.List(fields.Nested(ActivityRowSchema))
    approximate = fields.Boolean(
        metadata={
            "description": "Medians and 90th percentiles were read from the daily summaries "
            "(a long, busy period): within 1 % of the exact values. Counts are always exact."
        }
    )


class LoadRowSchema(ma.Schema):
    key = fields.String()
    name = fields.String()
    unit = fields.String()
    holders = fields.Integer()
    completed = fields.Integer()
    hours_per_week = fields.Float()
    items_per_day = fields.Float()
    open = fields.Integer()
    breaches = fields.Nested(ShareSchema)
    outlier = fields.Boolean()
    position_id = fields.Integer(allow_none=True)
    user_id = fields.Integer(allow_none=True)


class WorkloadSchema(ma.Schema):
    filters = fields.Nested(FiltersSchema)
    weeks = fields.Float()
    working_days = fields.Integer()
    positions = fields.List(fields.Nested(LoadRowSchema))
    officers = fields.List(fields.Nested(LoadRowSchema))


class DifferenceSchema(ma.Schema):
    measure = fields.String()
    activity_id = fields.String(allow_none=True)
    before = fields.Float(allow_none=True)
    after = fields.Float(allow_none=True)
    change = fields.Float(allow_none=True)
    p_value = fields.Float(
        allow_none=True, metadata={"description": "None with fewer than 10 values a side."}
    )
    significant = fields.Boolean()
    before_count = fields.Integer()
    after_count = fields.Integer()
    too_few = fields.Boolean(metadata={"description": "Fewer than 10 values a side to judge."})


class ComparisonSchema(ma.Schema):
    sop_id = fields.Integer()
    sop_name = fields.String()
    before_version = fields.Function(
        lambda c: {"id": c.before_version[0], "number": c.before_version[1]}
    )
    after_version = fields.Function(
        lambda c: {"id": c.after_version[0], "number": c.after_version[1]}
    )
    differences = fields.List(fields.Nested(DifferenceSchema))


BehindPage = schemas.page_schema(schemas.InstanceSchema, "DashboardRequestPage")


def _filters():
    return dashboard.filters_from_args(context(), current_actor(), request.args)


@blp.route("/overview")
class OverviewView(MethodView):
    @blp.arguments(FilterArgs, location="query")
    @blp.response(200, OverviewSchema)
    def get(self, _args):
        """Per SOP: started, completed, open; cycle time against standards; compliance; trend."""
        return dashboard.overview(context(), current_actor(), _filters())


@blp.route("/sops/<int:sop_id>")
class SopView(MethodView):
    @blp.arguments(FilterArgs, location="query")
    @blp.response(200, SopDetailSchema)
    def get(self, _args, sop_id):
        """Per activity of one SOP: waiting vs working time, breach rate, bottleneck rank."""
        return dashboard.sop_detail(context(), current_actor(), sop_id, _filters())


@blp.route("/sops/<int:sop_id>/versions")
class VersionsView(MethodView):
    @blp.arguments(VersionArgs, location="query")
    @blp.response(200, ComparisonSchema)
    def get(self, args, sop_id):
        """Two versions of one SOP on the same measures, with p-values (whole life of each)."""
        return dashboard_versions.compare_versions(
            context(), current_actor(), sop_id, _filters(), args.get("before"), args.get("after")
        )


@blp.route("/workload")
class WorkloadView(MethodView):
    @blp.arguments(FilterArgs, location="query")
    @blp.response(200, WorkloadSchema)
    def get(self, _args):
        """Hours of work per week, steps per day, open steps and breaches per position/officer."""
        return dashboard_workload.workload(context(), current_actor(), _filters())


@blp.route("/requests")
class BehindView(MethodView):
    @blp.arguments(BehindArgs, location="query")
    @blp.response(200, BehindPage)
    def get(self, args):
        """The requests behind one figure (the same conditions that counted them)."""
        page = dashboard_drill.requests_behind(
            context(),
            current_actor(),
            args["figure"],
            _filters(),
            page_request(args),
            activity=args.get("activity"),
            position_id=args.get("position"),
            user_id=args.get("user"),
            week=args.get("week"),
            lifetime=args["lifetime"],
        )
        return envelope(page)
