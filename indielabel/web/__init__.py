"""What only the HTTP layer needs: request schemas, the OpenAPI document, browser ownership of
users, security headers and the production (gunicorn) entry point.

Owns: ``schemas`` (pydantic models of every route), ``openapi``, ``topic_check`` (refusing path-like
topic values), ``ownership`` (signed cookies, study links, ``users`` command), ``security_headers``,
``production`` (gunicorn entry points), ``buffered_worker`` (the gunicorn worker that reads requests
whole, with a deadline, before a thread takes them) and ``request_framing`` (when a request has fully
arrived); ``request_handling`` (validation, JSON errors, ownership checks),
``error_handlers``, and one ``*_routes`` module per group of routes, each with ``register(app, ...)``;
``organizer_session`` (the organizer's sign-in, sessions and CSRF tokens), ``organizer_schemas`` and
``study_links`` for the organizer's area.
May import: every stage below it (organizer, audit, storage, flagging, avid, data) and the top-level modules of
``indielabel``; ``production`` imports ``server`` lazily to build the app.
Must not import: nothing below ``web`` imports ``web``.
"""
