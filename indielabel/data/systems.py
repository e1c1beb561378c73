"""The system under audit: anything that scores texts on 0-1, higher meaning more toxic.

Three kinds are built in:

- ``ProfanityCheck``: alt-profanity-check, an open-source offensive-language model (the default).
- ``StoredScores``: scores a dataset already carries, looked up by text.
- ``HttpScorer``: an organizer's own classifier behind a small JSON-over-HTTP contract::

      POST <url>    {"texts": ["first comment", "second comment"]}
      200 OK        {"scores": [0.91, 0.02]}

  one score in [0, 1] per text, in the same order. The two key names are configurable
  (``text_field`` names the request's list, ``score_field`` the response's list). Texts are sent in
  batches; timeouts, connection failures and 5xx answers are retried a bounded number of times.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from indielabel.config import ConfigError

SYSTEM_NAMES = ("stored", "profanity-check", "http")
DEFAULT_TEXT_FIELD = "texts"
DEFAULT_SCORE_FIELD = "scores"


class ScoringError(ValueError):
    """The system could not score the texts; the message says which system and why."""


class System(Protocol):
    name: str

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """One float64 score in [0, 1] per text, in order."""
        ...


def validated_scores(values, expected_count: int, source: str) -> np.ndarray:
    """``values`` as a float64 array after checking its length and that every value is in [0, 1]."""
    try:
        scores = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ScoringError(f"{source}: scores are not all numbers ({error})") from error
    if scores.ndim != 1 or len(scores) != expected_count:
        raise ScoringError(f"{source}: expected {expected_count} scores, got shape {scores.shape}")
    outside = ~((scores >= 0.0) & (scores <= 1.0))  # also catches NaN
    if outside.any():
        position = int(np.flatnonzero(outside)[0])
        raise ScoringError(f"{source}: score #{position} is {scores[position]!r}, not in [0, 1]")
    return scores


class ProfanityCheck:
    """alt-profanity-check's probability that a text is offensive."""

    name = "profanity-check"

    def __init__(self, batch_size: int = 10_000):
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.batch_size = batch_size

    def score(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros(0, dtype=np.float64)
        # The library loads its model at import, which takes seconds: only pay for it when scoring.
        from profanity_check import predict_prob

        batches = [
            predict_prob(texts[start:start + self.batch_size]) for start in range(0, len(texts), self.batch_size)
        ]
        return validated_scores(np.concatenate(batches), len(texts), self.name)


class StoredScores:
    """Scores already known for each text (for example a dataset's own system scores)."""

    name = "stored"

    def __init__(self, scores: Mapping[str, float]):
        self._scores = dict(scores)

    def score(self, texts: Sequence[str]) -> np.ndarray:
        values = []
        for text in texts:
            if text not in self._scores:
                raise ScoringError(f"{self.name}: no stored score for the text {_excerpt(text)!r}")
            values.append(self._scores[text])
        return validated_scores(values, len(values), self.name)


class HttpScorer:
    """A classifier behind the JSON-over-HTTP contract described at the top of this module."""

    name = "http"

    def __init__(self, url: str, text_field: str = DEFAULT_TEXT_FIELD, score_field: str = DEFAULT_SCORE_FIELD,
                 batch_size: int = 64, timeout: float = 10.0, retries: int = 2, retry_delay: float = 0.5):
        if not url or not url.startswith(("http://", "https://")):
            raise ConfigError(f"system URL must start with http:// or https://, got {url!r}")
        if batch_size < 1 or timeout <= 0 or retries < 0 or retry_delay < 0:
            raise ConfigError("HTTP scorer: batch_size >= 1, timeout > 0, retries >= 0 and retry_delay >= 0 needed")
        self.url = url
        self.text_field = text_field
        self.score_field = score_field
        self.batch_size = batch_size
        self.timeout = timeout
        self.retries = retries
        self.retry_delay = retry_delay

    def score(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        batches = [self._score_batch(texts[start:start + self.batch_size])
                   for start in range(0, len(texts), self.batch_size)]
        return np.concatenate(batches) if batches else np.zeros(0, dtype=np.float64)

    def _score_batch(self, texts: list[str]) -> np.ndarray:
        reply = self._post_with_retries({self.text_field: texts})
        if not isinstance(reply, dict) or self.score_field not in reply:
            raise ScoringError(f"{self.url}: the reply has no {self.score_field!r} list")
        scores = reply[self.score_field]
        if not isinstance(scores, list) or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in scores):
            raise ScoringError(f"{self.url}: {self.score_field!r} must be a list of numbers")
        return validated_scores(scores, len(texts), self.url)

    def _post_with_retries(self, payload: dict):
        import requests

        last_problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.retry_delay * 2 ** (attempt - 1))
            try:
                response = requests.post(self.url, json=payload, timeout=self.timeout)
            except requests.Timeout:
                last_problem = f"no answer within {self.timeout:g}s"
                continue
            except requests.RequestException as error:
                last_problem = f"connection failed ({error.__class__.__name__})"
                continue
            if response.status_code >= 500:
                last_problem = f"HTTP {response.status_code}"
                continue
            if response.status_code != 200:
                raise ScoringError(f"{self.url}: HTTP {response.status_code}: {_excerpt(response.text)}")
            try:
                return response.json()
            except ValueError as error:
                raise ScoringError(f"{self.url}: the reply is not JSON ({_excerpt(response.text)!r})") from error
        raise ScoringError(f"{self.url}: {last_problem} after {self.retries + 1} attempts")


def make_system(name: str, url: str | None = None, text_field: str = DEFAULT_TEXT_FIELD,
                score_field: str = DEFAULT_SCORE_FIELD, stored_scores: Mapping[str, float] | None = None) -> System:
    """The system called ``name``; a bad name or a missing URL/scores is a ``ConfigError``."""
    if name == "profanity-check":
        return ProfanityCheck()
    if name == "http":
        if not url:
            raise ConfigError("system 'http' needs a URL (--system-url or INDIELABEL_SYSTEM_URL)")
        return HttpScorer(url, text_field=text_field, score_field=score_field)
    if name == "stored":
        if stored_scores is None:
            raise ConfigError("system 'stored' needs scores stored with the dataset")
        return StoredScores(stored_scores)
    raise ConfigError(f"unknown system {name!r}; valid systems: {', '.join(SYSTEM_NAMES)}")


def _excerpt(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
