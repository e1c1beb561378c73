"""Self-description routes: the form's choices, and a user's optional profile (read, replace, delete)."""

from __future__ import annotations

from flask import Flask, jsonify

from indielabel.audit import self_descriptions
from indielabel.web import schemas
from indielabel.web.request_handling import body, query, require_owner


def register(app: Flask, service) -> None:
    def owned(params):
        """The request's parameters and the audit service, once the caller is known to own the user."""
        require_owner(params.user)
        return params, service()

    @app.get("/profile_attributes")
    def profile_attributes():
        return jsonify(attributes=self_descriptions.choices(service().base_model))

    @app.get("/profile")
    def get_profile():
        params, audit = owned(query(schemas.UserQuery))
        return jsonify(self_descriptions.describe(audit.store, audit.base_model, params.user))

    @app.put("/profile")
    def put_profile():
        params, audit = owned(body(schemas.ProfileBody))
        return jsonify(self_descriptions.save(audit.store, audit.base_model, params.user, params.profile))

    @app.delete("/profile")
    def delete_profile():
        params, audit = owned(query(schemas.UserQuery))
        return jsonify(self_descriptions.delete(audit.store, audit.base_model, params.user))
