"""Probe routes: an auditor writes a comment, sees what the system and their model make of it, and
flags it; their probes come back as a history."""

from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.exceptions import RequestEntityTooLarge

from indielabel.audit import flags as user_flags
from indielabel.audit.probing import Prober
from indielabel.errors import NotFoundError
from indielabel.web import schemas
from indielabel.web.request_handling import body, query, require_owner


def register(app: Flask, service, flags) -> None:
    prober = Prober(service)

    @app.post("/probe")
    def probe():
        params = body(schemas.ProbeBody)
        if len(params.text) > schemas.MAX_PROBE_CHARS:
            raise RequestEntityTooLarge(f"text: a probe is at most {schemas.MAX_PROBE_CHARS:,} characters; "
                                        f"this one has {len(params.text):,}")
        require_owner(params.user)
        return jsonify(probe=prober.probe(params.user, params.model, params.text))

    @app.get("/get_probes")
    def get_probes():
        params = query(schemas.UserQuery)
        require_owner(params.user)
        return jsonify(probes=prober.history().all(params.user), max_characters=schemas.MAX_PROBE_CHARS)

    @app.post("/flag_probe")
    def flag_probe():
        params = body(schemas.ProbeFlagBody)
        require_owner(params.user)
        probe = prober.history().by_id(params.user).get(params.probe_id)
        if probe is None:
            raise NotFoundError(f"you have no probe {params.probe_id}", field="probe_id")
        return jsonify(user_flags.flag_probe(flags, params.user, probe, params.option))
