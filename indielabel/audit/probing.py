"""Try it yourself: a comment the auditor writes, scored by the system and rated by their own model.

The system scores the text through the configured scorer: a dataset's stored scores answer for a
text the dataset holds; any other text goes to the live scorer (the system itself when it is
profanity-check or an HTTP classifier, else `live_system`). With no live scorer the probe says so.

The user's model rates comments it has seen; a new text is placed among them in the model's content
space (the words it reads comments by, `neighbours.TextSpace`): its predicted rating is the
similarity-weighted mean of the model's ratings of the most similar comments, and its topic the one
those comments weigh most in. Every probe is kept in the user's probe history.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

import audit_utils
from indielabel.audit.service import AuditService
from indielabel.config import ConfigError
from indielabel.data.systems import ScoringError, System, make_system
from indielabel.errors import UnavailableError
from indielabel.model.neighbours import TextSpace
from indielabel.storage.probes import ProbeHistory
from indielabel.storage.reports import now_iso

NEIGHBOURS = 25
NO_LIVE_SCORER = ("the system cannot score a new text on this server: its scores are stored with the dataset and "
                  "no live scorer is configured (the organizer can set INDIELABEL_LIVE_SYSTEM to profanity-check, "
                  "or to http with INDIELABEL_SYSTEM_URL)")


def live_system(settings) -> System | None:
    """The scorer for texts without a stored score, or None when the server has none."""
    name = settings.system if settings.system != "stored" else settings.live_system
    if not name:
        return None
    try:
        return make_system(name, url=settings.system_url, text_field=settings.system_text_field,
                           score_field=settings.system_score_field)
    except ConfigError as error:
        raise UnavailableError(f"the live scorer is misconfigured: {error}", field="text") from error


class Prober:
    """Probes over one audit service: the content space is built on the first probe and kept."""

    def __init__(self, service: Callable[[], AuditService]):
        self._service = service
        self._space: TextSpace | None = None
        self._stored: dict[str, float] | None = None
        self._lock = threading.Lock()

    def history(self) -> ProbeHistory:
        return ProbeHistory(self._service().store.root)

    def probe(self, user: str, model: str, text: str) -> dict:
        service = self._service()
        predictions = service.model_view(user, model).predicted_rating  # 404 for an unknown model first
        system_rating = 4.0 * self._system_score(service, text)
        neighbours = self._text_space(service).nearest_to_text(text, NEIGHBOURS)
        probe = {"comment": text, "model": model, "system_rating": round(system_rating, 2),
                 "system_decision": str(audit_utils.decision_label(system_rating)),
                 "predicted_rating": None, "predicted_decision": None, "error_type": None, "topic": None,
                 "similar_comments": len(neighbours.positions)}
        if len(neighbours.positions):
            weights = neighbours.similarity / neighbours.similarity.sum()
            predicted = float(weights @ predictions[neighbours.positions])
            code = int(audit_utils.error_type_codes(system_rating, predicted))
            probe.update(predicted_rating=round(predicted, 2),
                         predicted_decision=str(audit_utils.decision_label(predicted)),
                         error_type=audit_utils.ERROR_TYPE_NAMES[code],
                         topic=_heaviest_topic(service, neighbours.positions, weights))
        probe["created_at"] = now_iso()
        return self.history().add(user, probe)

    def _system_score(self, service: AuditService, text: str) -> float:
        if service.settings.system == "stored":
            stored = self._stored_scores(service).get(text)
            if stored is not None:
                return stored
        scorer = live_system(service.settings)
        if scorer is None:
            raise UnavailableError(NO_LIVE_SCORER, field="text")
        try:
            return float(scorer.score([text])[0])
        except ScoringError as error:
            raise UnavailableError(f"the system could not score the text: {error}", field="text") from error

    def _stored_scores(self, service: AuditService) -> dict[str, float]:
        with self._lock:
            if self._stored is None:
                items = service.data.items
                self._stored = dict(zip(items["comment"], items["system_score"].astype(float)))
            return self._stored

    def _text_space(self, service: AuditService) -> TextSpace:
        with self._lock:
            if self._space is None:
                self._space = TextSpace(service.data.items["comment"].tolist())
            return self._space


def _heaviest_topic(service: AuditService, positions: np.ndarray, weights: np.ndarray) -> str:
    topics = service.frame["topic"].to_numpy()[positions]
    totals: dict[str, float] = {}
    for topic, weight in zip(topics, weights):
        totals[topic] = totals.get(topic, 0.0) + float(weight)
    return max(totals, key=totals.get)

