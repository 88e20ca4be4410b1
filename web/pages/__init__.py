"""The pages people use: Jinja templates over the same use cases as the API.

Sessions come from Flask-Login (password login), every form carries a CSRF token
(Flask-WTF), and every string goes through Flask-Babel.
"""

from flask import Flask, redirect, url_for
from flask_babel import lazy_gettext
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from web.i18n import init_i18n
from web.pages.session import load_user

csrf = CSRFProtect()


def init_pages(app: Flask, api_blueprints: list) -> None:
    from web.pages import admin, auth, dashboard, errors, inbox, library, overlaps, requests

    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # valid for the session: a long form must not expire
    )
    init_i18n(app)
    login_manager = LoginManager(app)
    login_manager.login_view = "auth.login_page"
    login_manager.login_message = lazy_gettext("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    csrf.init_app(app)
    for blueprint in api_blueprints:
        csrf.exempt(blueprint)  # the API authenticates with bearer tokens, not cookies
    for module in (auth, inbox, requests, library, dashboard, overlaps, admin):
        app.register_blueprint(module.bp)
    errors.init_errors(app)
    # Browsers ask for /favicon.ico whatever the page links; send them to the linked icon.
    app.add_url_rule(
        "/favicon.ico",
        "favicon",
        lambda: redirect(url_for("static", filename="favicon.svg"), code=301),
    )
