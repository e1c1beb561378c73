"""What every route needs: reading and validating a request, JSON errors, and browser ownership of users."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Response, after_this_request, current_app, jsonify, redirect, request
from pydantic import BaseModel, ValidationError

from indielabel.web import ownership, schemas

OWNERS = "indielabel.owners"
LIMITS = "indielabel.rate_limits"


class RequestError(Exception):
    def __init__(self, message: str, field: str | None):
        super().__init__(message)
        self.message, self.field = message, field


def error_document(code: str, message: str, field: str | None = None, **extra) -> dict:
    """Every error's JSON, also the ones the serving worker sends before a request reaches Flask."""
    return {"error": {"code": code, "message": message, "field": field, **extra}}


def error_response(status: int, code: str, message: str, field: str | None = None, **extra) -> Response:
    response = jsonify(error_document(code, message, field, **extra))
    response.status_code = status
    return response


def parse(schema: type[BaseModel], values: dict) -> BaseModel:
    try:
        return schema.model_validate(values)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        raise RequestError(f"{field}: {first['msg']}" if field else first["msg"], field) from None


def query(schema: type[BaseModel]) -> BaseModel:
    return parse(schema, request.args.to_dict())


def body(schema: type[BaseModel]) -> BaseModel:
    """The JSON body, validated. A body over the size limit raises werkzeug's 413, chunked or not."""
    if not request.is_json:
        raise RequestError("the request body must be a JSON object (Content-Type: application/json)", None)
    document = json_document(request.get_data(cache=True))
    if not isinstance(document, dict):
        raise RequestError("the request body must be a JSON object", None)
    return parse(schema, document)


def json_document(data: bytes):
    try:
        return json.loads(data)
    except RecursionError:
        raise RequestError("the request body is nested too deeply", None) from None
    except ValueError:
        raise RequestError("the request body must be a JSON object; this is not valid JSON", None) from None


def require_owner(user: str) -> None:
    """403 unless this browser owns ``user``; on a POST, a user nobody owns yet becomes this browser's.

    A GET never claims: a page on another site can make a browser send GETs (an image, a link).
    """
    owners = current_app.extensions[OWNERS]
    send_owner_cookie(owners.check(user, owner_cookie(), client=request.remote_addr,
                                   claim=request.method == "POST"))


def owner_cookie() -> str | None:
    return request.cookies.get(ownership.COOKIE_NAME)


def limit_rate(name: str, key: str, what: str) -> None:
    """Count one action under the app's rate limit ``name`` (429 with Retry-After when none is left)."""
    current_app.extensions[LIMITS].take(name, key, what)


def send_owner_cookie(access: ownership.Access) -> None:
    if access.cookie is None:
        return

    @after_this_request
    def set_owner_cookie(response: Response) -> Response:
        response.set_cookie(ownership.COOKIE_NAME, access.cookie, max_age=ownership.COOKIE_MAX_AGE_SECONDS,
                            httponly=True, samesite="Lax", secure=request.is_secure)
        return response


def open_study_link() -> Response:
    """`/?user=NAME&key=KEY` from `python -m indielabel users create`: the key gives this browser the user."""
    params = query(schemas.ClaimQuery)
    send_owner_cookie(current_app.extensions[OWNERS].redeem(params.user, params.key, owner_cookie()))
    # Without the key, the address kept in the browser's history and bookmarks gives nothing away.
    rest = [(name, value) for name, value in request.args.items(multi=True) if name != "key"]
    return redirect(f"/?{urlencode(rest)}", code=303)
