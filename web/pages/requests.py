"""Requests (permohonan): start one, list them, follow one on its diagram, cancel one."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.sop_metadata import SopMetadata
from storage.models import InstanceStatus, Role
from web import form_errors
from web.pages import display, history
from web.pages.session import actor, context
from web.usecases.errors import Conflict, Invalid
from web.usecases.library import sops
from web.usecases.runtime import instances

bp = Blueprint("requests", __name__)
display.register(bp)


@bp.get("/requests")
@login_required
def index() -> ResponseReturnValue:
    sop = request.args.get("sop") or None
    status = request.args.get("status", "")
    chosen = InstanceStatus(status) if status in InstanceStatus.__members__.values() else None
    q = request.args.get("q", "").strip() or None
    page = instances.list_instances(
        context(), actor(), display.page_request(), sop, chosen, reference=q
    )
    # A whole reference (as linked from an overlap flag's evidence) opens that request.
    if q and page.total == 1 and page.items[0].reference == q.upper():
        return redirect(url_for(".detail", instance_id=page.items[0].id))
    args = {key: value for key, value in (("sop", sop), ("status", chosen), ("q", q)) if value}
    return render_template(
        "requests/index.html",
        page=page,
        sops=sops.list_sops(context(), actor()),
        sop=sop,
        status=chosen,
        q=q,
        args=args,
    )


def _check_page(values: dict[str, str], startable: set[str]) -> dict[str, str]:
    """What only this page asks for; the applicant's data is checked by the use case."""
    errors = {}
    if values["sop"] not in startable:
        errors["sop"] = _("Choose the SOP of the request.")
    if not values["pemohon"]:
        errors["pemohon"] = _("Enter the applicant's name.")
    return errors


@bp.route("/requests/new", methods=["GET", "POST"])
@login_required
def start() -> ResponseReturnValue:
    startable = instances.startable_sops(context(), actor())
    source = request.form if request.method == "POST" else request.args
    values = {key: source.get(key, "").strip() for key in ("sop", *display.START_FIELDS)}
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {key: values[key] for key in display.START_FIELDS if values[key]}
        try:
            instances.check_applicant(data)
        except Invalid as exc:
            errors = form_errors.field_messages(exc.details["field_errors"])
        errors.update(_check_page(values, {sop.key for sop in startable}))
        if not errors:
            instance = instances.start_instance(context(), actor(), values["sop"], data)
            flash(_("Request %(reference)s has started.", reference=instance.reference), "success")
            return redirect(url_for(".detail", instance_id=instance.id))
    return render_template(
        "requests/start.html", startable=startable, values=values, errors=errors
    ), (422 if errors else 200)


def _detail(instance_id: int, cancel_errors: dict[str, str] | None = None, reason: str = ""):
    view = instances.get_instance(context(), actor(), instance_id)
    version = view.instance.sop_version
    metadata = SopMetadata.from_dict(
        sops.get_version(context(), actor(), version.sop.key, version.number).sop_metadata
    )
    fields = {spec.name: spec for activity in metadata.activities for spec in activity.fields}
    now = context().clock()
    rows = history.step_rows(view.work_items, now)
    running = view.instance.status == InstanceStatus.RUNNING
    started = next((e for e in view.events if e.type == "instance_started"), None)
    return render_template(
        "requests/detail.html",
        view=view,
        instance=view.instance,
        bpmn_url=url_for("library.bpmn", key=version.sop.key, number=version.number),
        markers=history.markers(view.work_items, now),
        rows=rows,
        open_rows=[row for row in rows if row.still_waiting or row.still_working],
        timeline=history.timeline(view.events, rows),
        fields=fields,
        started_by=started.actor.full_name if started and started.actor else None,
        can_cancel=running and actor().has_role(Role.MANAGER, Role.ADMIN),
        cancel_errors=cancel_errors or {},
        reason=reason,
    ), (422 if cancel_errors else 200)


@bp.get("/requests/<int:instance_id>")
@login_required
def detail(instance_id: int) -> ResponseReturnValue:
    return _detail(instance_id)


@bp.post("/requests/<int:instance_id>/cancel")
@login_required
def cancel(instance_id: int) -> ResponseReturnValue:
    reason = request.form.get("reason", "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Give the reason for cancelling.")
    if request.form.get("confirm") != "yes":
        errors["confirm"] = _("Tick the box to confirm the cancellation.")
    if errors:
        actor().require_role(Role.MANAGER, Role.ADMIN, action="cancel requests")
        return _detail(instance_id, errors, reason)
    try:
        instance = instances.cancel_instance(context(), actor(), instance_id, reason)
    except Conflict:
        flash(_("The request is no longer running; nothing was changed."), "error")
    else:
        flash(_("Request %(reference)s is cancelled.", reference=instance.reference), "success")
    return redirect(url_for(".detail", instance_id=instance_id))
