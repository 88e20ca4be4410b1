"""Every error leaves the API as JSON ``{code, message, details}`` with its status, mapped once."""

import logging

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, format_decimal, gettext
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, InternalServerError

from engine.errors import Problem
from web.api.schemas import ErrorSchema
from web.error_text import api_language, localized, localized_for_api
from web.form_errors import field_messages
from web.usecases import errors
from web.usecases.library.sops import BPMN_TOO_LARGE

STATUS = {
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PayloadTooLarge: 413,
    errors.Invalid: 422,
}
log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, details: object = None):
    response = jsonify({"code": code, "message": message, "details": details})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="alur"'
    return response


def _api_text(template: str, **params: int) -> str:
    """One of the API's own messages in the client's language, numbers formatted for it."""
    with force_locale(api_language()):
        return gettext(template).format(**{k: format_decimal(v) for k, v in params.items()})


class AlurApi(Api):
    """flask-smorest's Api with Alur's error format for HTTP errors and use-case errors."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        self._app.register_error_handler(HTTPException, self.handle_http_exception)
        self._app.register_error_handler(errors.UseCaseError, self.handle_use_case_error)
        self._app.register_error_handler(Exception, self.handle_unexpected)

    @staticmethod
    def _page(status: int, message: str | None) -> ResponseReturnValue | None:
        """Outside /api, errors are rendered as pages (set up by web.pages)."""
        if request.path == "/api" or request.path.startswith("/api/"):
            return None
        render = current_app.extensions["alur"].get("html_errors")
        return render(status, message) if render else None

    def handle_http_exception(self, error: HTTPException) -> ResponseReturnValue:
        page = self._page(error.code or 500, None)
        if page is not None:
            return page
        data = getattr(error, "data", None) or {}
        details = data.get("messages") or data.get("errors")
        if error.code == 422 and details:
            # Marshmallow's messages are {location: {field: [messages]}}: flatten to fields.
            fields = {}
            for location in details.values():
                fields.update(location if isinstance(location, dict) else {})
            named = ", ".join(fields) or ", ".join(details)
            with force_locale(api_language()):
                message = gettext("The request has invalid fields: {named}.").format(named=named)
            return error_response(422, "invalid", message, {"fields": fields or details})
        if error.code == 413:
            # Flask refuses bodies over MAX_CONTENT_LENGTH before the use case sees them:
            # answer as the use case does for a BPMN over the limit.
            limit = current_app.extensions["alur"]["settings"].max_bpmn_bytes
            template = "The request is larger than the limit of {limit} bytes."
            message = _api_text(template, limit=limit)
            details = {
                "problems": [
                    Problem("file_too_large", template.format(limit=f"{limit:,}")).as_dict()
                ]
            }
            return error_response(413, BPMN_TOO_LARGE.code, message, details)
        if error.code == 400 and details:
            # webargs' only 400 with messages: a body that does not decode as JSON.
            message = _api_text("The request body is not valid JSON.")
            return error_response(400, "bad_request", message, None)
        code = (error.name or "error").lower().replace(" ", "_")
        # Our own refusals (web.input_guards, web.api.json_body) have Indonesian texts;
        # werkzeug's own descriptions stay as werkzeug words them.
        with force_locale(api_language()):
            text = gettext(error.description) if error.description else error.name
        response = error_response(error.code or 500, code, text, None)
        # Keep what the error says about itself, such as the Allow header of a 405.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    def handle_use_case_error(self, error: errors.UseCaseError) -> ResponseReturnValue:
        # A page speaks the user's language; the API the one its client asked for.
        page = self._page(STATUS.get(type(error), 400), localized(error))
        if page is not None:
            return page
        details = error.details
        if isinstance(details, dict) and "field_errors" in details:
            # Engine codes are worded here, in the language the client asked for.
            with force_locale(api_language()):
                details = {**details, "fields": field_messages(details["field_errors"])}
        return error_response(
            STATUS.get(type(error), 400), error.code, localized_for_api(error), details
        )

    def handle_unexpected(self, error: Exception) -> ResponseReturnValue:
        if isinstance(error, HTTPException):
            return self.handle_http_exception(error)
        log.exception("unexpected error")
        page = self._page(500, None)
        if page is not None:
            return page
        return error_response(500, "internal_error", InternalServerError.description, None)
