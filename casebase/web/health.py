"""Is the process alive, is it ready to serve (docs/contract.md section 12)?

`/healthz` does no database or index work: a process that answers it is alive (a container's
restart policy asks this). `/readyz` says whether the database answers and the index is in step
with the database's change log; it catches up first, as a search does, so a server that has
only not been asked anything since another server wrote is ready (a load balancer asks this).
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from .. import get_service
from .apischemas import HealthSchema, documented_errors

health = Blueprint("health", __name__, description="Is the service up and ready?")


def _not_cached(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


health.after_request(_not_cached)


@health.route("/healthz")
class Health(MethodView):
    @health.response(200, HealthSchema)
    def get(self) -> Any:
        """The process is alive

        Does no database or index work.
        """
        return {"status": "ok"}


@health.route("/readyz")
class Ready(MethodView):
    @health.response(200, HealthSchema)
    @documented_errors(
        health, {503: "The database does not answer, or the index is not in step with it."}
    )
    def get(self) -> Any:
        """Ready to serve

        The database answers and the search index has every change of the database's change
        log (and this year's derived statuses); 503 with the reason when not.
        """
        get_service(current_app).ready()
        return {"status": "ok"}


BLUEPRINTS = (health,)
