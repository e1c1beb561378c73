"""User routes: which user ids this browser owns, and starting an audit under a new or a study id."""

from __future__ import annotations

from flask import Flask, current_app, jsonify

from indielabel.web import schemas
from indielabel.web.request_handling import OWNERS, body, owner_cookie, require_owner


def register(app: Flask, service) -> None:
    @app.get("/users")
    def owned_users():
        return jsonify(users=current_app.extensions[OWNERS].owned(owner_cookie()))

    @app.post("/users")
    def start_user():
        """A POST, so that only a page of this site (SameSite cookie, JSON body) can create a user."""
        requested = body(schemas.NewUserBody).user
        user = service().new_user_id() if requested is None else requested
        require_owner(user)
        return jsonify(user=user, created=requested is None)
