"""Errors on pages are pages: a clear message in the user's language, never a stack trace."""

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

TITLES = {
    400: lambda: _("The request could not be understood"),
    401: lambda: _("Please log in"),
    403: lambda: _("You may not open this page"),
    404: lambda: _("Not found"),
    405: lambda: _("Not allowed"),
    409: lambda: _("Someone else was first"),
    413: lambda: _("The file is too large"),
    422: lambda: _("Please check what you entered"),
    429: lambda: _("Too many attempts"),
    500: lambda: _("Something went wrong on our side"),
}
EXPLANATIONS = {
    403: lambda: _("This belongs to positions or units you do not hold. Nothing was changed."),
    404: lambda: _("The page or item does not exist (any more)."),
    500: lambda: _("The error was logged. Please try again; if it repeats, tell an administrator."),
}


def render_error(status: int, message: str | None = None) -> ResponseReturnValue:
    title = TITLES.get(status, TITLES[400])()
    explanation = EXPLANATIONS.get(status, lambda: None)()
    return render_template(
        "error.html",
        status=status,
        title=title,
        message=message if status < 500 else None,
        explanation=explanation,
    ), status


def init_errors(app: Flask) -> None:
    app.extensions["alur"]["html_errors"] = render_error

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> ResponseReturnValue:
        if request.path.startswith("/api/"):
            return error.get_response()
        return render_error(
            400,
            _(
                "The form has expired or did not come from this site. "
                "Reload the page and try again."
            ),
        )
