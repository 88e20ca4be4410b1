"""The officer's inbox (kotak masuk) and the page of one step: claim, give back, complete."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from storage.models import Role, WorkItem, WorkItemStatus
from web import form_errors
from web.pages import display, step_form
from web.pages.session import actor, context
from web.usecases.errors import Conflict, Invalid
from web.usecases.library import sops
from web.usecases.runtime import work_items
from web.usecases.runtime.sla import work_item_sla
from web.usecases.runtime.work_items import WorkItemView

bp = Blueprint("inbox", __name__)
display.register(bp)


@bp.get("/")
@bp.get("/inbox")
@login_required
def index() -> ResponseReturnValue:
    sop = request.args.get("sop") or None
    overdue = request.args.get("overdue") == "1"
    page = work_items.inbox(context(), actor(), display.page_request(), sop, overdue)
    counts = work_items.inbox_counts(context(), actor(), sop)
    now = context().clock()
    return render_template(
        "inbox/index.html",
        page=page,
        counts=counts,
        sops=sops.list_sops(context(), actor()),
        sop=sop,
        overdue=overdue,
        now=now,
        sla_of=lambda item: work_item_sla(item, now),
    )


def _conflict_message(item: WorkItem) -> str:
    """What happened to the step meanwhile, from its current state: who, and when."""
    if item.status == WorkItemStatus.COMPLETED:
        name = item.completed_by.full_name if item.completed_by else _("someone else")
        return _(
            "%(name)s already completed this step on %(time)s.",
            name=name,
            time=display.when(item.completed_at),
        )
    if item.status == WorkItemStatus.CANCELLED:
        return _(
            "This step was withdrawn on %(time)s: the request moved on without it or was "
            "cancelled.",
            time=display.when(item.completed_at),
        )
    if item.status == WorkItemStatus.CLAIMED and item.claimed_by_id != actor().user_id:
        return _(
            "%(name)s claimed this step on %(time)s; only they can complete it now.",
            name=item.claimed_by.full_name if item.claimed_by else _("someone else"),
            time=display.when(item.claimed_at),
        )
    return _("Someone else changed this step a moment ago. Check it and try again.")


def _render(
    view: WorkItemView,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    comment: str = "",
    conflict: str | None = None,
    form_error: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    item, me = view.item, actor()
    holds = item.position_id in me.position_ids
    mine = item.status == WorkItemStatus.CLAIMED and item.claimed_by_id == me.user_id
    fields = view.activity.fields
    return render_template(
        "inbox/work_item.html",
        view=view,
        item=item,
        activity=view.activity,
        fields=fields,
        values=values if values is not None else step_form.initial_values(fields, view.data),
        errors=errors or {},
        comment=comment,
        conflict=conflict,
        form_error=form_error,
        submitted=values if conflict else None,
        can_claim=holds and item.status == WorkItemStatus.OPEN,
        can_unclaim=item.status == WorkItemStatus.CLAIMED
        and (item.claimed_by_id == me.user_id or me.has_role(Role.MANAGER, Role.ADMIN)),
        can_complete=holds and (item.status == WorkItemStatus.OPEN or mine),
        now=context().clock(),
    ), status


def _after_conflict(item_id: int, values: dict[str, str] | None = None) -> ResponseReturnValue:
    view = work_items.get_work_item(context(), actor(), item_id)
    return _render(view, values=values, conflict=_conflict_message(view.item), status=409)


@bp.get("/work-items/<int:item_id>")
@login_required
def work_item(item_id: int) -> ResponseReturnValue:
    return _render(work_items.get_work_item(context(), actor(), item_id))


@bp.post("/work-items/<int:item_id>/claim")
@login_required
def claim(item_id: int) -> ResponseReturnValue:
    try:
        work_items.claim(context(), actor(), item_id)
    except Conflict:
        return _after_conflict(item_id)
    flash(_("You have claimed this step: colleagues see that you are working on it."), "success")
    return redirect(url_for(".work_item", item_id=item_id))


@bp.post("/work-items/<int:item_id>/unclaim")
@login_required
def unclaim(item_id: int) -> ResponseReturnValue:
    try:
        item = work_items.unclaim(context(), actor(), item_id)
    except Conflict:
        return _after_conflict(item_id)
    flash(
        _("The step is back in the inbox of %(position)s.", position=item.position.name),
        "success",
    )
    return redirect(url_for(".work_item", item_id=item_id))


@bp.post("/work-items/<int:item_id>/complete")
@login_required
def complete(item_id: int) -> ResponseReturnValue:
    view = work_items.get_work_item(context(), actor(), item_id)
    fields = view.activity.fields
    values = step_form.submitted_values(fields, request.form)
    comment = request.form.get("comment", "")
    try:
        item = work_items.complete(
            context(), actor(), item_id, step_form.form_data(fields, values), comment
        )
    except Conflict:
        return _after_conflict(item_id, values)
    except Invalid as exc:
        errors = form_errors.field_messages((exc.details or {}).get("field_errors") or {})
        problem = (
            _("Please check the marked fields.")
            if errors
            else _("The SOP could not continue after this step; tell its analyst.")
        )
        return _render(
            view, values=values, errors=errors, comment=comment, form_error=problem, status=422
        )
    flash(
        _(
            "Step “%(step)s” of %(reference)s is completed.",
            step=item.activity_name,
            reference=view.instance.reference,
        ),
        "success",
    )
    return redirect(url_for("requests.detail", instance_id=item.instance_id))
