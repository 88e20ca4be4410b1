"""Log in, log out, and switch the interface language."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from storage.models import Role
from web.i18n import LANGUAGE_COOKIE, LANGUAGES
from web.pages.session import SessionUser, context
from web.usecases.errors import Unauthenticated
from web.usecases.organization import login

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None, default: str) -> str:
    """Only redirect within this site (no scheme, no host), or to ``default``."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return default
    return target


def _home() -> str:
    """Where a login lands: the dashboard for managers and analysts, else the inbox."""
    if current_user.actor.has_role(Role.MANAGER, Role.ANALYST):
        return url_for("dashboard_pages.overview")
    return url_for("inbox.index")


@bp.route("/login", methods=["GET", "POST"])
def login_page() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_home())
    error = None
    username = request.form.get("username", "")
    if request.method == "POST":
        try:
            profile = login.authenticate_password(
                context(), username, request.form.get("password", "")
            )
        except Unauthenticated:
            error = _(
                "Wrong username or password, or too many failed attempts: wait a few minutes."
            )
        else:
            login_user(SessionUser(profile))
            return redirect(_safe_next(request.args.get("next"), _home()))
    status = 401 if error else 200
    return render_template("login.html", error=error, username=username), status


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    login.log_out(context(), current_user.actor)
    logout_user()
    flash(_("You have logged out."), "success")
    return redirect(url_for("auth.login_page"))


@bp.post("/language")
def language() -> ResponseReturnValue:
    chosen = request.form.get("language", "id")
    if chosen not in LANGUAGES:
        chosen = "id"
    if current_user.is_authenticated:
        login.set_language(context(), current_user.actor, chosen)
    response = redirect(_safe_next(request.form.get("next"), url_for("inbox.index")))
    response.set_cookie(
        LANGUAGE_COOKIE,
        chosen,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response
