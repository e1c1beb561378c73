"""The embedded default dataset: synthetic forum comments, simulated raters, real system scores.

``python -m indielabel generate --preset small|default|kumar|million --seed N --out DIR`` writes a dataset
directory (see ``indielabel.data.dataset``). The comments (``synth_text``) cover 36 topics of online
discussion; 5 simulated raters with demographics rate each one (``synth_raters``); the system under
audit, alt-profanity-check, scores them for real; the topic model assigns their topics.

Planted in the data, so that an audit has something real to find (``PHENOMENA``):

- ``profanity_praise`` ("that was a fucking brilliant goal") and ``counter_speech`` (quoting an insult
  to object to it): the crowd rates them low, the system flags the words. Raters aged 55 or older
  rate every comment with swear or insult words higher, whatever the intent.
- ``reclaimed_terms`` (affectionate "queer", "bitches" among queer friends): the in-group, raters
  whose ``lgbtq_status`` is Homosexual or Bisexual, rates them low; others somewhat higher; the
  system over-flags.
- ``veiled_hostility`` ("people like you should go back where you came from"): raters who are not
  White rate it clearly higher; no swear words, so the system misses it.
- ``threat_no_swear`` ("I know where you park. Watch yourself."): the crowd rates it high, women
  highest; the system misses it.
- ``religion_mockery`` and ``political_mockery``: topic-level disagreements; raters for whom religion
  is very important, or who are conservative, rate the mocking comments of the religion or politics
  topic much higher than others do.

The truth goes into ``dataset.json`` under ``planted`` and into the items' ``true_topic`` and
``phenomenon`` columns. The same preset and seed always give byte-identical files.
"""

from __future__ import annotations

import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from indielabel.config import ConfigError
from indielabel.data import dataset as datasets
from indielabel.progress import step
from indielabel.synth import raters as raters_model
from indielabel.synth import text as synth_text
from indielabel.synth.phrases import OFFENSIVE_WORDS_RE, SWEAR_RE
from indielabel.synth.raters import RATINGS_PER_ITEM, Taste

# (comments, raters); every comment gets RATINGS_PER_ITEM ratings. ``kumar`` is the paper's size,
# ``million`` ten times it, at the scale of the largest real per-annotator corpora.
PRESETS = {"small": (2_000, 200), "default": (20_000, 2_000), "kumar": (107_620, 17_280),
           "million": (1_000_000, 100_000)}
NOT_PLANTED = "none"

# Ordinary comments: kind -> (share of ordinary comments, content toxicity on the 0-4 scale).
TONES = {
    "chatter": (0.34, 0.15), "praise": (0.15, 0.05), "complaint": (0.19, 0.6), "profane_vent": (0.12, 1.2),
    "dismissive": (0.07, 1.6), "insult": (0.08, 2.5), "profane_insult": (0.05, 3.1),
}

NON_WHITE = ("Black or African American", "Hispanic", "Asian", "American Indian or Alaskan Native",
             "Native Hawaiian or Pacific Islander")
# Group disagreements. "offensive_words" concerns every comment with a swear or insult word; each
# other taste concerns the comments of the planted phenomenon of the same name.
TASTES = (
    Taste("offensive_words", "age_range", ("55 - 64", "65 or older"), 1.6),
    Taste("reclaimed_terms", "lgbtq_status", ("Homosexual", "Bisexual"), -1.9),
    Taste("veiled_hostility", "race", NON_WHITE, 1.7),
    Taste("threat_no_swear", "gender", ("Female",), 1.4),
    Taste("religion_mockery", "religion_important", ("Very important",), 1.7),
    Taste("political_mockery", "political_affiliation", ("Conservative",), 1.7),
)


@dataclass(frozen=True)
class Phenomenon:
    """A planted blind spot: its share of all comments, where it occurs, how toxic, whose taste it tests."""

    name: str
    share: float
    topics: tuple[str, ...]
    toxicity: float
    taste: str
    direction: str


