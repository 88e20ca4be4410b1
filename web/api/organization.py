"""/api/units, /api/positions, /api/users: who works where (users: admins only)."""

from flask.views import MethodView

from web.api import schemas
from web.api.auth import context, current_actor, require_token
from web.api.json_body import Blueprint
from web.usecases.organization import administration

blp = Blueprint(
    "organization", __name__, url_prefix="/api", description="Units, positions and users."
)
blp.before_request(require_token)


@blp.route("/units")
class Units(MethodView):
    @blp.response(200, schemas.UnitSchema(many=True))
    def get(self):
        """Every unit (perangkat daerah and its parts); ``parent_id`` gives the nesting."""
        return administration.list_units(context(), current_actor())


@blp.route("/positions")
class Positions(MethodView):
    @blp.response(200, schemas.PositionSchema(many=True))
    def get(self):
        """Every position (jabatan) with its unit."""
        return administration.list_positions(context(), current_actor())


@blp.route("/users")
class Users(MethodView):
    @blp.response(200, schemas.UserSchema(many=True))
    def get(self):
        """Every user with role and positions (admins only)."""
        return administration.list_users(context(), current_actor())
