"""The REST API: flask-smorest blueprints over the use cases, OpenAPI at /api/openapi.json."""

from flask import Flask

from web.api.errors import AlurApi


def init_api(app: Flask) -> AlurApi:
    from web.api import dashboard, event_log, health, instances, organization, sops, work_items

    api = AlurApi(
        app,
        spec_kwargs={
            "info": {
                "description": "Run SOP AP as BPMN processes. Authenticate with "
                "`Authorization: Bearer <token>` (create one with "
                "`alur token create NAME`)."
            },
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    )
    for module in (health, sops, instances, work_items, organization, event_log, dashboard):
        api.register_blueprint(module.blp)
    return api


def api_blueprints() -> list:
    """The API's blueprints (bearer-token authenticated, so exempt from CSRF)."""
    from web.api import dashboard, event_log, health, instances, organization, sops, work_items

    return [
        m.blp for m in (health, sops, instances, work_items, organization, event_log, dashboard)
    ]