PHENOMENA = (
    Phenomenon("profanity_praise", 0.05, ("soccer", "basketball", "american_football", "baseball", "gaming", "music",
                                          "movies", "tv_shows", "cooking", "cars", "fitness", "anime"),
               0.3, "offensive_words", "over-sensitive"),
    Phenomenon("reclaimed_terms", 0.05, ("lgbtq", "fashion", "relationships", "music", "books", "fitness"),
               1.7, "reclaimed_terms", "over-sensitive"),
    Phenomenon("veiled_hostility", 0.055, ("immigration", "local_news", "housing", "work", "school", "politics"),
               1.5, "veiled_hostility", "under-sensitive"),
    Phenomenon("threat_no_swear", 0.045, ("local_news", "soccer", "gaming", "politics", "cars", "housing",
                                          "social_media", "american_football"),
               2.2, "threat_no_swear", "under-sensitive"),
    Phenomenon("counter_speech", 0.04, ("politics", "school", "gaming", "social_media", "soccer", "parenting", "work",
                                        "basketball"),
               0.4, "offensive_words", "over-sensitive"),
    Phenomenon("religion_mockery", 0.015, ("religion",), 1.1, "religion_mockery", "under-sensitive"),
    Phenomenon("political_mockery", 0.015, ("politics",), 1.1, "political_mockery", "under-sensitive"),
)

# Chance that a rater who rates the comment 2 marks it as a threat, identity attack, insult or sexual
# harassment; raters who find it more toxic mark it more often. Marking it profane depends only on
# whether it has swear words.
CATEGORY_CHANCE = {
    "chatter": (0.02, 0.02, 0.03, 0.01), "praise": (0.01, 0.01, 0.01, 0.01), "complaint": (0.02, 0.02, 0.1, 0.01),
    "profane_vent": (0.03, 0.02, 0.2, 0.02), "dismissive": (0.03, 0.03, 0.55, 0.01),
    "insult": (0.04, 0.05, 0.85, 0.02), "profane_insult": (0.08, 0.06, 0.9, 0.03),
    "profanity_praise": (0.02, 0.02, 0.08, 0.02), "reclaimed_terms": (0.02, 0.25, 0.2, 0.05),
    "veiled_hostility": (0.15, 0.7, 0.4, 0.01), "threat_no_swear": (0.85, 0.05, 0.35, 0.03),
    "counter_speech": (0.02, 0.1, 0.25, 0.01), "religion_mockery": (0.02, 0.45, 0.45, 0.01),
    "political_mockery": (0.02, 0.35, 0.5, 0.01),
}
PROFANE_CHANCE = (0.02, 0.9)  # without, with swear words
FOLLOWS_RATING = np.array([False, True, True, True, True])  # per dataset.CATEGORY_COLUMNS


def _progress(description: str, quiet: bool):
    return nullcontext() if quiet else step(description)


def plan_comments(n_items: int, rng: np.random.Generator) -> pd.DataFrame:
    """The (true_topic, kind, phenomenon) of each comment, in a random order."""
    topics, kinds = [], []
    for phenomenon in PHENOMENA:
        count = round(phenomenon.share * n_items)
        topics += [phenomenon.topics[i] for i in rng.integers(0, len(phenomenon.topics), count)]
        kinds += [phenomenon.name] * count
    n_ordinary = n_items - len(kinds)
    tone_names = list(TONES)
    tone_shares = np.array([TONES[name][0] for name in tone_names])
    topics += [synth_text.TOPICS[i] for i in rng.integers(0, len(synth_text.TOPICS), n_ordinary)]
    kinds += [tone_names[i] for i in rng.choice(len(tone_names), n_ordinary, p=tone_shares / tone_shares.sum())]
    order = rng.permutation(n_items)
    plan = pd.DataFrame({"true_topic": np.array(topics, dtype=object)[order],
                         "kind": np.array(kinds, dtype=object)[order]})
    planted_names = {phenomenon.name for phenomenon in PHENOMENA}
    plan["phenomenon"] = [kind if kind in planted_names else NOT_PLANTED for kind in plan["kind"]]
    return plan


