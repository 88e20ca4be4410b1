"""GET /api/health: is the app up and can it reach its database."""

from flask.views import MethodView
from sqlalchemy import text

from web.api.auth import context
from web.api.json_body import Blueprint

blp = Blueprint("health", __name__, url_prefix="/api", description="Liveness and readiness.")


@blp.route("/health")
class Health(MethodView):
    @blp.doc(security=[])
    @blp.response(200)
    def get(self):
        """Report whether the database answers; needs no token."""
        with context().transaction() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "database": "ok"}
