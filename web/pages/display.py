"""How the officer's pages show times, durations, states, form labels and values."""

from datetime import date, datetime, timedelta
from typing import Any

from babel.units import format_unit
from flask import Blueprint, current_app, request
from flask_babel import format_date, format_datetime, get_locale, lazy_gettext
from flask_babel import gettext as _

from engine.forms import FormField
from storage.models import InstanceStatus, WorkItemStatus
from web.pages.step_form import NO, YES
from web.usecases.bounds import parse_number
from web.usecases.errors import Invalid
from web.usecases.pagination import PageRequest

# Indonesian style ("23 Nov 2026, 08.05 WIB") in the organization's time zone.
DATETIME_FORMAT = "d MMM yyyy, HH.mm z"
DATE_FORMAT = "d MMM yyyy"

WORK_ITEM_STATUS = {
    WorkItemStatus.OPEN: (lazy_gettext("Open"), "warn"),
    WorkItemStatus.CLAIMED: (lazy_gettext("Being worked on"), ""),
    WorkItemStatus.COMPLETED: (lazy_gettext("Completed"), "ok"),
    WorkItemStatus.CANCELLED: (lazy_gettext("Withdrawn"), ""),
}
INSTANCE_STATUS = {
    InstanceStatus.RUNNING: (lazy_gettext("Running"), ""),
    InstanceStatus.COMPLETED: (lazy_gettext("Completed"), "ok"),
    InstanceStatus.CANCELLED: (lazy_gettext("Cancelled"), "bad"),
}
EVENTS = {
    "instance_started": lazy_gettext("Request started"),
    "work_item_opened": lazy_gettext("Step opened"),
    "work_item_claimed": lazy_gettext("Step claimed"),
    "work_item_unclaimed": lazy_gettext("Step given back"),
    "work_item_completed": lazy_gettext("Step completed"),
    "work_item_withdrawn": lazy_gettext("Step withdrawn"),
    "timer_fired": lazy_gettext("Timer fired: escalation"),
    "work_item_warned": lazy_gettext("Step at risk of missing its time standard"),
    "work_item_breached": lazy_gettext("Step missed its time standard"),
    "timer_failed": lazy_gettext("Timer failed"),
    "instance_completed": lazy_gettext("Request completed"),
    "instance_cancelled": lazy_gettext("Request cancelled"),
}
# The applicant's data entered when a request starts (see requests.start).
START_FIELDS = {
    "pemohon": lazy_gettext("Applicant's name"),
    "nik": lazy_gettext("NIK (national identity number)"),
    "telepon": lazy_gettext("Phone"),
    "alamat": lazy_gettext("Address"),
    "keperluan": lazy_gettext("Purpose"),
}


def when(moment: datetime | None) -> str:
    return format_datetime(moment, DATETIME_FORMAT) if moment else "—"


def duration(span: timedelta | None) -> str:
    """A span in words, largest units first: "2 jam 5 menit", "3 hari 4 jam"."""
    if span is None:
        return "—"
    minutes = int(span.total_seconds() // 60)
    if minutes < 1:
        return _("less than a minute")
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    shown = [(days, "duration-day"), (hours, "duration-hour")]
    if not days:
        shown.append((minutes, "duration-minute"))
    locale = get_locale()
    return " ".join(
        format_unit(amount, unit, length="long", locale=locale) for amount, unit in shown if amount
    )


def is_overdue(due_at: datetime | None, now: datetime) -> bool:
    return due_at is not None and due_at < now


def field_label(spec: FormField) -> str:
    """The label in the page's language: ``label`` is Indonesian, ``label_en`` English."""
    english = str(get_locale()) == "en"
    return (spec.label_en or spec.label) if english else spec.label


def option_label(option: Any) -> str:
    english = str(get_locale()) == "en"
    return (option.label_en or option.label) if english else option.label


def field_choices(spec: FormField) -> list[tuple[str, str]]:
    """The answers of a yes/no or choice field as (value, label in the page's language)."""
    if spec.type == "boolean":
        return [(YES, _("Yes")), (NO, _("No"))]
    return [(option.value, option_label(option)) for option in spec.options]


def field_value(spec: FormField | None, value: Any) -> str:
    """A stored value as a person reads it: yes/no, the chosen option's label, a local date."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if spec is not None and spec.type == "choice":
        chosen = next((o for o in spec.options if o.value == value), None)
        return option_label(chosen) if chosen else str(value)
    if spec is not None and spec.type == "date" and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value), DATE_FORMAT)
        except ValueError:
            return value
    return "—" if value is None or value == "" else str(value)


def page_request() -> PageRequest:
    """The page asked for in the query string, at the configured page size."""
    settings = current_app.extensions["alur"]["settings"]
    try:
        number = parse_number(request.args.get("page", "1"), "page")
    except Invalid:
        number = 1  # a link with a page number that makes no sense opens the first page
    return PageRequest(number, settings.page_size).clamped(settings.max_page_size)


def register(bp: Blueprint) -> None:
    """Make the helpers available to every template as filters and globals."""
    bp.add_app_template_filter(when, "when")
    bp.add_app_template_filter(duration, "duration")
    bp.add_app_template_global(WORK_ITEM_STATUS, "WORK_ITEM_STATUS")
    bp.add_app_template_global(INSTANCE_STATUS, "INSTANCE_STATUS")
    bp.add_app_template_global(START_FIELDS, "START_FIELDS")
    bp.add_app_template_global(field_label, "field_label")
    bp.add_app_template_global(option_label, "option_label")
    bp.add_app_template_global(field_choices, "field_choices")
    bp.add_app_template_global(field_value, "field_value")
