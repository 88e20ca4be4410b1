"""The dashboard for managers and analysts: volumes, cycle times against the time standards,
bottlenecks on the diagram, workload and redesigns; every figure links to its requests and
every table downloads as CSV (same URL, ``format=csv&table=...``)."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import login_required

from web.error_text import localized
from web.pages import dashboard_charts as charts
from web.pages import dashboard_tables as tables
from web.pages.display import page_request
from web.pages.session import actor, context
from web.pages.spreadsheet import csv_download
from web.usecases.bounds import parse_day, parse_number
from web.usecases.dashboard import drill as dashboard_drill
from web.usecases.dashboard import overview as dashboard
from web.usecases.dashboard import versions as dashboard_versions
from web.usecases.dashboard import workload as dashboard_workload
from web.usecases.dashboard.views import Filters, Overview
from web.usecases.errors import Invalid
from web.usecases.library import sops
from web.usecases.pagination import PageRequest

# Named apart from the API's "dashboard" blueprint (/api/dashboard).
bp = Blueprint("dashboard_pages", __name__, url_prefix="/dashboard")

FILTER_KEYS = ("from", "to", "unit", "sop", "version")
CSV_PAGE = 100  # requests fetched at a time for a drill-down's CSV (the most a page holds)
FIGURES = {
    "started": lazy_gettext("Requests started in the period"),
    "completed": lazy_gettext("Requests completed in the period"),
    "open": lazy_gettext("Requests open at the end of the period"),
    "on_time": lazy_gettext("Completed requests that met their time standard"),
    "late": lazy_gettext("Completed requests that missed their time standard"),
    "steps_late": lazy_gettext("Requests with a step that missed its time standard"),
    "activity": lazy_gettext("Requests that reached the step"),
    "activity_completed": lazy_gettext("Requests whose step was completed"),
    "activity_open": lazy_gettext("Requests waiting at the step"),
    "activity_breached": lazy_gettext("Requests whose step missed its time standard"),
    "position": lazy_gettext("Requests with steps of the position"),
    "position_open": lazy_gettext("Requests with open steps of the position"),
    "position_breached": lazy_gettext("Requests with late steps of the position"),
    "officer": lazy_gettext("Requests with steps done by the officer"),
    "officer_open": lazy_gettext("Requests with steps the officer has claimed"),
    "officer_breached": lazy_gettext("Requests with late steps done by the officer"),
}


def csv_url(table: str) -> str:
    """This page's figures as CSV: the same URL with ``format=csv&table=``."""
    args = {key: value for key, value in request.args.items() if key != "page"}
    args.update(format="csv", table=table)
    return url_for(request.endpoint or "", **(request.view_args or {}), **args)


def period_args(form: dict[str, str]) -> dict[str, str]:
    """The filters that carry over from one dashboard page to another."""
    return {key: form[key] for key in ("from", "to", "unit") if form.get(key)}


@bp.context_processor
def helpers() -> dict:
    return {
        "csv_url": csv_url,
        "period_args": period_args,
        "number": tables.number,
        "percent": tables.percent,
        "span": tables.span,
    }


def csv_response(table: tables.Table, filters: Filters) -> Response:
    """One table as a spreadsheet file named after it and the period."""
    filename = f"alur-{table.name}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    return csv_download(table.csv_rows(), filename)


Build = Callable[[Filters, dashboard.FilterChoices], dict[str, Any]]


def show(template: str, build: Build, fixed: dict[str, str] | None = None) -> ResponseReturnValue:
    """Parse the filters, build the page's figures, answer with the page or one table as CSV.

    A filter or figure the use case refuses (Invalid) shows the page again with the message
    and status 400; ``fixed`` holds filters that come from the URL's path (the SOP).
    """
    ctx, who = context(), actor()
    choices = dashboard.filter_choices(ctx, who)
    args = {key: request.args.get(key, "") for key in FILTER_KEYS} | (fixed or {})
    try:
        filters = dashboard.filters_from_args(ctx, who, {k: v for k, v in args.items() if v})
        view = build(filters, choices)
    except Invalid as exc:
        field = exc.details.get("field") if isinstance(exc.details, dict) else None
        return render_template(
            template, error=localized(exc), error_field=field, form=args, choices=choices
        ), 400
    if request.args.get("format") == "csv":
        found = {table.name: table for table in view["tables"]}
        name = request.args.get("table") or view["tables"][0].name
        if name not in found:
            abort(404)
        return csv_response(found[name], filters)
    form = {key: "" for key in FILTER_KEYS} | filters.as_args()
    return render_template(template, form=form, choices=choices, filters=filters, **view)


@bp.get("")
@login_required
def overview() -> ResponseReturnValue:
    def build(filters: Filters, _choices: Any) -> dict[str, Any]:
        found = dashboard.overview(context(), actor(), filters)
        drill = tables.Drill(filters)
        return {
            "overview": found,
            "totals": _totals(found),
            "drill": drill,
            "trend": charts.trend(found),
            "tables": [
                tables.sop_table(found, drill),
                tables.week_table(found, drill, charts.week_label),
            ],
        }

    return show("dashboard/overview.html", build)


