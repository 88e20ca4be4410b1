"""The Flask application factory: defaults, then environment, then the test mapping."""

import logging
from typing import Any

from flask import Flask

from web.headers import init_headers
from web.https import init_https
from web.settings import load_settings
from web.wiring import build_context


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides settings by name (``{"DATABASE_URL": ...}``)."""
    settings = load_settings(config)
    app = Flask(__name__, instance_path=settings.instance_path)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        # Uploads may be as large as a BPMN may be, plus room for the multipart envelope.
        MAX_CONTENT_LENGTH=settings.max_bpmn_bytes + 64 * 1024,
        API_TITLE="Alur API",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        # Swagger UI is served from the vendored copy: no CDN, the app works offline.
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/static/vendor/swagger-ui/",
    )
    logging.basicConfig(level=settings.log_level)
    context, engine = build_context(settings)
    app.json.sort_keys = False  # keep fields in the order the schemas declare them
    app.extensions["alur"] = {"settings": settings, "context": context, "engine": engine}

    from web.api import api_blueprints, init_api
    from web.input_guards import init_input_guards
    from web.pages import init_pages

    init_input_guards(app)
    init_api(app)
    init_pages(app, api_blueprints())
    init_headers(app)
    init_https(app, settings.trusted_proxies)
    return app
