"""Administration pages: units, positions, users and the positions they hold, and how SOP
lanes map to positions. Admins only: everyone else gets 403 before any form is read, and the
use cases check again.
"""

import re

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from storage.models import Role
from web.pages.session import actor, context
from web.usecases.errors import Conflict, NotFound
from web.usecases.library.lane_mapping import lane_mapping
from web.usecases.organization import accounts, administration
from web.usecases.organization.chart import organization_chart

bp = Blueprint("admin", __name__, url_prefix="/admin")

CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,39}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
MIN_PASSWORD = 8
ROLE_LABELS = {
    Role.OFFICER: lambda: _("Officer"),
    Role.MANAGER: lambda: _("Manager"),
    Role.ANALYST: lambda: _("Analyst"),
    Role.ADMIN: lambda: _("Administrator"),
}


@bp.before_request
def admins_only() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    current_user.actor.require_role(Role.ADMIN, action="administer")
    return None


@bp.context_processor
def helpers() -> dict:
    return {"roles": list(Role), "role_label": lambda role: ROLE_LABELS[Role(role)]()}


def _text(errors: dict, name: str, message: str, limit: int = 200) -> str:
    value = " ".join(request.form.get(name, "").split())
    if not value:
        errors[name] = message
    elif len(value) > limit:
        errors[name] = _("At most %(count)s characters.", count=limit)
    return value


def _code(errors: dict, name: str = "code") -> str:
    value = request.form.get(name, "").strip().upper()
    if not CODE.match(value):
        errors[name] = _(
            "Use 1 to 40 capital letters, digits, dots, dashes or underscores, e.g. KEL-SKM."
        )
    return value


def _overview(errors: dict | None = None, status: int = 200) -> ResponseReturnValue:
    chart = organization_chart(context(), actor())
    units = [(depth, unit) for root in chart for depth, unit in root.walk()]
    problems = sum(len(v.problems) for v in lane_mapping(context(), actor()))
    return render_template(
        "admin/index.html",
        chart=chart,
        units=units,
        lane_problems=problems,
        errors=errors or {},
        form=request.form,
    ), status


@bp.get("")
def index() -> ResponseReturnValue:
    return _overview()


@bp.post("/units")
def create_unit() -> ResponseReturnValue:
    errors: dict[str, str] = {}
    code = _code(errors)
    name = _text(errors, "name", _("Enter the unit's name."))
    parent = request.form.get("parent", "").strip() or None
    if not errors:
        try:
            administration.create_unit(context(), actor(), code, name, parent_code=parent)
        except Conflict:
            errors["code"] = _("A unit with this code already exists.")
        except NotFound:
            errors["parent"] = _("Choose an existing parent unit.")
        else:
            flash(_("Unit %(name)s was created.", name=name), "success")
            return redirect(url_for("admin.index") + "#units")
    return _overview({"unit": errors}, 422)


@bp.post("/positions")
def create_position() -> ResponseReturnValue:
    errors: dict[str, str] = {}
    code = _code(errors)
    name = _text(errors, "name", _("Enter the position's name."))
    unit = request.form.get("unit", "").strip()
    if not unit:
        errors["unit"] = _("Choose the unit of the position.")
    if not errors:
        try:
            administration.create_position(context(), actor(), code, name, unit)
        except Conflict:
            errors["code"] = _("A position with this code already exists.")
        except NotFound:
            errors["unit"] = _("Choose the unit of the position.")
        else:
            flash(_("Position %(name)s was created.", name=name), "success")
            return redirect(url_for("admin.index") + "#units")
    return _overview({"position": errors}, 422)


def _users_page(errors: dict | None = None, status: int = 200) -> ResponseReturnValue:
    chart = organization_chart(context(), actor())
    return render_template(
        "admin/users.html",
        users=administration.list_users(context(), actor()),
        chart=chart,
        errors=errors or {},
        form=request.form,
        chosen=set(request.form.getlist("positions")),
    ), status


@bp.get("/users")
def users() -> ResponseReturnValue:
    return _users_page()


@bp.post("/users")
def create_user() -> ResponseReturnValue:
    errors: dict[str, str] = {}
    username = request.form.get("username", "").strip().lower()
    if not USERNAME.match(username):
        errors["username"] = _(
            "Use 2 to 80 small letters, digits, dots, dashes or underscores, e.g. siti.rahma."
        )
    full_name = _text(errors, "full_name", _("Enter the person's full name."))
    role = request.form.get("role", "")
    if role not in {r.value for r in Role}:
        errors["role"] = _("Choose a role.")
    password = request.form.get("password", "")
    if len(password) < MIN_PASSWORD:
        errors["password"] = _(
            "The password must have at least %(count)s characters.", count=MIN_PASSWORD
        )
    if not errors:
        try:
            administration.create_user(
                context(),
                actor(),
                username,
                full_name,
                Role(role),
                request.form.getlist("positions"),
                password=password,
            )
        except Conflict:
            errors["username"] = _("This username is taken.")
        except NotFound:
            errors["positions"] = _("Choose positions that exist.")
        else:
            flash(_("User %(name)s was created and can log in now.", name=full_name), "success")
            return redirect(url_for("admin.users"))
    return _users_page(errors, 422)


@bp.get("/users/<username>")
def user(username: str) -> ResponseReturnValue:
    return render_template(
        "admin/user.html",
        person=accounts.get_user(context(), actor(), username),
        chart=organization_chart(context(), actor()),
    )


@bp.post("/users/<username>/positions")
def set_positions(username: str) -> ResponseReturnValue:
    try:
        accounts.set_user_positions(context(), actor(), username, request.form.getlist("positions"))
    except NotFound as exc:
        if not (exc.details or {}).get("positions"):
            raise
        flash(_("Choose positions that exist."), "error")
    else:
        flash(_("The positions of %(username)s were saved.", username=username), "success")
    return redirect(url_for("admin.user", username=username))


@bp.route("/users/<username>/deactivate", methods=["GET", "POST"])
def deactivate(username: str) -> ResponseReturnValue:
    """GET asks for confirmation; POST deactivates."""
    person = accounts.get_user(context(), actor(), username)
    if request.method == "GET":
        if not person.is_active:
            return redirect(url_for("admin.user", username=username))
        return render_template("admin/deactivate.html", person=person)
    try:
        accounts.deactivate_user(context(), actor(), username)
    except Conflict:
        flash(_("You cannot deactivate your own account."), "error")
    else:
        flash(_("%(name)s can no longer log in.", name=person.full_name), "success")
    return redirect(url_for("admin.user", username=username))


@bp.post("/users/<username>/reactivate")
def reactivate(username: str) -> ResponseReturnValue:
    person = accounts.reactivate_user(context(), actor(), username)
    flash(_("%(name)s can log in again.", name=person.full_name), "success")
    return redirect(url_for("admin.user", username=username))


@bp.get("/lanes")
def lanes() -> ResponseReturnValue:
    return render_template("admin/lanes.html", versions=lane_mapping(context(), actor()))