def _totals(found: Overview) -> dict[str, Any]:
    """The big figures above the table: sums over the SOPs of the overview."""
    rows = found.rows
    on_time = tables.Share(
        sum(r.requests_on_time.part for r in rows), sum(r.requests_on_time.whole for r in rows)
    )
    return {
        "started": sum(r.started for r in rows),
        "completed": sum(r.completed for r in rows),
        "open": sum(r.open for r in rows),
        "on_time": on_time,
    }


@bp.get("/sops/<int:sop_id>")
@login_required
def sop(sop_id: int) -> ResponseReturnValue:
    def build(filters: Filters, choices: dashboard.FilterChoices) -> dict[str, Any]:
        detail = dashboard.sop_detail(context(), actor(), sop_id, filters)
        drill = tables.Drill(detail.filters)
        number = dict(choices.versions.get(sop_id, []))[detail.diagram_version_id]
        return {
            "detail": detail,
            "drill": drill,
            "diagram_number": number,
            "bpmn_url": url_for("library.bpmn", key=detail.sop_key, number=number),
            "heatmap": charts.heatmap(detail),
            "tables": [tables.activity_table(detail, drill)],
        }

    return show("dashboard/sop.html", build, {"sop": str(sop_id)})


@bp.get("/workload")
@login_required
def workload() -> ResponseReturnValue:
    def build(filters: Filters, _choices: Any) -> dict[str, Any]:
        found = dashboard_workload.workload(context(), actor(), filters)
        drill = tables.Drill(filters)
        return {
            "workload": found,
            "load_chart": charts.load(found),
            "tables": [
                tables.load_table("positions", found.positions, drill),
                tables.load_table("officers", found.officers, drill),
            ],
        }

    return show("dashboard/workload.html", build)


@bp.get("/sops/<int:sop_id>/versions")
@login_required
def versions(sop_id: int) -> ResponseReturnValue:
    def build(filters: Filters, choices: dashboard.FilterChoices) -> dict[str, Any]:
        chosen = [_arg(name, parse_number) for name in ("before", "after")]
        try:
            found = dashboard_versions.compare_versions(
                context(), actor(), sop_id, filters, *chosen
            )
        except Invalid as exc:
            if isinstance(exc.details, dict) and "versions" in exc.details:
                message = _("Only SOPs with two versions that ran requests can be compared.")
                raise Invalid(message, exc.details) from exc
            raise
        names = _activity_names(choices, sop_id, found.before_version[1], found.after_version[1])
        return {
            "comparison": found,
            "tables": [tables.difference_table(found, tables.Drill(filters), names)],
        }

    return show("dashboard/versions.html", build, {"sop": str(sop_id)})


def _activity_names(choices: dashboard.FilterChoices, sop_id: int, *numbers: int) -> dict[str, str]:
    """Activity id -> name in these versions of the SOP (a later version's name wins)."""
    key = next(key for found, key, _ in choices.sops if found == sop_id)
    names = {}
    for number in numbers:
        metadata = sops.get_version(context(), actor(), key, number).sop_metadata or {}
        names.update({a["id"]: a["name"] for a in metadata.get("activities", [])})
    return names


def _arg(name: str, parse: Callable[[str, str], Any]) -> Any:
    """An optional query parameter; :raises Invalid: naming it when it does not parse."""
    value = request.args.get(name, "").strip()
    try:
        return parse(value, name) if value else None
    except Invalid:
        raise Invalid(
            _("The parameter “%(name)s” is not valid.", name=name), {"field": name}
        ) from None


def _activity_label(
    choices: dashboard.FilterChoices, filters: Filters, activity: str | None
) -> str | None:
    """The name of a drill-down's step, as the newest version of its SOP calls it."""
    if activity is None or filters.sop_id is None:
        return activity
    numbers = [number for _, number in reversed(choices.versions.get(filters.sop_id, []))]
    return _activity_names(choices, filters.sop_id, *numbers).get(activity, activity)


@bp.get("/requests")
@login_required
def requests() -> ResponseReturnValue:
    figure = request.args.get("figure", "")

    def build(filters: Filters, choices: dashboard.FilterChoices) -> dict[str, Any]:
        options = {
            "activity": request.args.get("activity") or None,
            "position_id": _arg("position", parse_number),
            "user_id": _arg("user", parse_number),
            "week": _arg("week", parse_day),
            "lifetime": request.args.get("lifetime") == "1",
        }

        def fetch(page: PageRequest) -> Any:
            return dashboard_drill.requests_behind(
                context(), actor(), figure, filters, page, **options
            )

        if request.args.get("format") == "csv":
            found, items = fetch(PageRequest(1, CSV_PAGE)), []
            items.extend(found.items)
            for number in range(2, found.pages + 1):
                items.extend(fetch(PageRequest(number, CSV_PAGE)).items)
        else:
            found = fetch(page_request())
            items = found.items
        extra = {
            key: request.args[key]
            for key in ("figure", "activity", "position", "user", "week", "lifetime")
            if request.args.get(key)
        }
        return {
            "page": found,
            "title": FIGURES.get(figure, figure),
            "week": options["week"],
            "activity": _activity_label(choices, filters, options["activity"]),
            "sop_name": {sop: name for sop, _, name in choices.sops}.get(filters.sop_id),
            "unit_name": dict(choices.units).get(filters.unit_id),
            "args": filters.as_args() | extra,
            "tables": [tables.request_table(items)],
        }

    return show("dashboard/requests.html", build)
