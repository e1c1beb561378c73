"""The comment grammar of the synthetic dataset: from (topic, kind) to a forum-style comment.

A comment is one core sentence chosen by its *kind* (an ordinary tone such as ``complaint`` or
``insult``, or a planted phenomenon such as ``threat_no_swear``), plus a few topic sentences
(topic lines, questions, anecdotes, generic chatter), an optional opener and closer, and casual
noise (lowercase, missing final period, typos, doubled punctuation). Templates name slots like
``{thing}``; a topic's vocabulary (``synth_vocab_*``) and the generic pools (``synth_phrases``)
fill them.

Every random choice comes from one :class:`Chooser`, so a seed fixes the whole corpus.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from indielabel.synth import phrases
from indielabel.synth.vocabulary.leisure import LEISURE_TOPICS
from indielabel.synth.vocabulary.society import SOCIETY_TOPICS

SLOT = re.compile(r"\{(\w+)\}")
WORD = re.compile(r"[A-Za-z]{5,}")
TOPIC_FIELDS = ("thing", "crowd", "name", "act", "adj", "place", "story", "line", "ask")
REGENERATION_ATTEMPTS = 6  # a text already written is redrawn this many times before it is kept


class Chooser:
    """Uniform draws from one numpy Generator, taken in blocks: fast per-word choices that stay reproducible."""

    def __init__(self, rng: np.random.Generator, block: int = 1 << 16):
        self._rng = rng
        self._block = block
        self._draws = rng.random(block)
        self._next = 0

    def uniform(self) -> float:
        if self._next == self._block:
            self._draws = self._rng.random(self._block)
            self._next = 0
        value = self._draws[self._next]
        self._next += 1
        return float(value)

    def chance(self, probability: float) -> bool:
        return self.uniform() < probability

    def pick(self, options: Sequence):
        return options[int(self.uniform() * len(options))]


def _split(field: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in field.split("|") if part.strip())


def _topic_pools() -> dict[str, dict[str, tuple[str, ...]]]:
    pools = {}
    for name, fields in {**LEISURE_TOPICS, **SOCIETY_TOPICS}.items():
        missing = [field for field in TOPIC_FIELDS if field not in fields]
        if missing:
            raise ValueError(f"synthetic topic {name!r} lacks vocabulary fields {missing}")
        topic_fields = {field: _split(fields[field]) for field in TOPIC_FIELDS}
        pools[name] = {**phrases.GENERIC_POOLS, **phrases.PLANTED_POOLS, **topic_fields}
    return pools


TOPIC_POOLS = _topic_pools()
TOPICS = tuple(TOPIC_POOLS)


def fill(template: str, pools: dict[str, tuple[str, ...]], chooser: Chooser) -> str:
    """The template with each ``{slot}`` replaced by a random entry of that pool (entries may hold slots too)."""
    text = SLOT.sub(lambda match: chooser.pick(pools[match.group(1)]), template)
    if "{" in text:
        text = SLOT.sub(lambda match: chooser.pick(pools[match.group(1)]), text)
    return _capitalised(text)


def _capitalised(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _topic_template(pools, chooser: Chooser) -> str:
    draw = chooser.uniform()
    if draw < 0.38:
        return chooser.pick(pools["line"])
    if draw < 0.55:
        return chooser.pick(pools["ask"])
    if draw < 0.72:
        return chooser.pick(phrases.ANECDOTES)
    return chooser.pick(phrases.CHATTER)


def _template_kind(template: str) -> str:
    """Anecdotes count as one kind: two in one comment would tell the same story twice."""
    return "anecdote" if template in phrases.ANECDOTES or "{story}" in template else template


def _with_opener(sentences: list[str], chooser: Chooser) -> None:
    opener = chooser.pick(phrases.OPENERS)
    first = sentences[0]
    if not first.startswith(("I ", "I'm ", "I've ", "I'd ", "I'll ")):
        first = first[:1].lower() + first[1:]
    sentences[0] = f"{opener} {first}"


def compose(core_template: str, pools, chooser: Chooser, extra_sentences: int) -> str:
    """The core sentence among up to ``extra_sentences`` topic sentences, with an opener/closer at some rate.

    A template (and an anecdote) is used at most once per comment, so no comment says the same thing twice.
    """
    templates = [core_template]
    for _ in range(extra_sentences):
        template = _topic_template(pools, chooser)
        if _template_kind(template) not in map(_template_kind, templates):
            templates.append(template)
    core = fill(core_template, pools, chooser)
    extras = (fill(template, pools, chooser) for template in templates[1:])
    sentences = [sentence for sentence in dict.fromkeys(extras) if sentence != core]
    core_position = 0 if chooser.chance(0.6) else int(chooser.uniform() * (len(sentences) + 1))
    sentences.insert(core_position, core)
    if chooser.chance(0.3):
        _with_opener(sentences, chooser)
    if chooser.chance(0.14):
        sentences.append(chooser.pick(phrases.CLOSERS))
    return casualize(" ".join(sentences), chooser)


def casualize(text: str, chooser: Chooser) -> str:
    """Forum noise: typos, an informal spelling, all lowercase, doubled or missing final punctuation."""
    if chooser.chance(0.12):
        text = _typo(text, chooser)
    if chooser.chance(0.2):
        for formal, informal in phrases.INFORMAL_SPELLINGS:
            if formal in text and chooser.chance(0.5):
                text = text.replace(formal, informal, 1)
                break
    if chooser.chance(0.2):
        text = text.lower()
    draw = chooser.uniform()
    if draw < 0.1 and text.endswith("."):
        text = text[:-1]
    elif draw < 0.16 and text.endswith(("!", "?")):
        text += text[-1] * (1 + int(chooser.uniform() * 2))
    elif draw < 0.2 and text.endswith("."):
        text = text[:-1] + "..."
    return text


def _typo(text: str, chooser: Chooser) -> str:
    """Swap two neighbouring letters of one longer word, never of a word the planted phenomena rely on."""
    words = [match for match in WORD.finditer(text) if not _protected(match.group(0))]
    if not words:
        return text
    match = chooser.pick(words)
    position = match.start() + 1 + int(chooser.uniform() * (len(match.group(0)) - 2))
    return text[:position] + text[position + 1] + text[position] + text[position + 2:]


def _protected(word: str) -> bool:
    return phrases.OFFENSIVE_WORDS_RE.fullmatch(word) is not None or word.lower() in phrases.RECLAIMED_TERMS


def _extra_count(chooser: Chooser) -> int:
    return chooser.pick(phrases.EXTRA_SENTENCE_COUNTS)


def ordinary_comment(topic: str, tone: str, chooser: Chooser) -> str:
    """An everyday comment of ``topic`` whose core sentence carries ``tone``."""
    pools = TOPIC_POOLS[topic]
    template = chooser.pick(phrases.TONE_TEMPLATES[tone])
    extra = _extra_count(chooser)
    if "{" not in template:
        extra = max(extra, 1)
    return compose(template, pools, chooser, extra)


def planted_comment(topic: str, phenomenon: str, chooser: Chooser) -> str:
    """A comment of ``topic`` built around one planted phenomenon's sentence."""
    pools = TOPIC_POOLS[topic]
    template = chooser.pick(phrases.PLANTED_TEMPLATES[phenomenon])
    extra = min(_extra_count(chooser), 2)
    if "{thing}" not in template and "{name}" not in template:
        extra = max(extra, 1)
    return compose(template, pools, chooser, extra)


def write_comments(topics: Sequence[str], kinds: Sequence[str], chooser: Chooser) -> list[str]:
    """One comment per (topic, kind); a kind is a tone or a planted phenomenon. Repeats are redrawn."""
    seen: set[str] = set()
    texts = []
    for topic, kind in zip(topics, kinds):
        write = planted_comment if kind in phrases.PLANTED_TEMPLATES else ordinary_comment
        for _ in range(REGENERATION_ATTEMPTS):
            text = write(topic, kind, chooser)
            if text not in seen:
                break
        seen.add(text)
        texts.append(text)
    return texts