def _content(plan: pd.DataFrame, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per-comment content toxicity and the (n_items, n_tastes) 0/1 matrix of tastes it touches."""
    toxicity_of = {name: toxicity for name, (_, toxicity) in TONES.items()}
    toxicity_of.update({phenomenon.name: phenomenon.toxicity for phenomenon in PHENOMENA})
    toxicity = plan["kind"].map(toxicity_of).to_numpy(np.float64)
    loads = np.zeros((len(plan), len(TASTES)))
    for column, taste in enumerate(TASTES):
        if taste.name == "offensive_words":
            loads[:, column] = [OFFENSIVE_WORDS_RE.search(text) is not None for text in texts]
        else:
            loads[:, column] = (plan["kind"] == taste.name).to_numpy()
    return toxicity, loads


def _category_chances(plan: pd.DataFrame, texts: list[str]) -> np.ndarray:
    profane = np.array([PROFANE_CHANCE[SWEAR_RE.search(text) is not None] for text in texts])
    others = np.array([CATEGORY_CHANCE[kind] for kind in plan["kind"]])
    return np.column_stack([profane, others])


def _taste(name: str) -> Taste:
    return next(taste for taste in TASTES if taste.name == name)


def group_comparison(data: datasets.Dataset, item_mask: np.ndarray, attribute: str, values) -> tuple[float, float]:
    """Mean rating of the group's raters and of all other raters over the items in ``item_mask``."""
    member = raters_model.is_member(data.raters, attribute, values)
    rows = item_mask[data.ratings["item_index"].to_numpy()]
    rated_by_member = member[data.ratings["rater_index"].to_numpy()[rows]]
    ratings = data.ratings["rating"].to_numpy(np.float64)[rows]
    group_mean = ratings[rated_by_member].mean() if rated_by_member.any() else np.nan
    others_mean = ratings[~rated_by_member].mean() if (~rated_by_member).any() else np.nan
    return float(group_mean), float(others_mean)


def _group_label(attribute: str, values) -> str:
    shown = "/".join(values[:2]) + (f"/+{len(values) - 2} more" if len(values) > 2 else "")
    return f"{attribute}: {shown}"


def phenomenon_table(data: datasets.Dataset) -> pd.DataFrame:
    """Per planted phenomenon, then the ordinary comments: n, and mean ratings on the 0-4 scale.

    ``system_mean`` is 4 x the system's score, ``crowd_mean`` the mean of the comments' crowd means,
    ``group_mean``/``others_mean`` the mean rating given by raters in/outside the phenomenon's group,
    ``group_shift`` their difference.
    """
    rows = []
    phenomena = data.items["phenomenon"].to_numpy()
    for planted in data.meta["planted"]:
        mask = phenomena == planted["phenomenon"]
        group = planted["group"]
        group_mean, others_mean = group_comparison(data, mask, group["attribute"], group["values"])
        rows.append({
            "phenomenon": planted["phenomenon"], "direction": planted["direction"], "n": int(mask.sum()),
            "system_mean": data.items["rating_sys"][mask].mean(), "crowd_mean": data.items["crowd_mean"][mask].mean(),
            "group": _group_label(group["attribute"], group["values"]),
            "group_mean": group_mean, "others_mean": others_mean, "group_shift": group_mean - others_mean,
        })
    ordinary = phenomena == NOT_PLANTED
    rows.append({"phenomenon": NOT_PLANTED, "direction": "", "n": int(ordinary.sum()),
                 "system_mean": data.items["rating_sys"][ordinary].mean(),
                 "crowd_mean": data.items["crowd_mean"][ordinary].mean(), "group": "",
                 "group_mean": np.nan, "others_mean": np.nan, "group_shift": np.nan})
    return pd.DataFrame(rows)


def _planted_meta(data: datasets.Dataset) -> list[dict]:
    planted = []
    for phenomenon in PHENOMENA:
        taste = _taste(phenomenon.taste)
        mask = data.items["phenomenon"].to_numpy() == phenomenon.name
        group_mean, others_mean = group_comparison(data, mask, taste.attribute, taste.values)
        planted.append({
            "phenomenon": phenomenon.name, "topics": sorted(set(phenomenon.topics)),
            "group": {"attribute": taste.attribute, "values": list(taste.values)},
            "group_shift": round(group_mean - others_mean, 3), "direction": phenomenon.direction,
        })
    return planted


def _simulate_crowd(plan, texts, n_raters, rng, quiet):
    n_items = len(plan)
    with _progress(f"Simulating {n_raters:,} raters and {n_items * RATINGS_PER_ITEM:,} ratings", quiet):
        raters = raters_model.make_raters(n_raters, rng)
        assignment = raters_model.assign_raters(n_items, n_raters, rng)
        toxicity, loads = _content(plan, texts)
        ratings = raters_model.simulate_ratings(raters_model.draw_crowd(toxicity, loads, TASTES, raters, rng),
                                                assignment, rng)
        categories = raters_model.category_fractions(_category_chances(plan, texts), FOLLOWS_RATING, ratings, rng)
    return raters, _rating_rows(raters, assignment, ratings), categories


def _rating_rows(raters: pd.DataFrame, assignment: np.ndarray, ratings: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({
        "rater_id": raters["rater_id"].to_numpy()[assignment.ravel()],
        "item_id": np.repeat(np.arange(len(assignment)), RATINGS_PER_ITEM),
        "rating": ratings.ravel().astype(np.float32),
    })


def replay_crowd(data: datasets.Dataset) -> tuple[raters_model.Crowd, pd.DataFrame]:
    """The generator's own rating model of a synthetic dataset, rebuilt by replaying its seeding.

    Returns the crowd and the generated raters (their row is their index in the crowd). A
    ``DatasetError`` when ``data`` is not as generated: its stored ratings must come out again.
    """
    preset, seed = data.meta.get("preset"), data.meta.get("seed")
    if data.meta.get("source") != "synthetic" or preset not in PRESETS:
        raise datasets.DatasetError(f"{data.name}: not a generated synthetic dataset")
    n_items, n_raters = PRESETS[preset]
    text_seed, crowd_seed = np.random.SeedSequence(seed).spawn(2)
    plan = plan_comments(n_items, np.random.default_rng(text_seed))
    rng = np.random.default_rng(crowd_seed)
    raters = raters_model.make_raters(n_raters, rng)
    assignment = raters_model.assign_raters(n_items, n_raters, rng)
    texts = data.items.set_index("item_id")["comment"].reindex(np.arange(n_items)).tolist()
    crowd = raters_model.draw_crowd(*_content(plan, texts), TASTES, raters, rng)
    rating_rows = _rating_rows(raters, assignment, raters_model.simulate_ratings(crowd, assignment, rng))
    stored = data.ratings.sort_values(["item_id", "rater_id"])[["item_id", "rater_id", "rating"]]
    replayed = rating_rows.sort_values(["item_id", "rater_id"])[["item_id", "rater_id", "rating"]]
    if len(stored) != len(replayed) or not np.array_equal(stored.to_numpy(), replayed.to_numpy()):
        raise datasets.DatasetError(f"{data.name}: its ratings are not the ones its generator makes")
    return crowd, raters


def generate_dataset(preset: str, seed: int, out_dir: Path | str, quiet: bool = False) -> datasets.Dataset:
    """Generate the ``preset`` dataset with ``seed``, save it in ``out_dir`` and return it.

    A bad preset or seed is a ``ConfigError``.
    """
    if preset not in PRESETS:
        raise ConfigError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"the seed must be a non-negative integer, got {seed!r}")
    from indielabel.data import systems, topics

    started = time.perf_counter()
    n_items, n_raters = PRESETS[preset]
    text_seed, crowd_seed = np.random.SeedSequence(seed).spawn(2)
    text_rng = np.random.default_rng(text_seed)
    with _progress(f"Writing {n_items:,} synthetic comments", quiet):
        plan = plan_comments(n_items, text_rng)
        texts = synth_text.write_comments(plan["true_topic"], plan["kind"], synth_text.Chooser(text_rng))
    with _progress("Scoring the comments with profanity-check", quiet):
        system_scores = systems.ProfanityCheck().score(texts)
    with _progress("Assigning topics", quiet):
        assigned = topics.assign_topics(texts, seed=seed)
    raters, rating_rows, categories = _simulate_crowd(plan, texts, n_raters, np.random.default_rng(crowd_seed), quiet)

    items = pd.DataFrame({"item_id": np.arange(n_items), "comment": texts, "system_score": system_scores,
                          "topic_id": assigned["topic_id"].to_numpy(), "topic": assigned["topic"].to_numpy(),
                          "true_topic": plan["true_topic"], "phenomenon": plan["phenomenon"]})
    for column, values in zip(datasets.CATEGORY_COLUMNS, categories.T):
        items[column] = values
    meta = {"name": f"synthetic-{preset}", "source": "synthetic", "preset": preset, "seed": int(seed),
            "scale": [0, 4], "system": "profanity-check",
            "description": "Synthetic comments and simulated raters (not real people); system scores from "
                           "alt-profanity-check."}
    with _progress(f"Saving to {out_dir}", quiet):
        data = datasets.build(items, rating_rows, raters, meta)
        data.meta["planted"] = _planted_meta(data)
        datasets.save(data, out_dir)
    if not quiet:
        print(f"Generated the '{preset}' dataset in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        print(format_phenomenon_table(phenomenon_table(data)))
    return data


def format_phenomenon_table(table: pd.DataFrame) -> str:
    return "Planted phenomena (mean ratings on the 0-4 scale):\n" + table.to_string(
        index=False, float_format=lambda value: f"{value:.2f}", na_rep="")


def run_generate(args) -> int:
    generate_dataset(args.preset, args.seed, args.out)
    return 0
