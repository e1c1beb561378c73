"""The synthetic default dataset: reproducible, the right size, and with genuine planted blind spots."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from indielabel import cli
from indielabel.config import ConfigError
from indielabel.data import dataset as datasets
from indielabel.synth import generator as synth
from indielabel.synth import phrases as synth_phrases
from indielabel.synth import raters as synth_raters
from indielabel.synth import text as synth_text
from indielabel.synth.vocabulary import leisure as synth_vocab_leisure
from indielabel.synth.vocabulary import society as synth_vocab_society

ROOT = Path(__file__).resolve().parents[1]
DATASET_FILES = ("dataset.json", "items.csv", "ratings.csv", "raters.csv")
# Truncated SHA-256 digests of a short deny-list of slurs (kept as digests so the words appear nowhere
# in the project); no token of any comment may hash to one of them.
SLUR_DIGESTS = frozenset((
    "120f6e5b4ea32f65", "5b3ae48be122f7ed", "08a841e996781e9e", "341d56384afc0f47", "8f5083e3e5c7dc89",
    "1e02eec4f1095143", "9915ba2d822280f2", "17bde8b4064612e2", "886d51e97ad7931d", "92a9bf818e7e0002",
    "16ea09fc78ca83ca", "402f7ebd98864afe", "158869a97379229b", "c1cabb6f6e431f9c", "bd331fb1d24298f5",
    "c3de533e9b7fe63b", "268651b3ece98010", "98b52c4b6b7d1f48", "044eb98b18769b88", "f9d0d9b18ae9033a",
    "45cd3e1bb472d8e2", "eef3bd091670c344", "0ce875d620076b53", "cc02032349c833ac", "82159dd02870c13e",
    "e7b98c6aa5b944e0", "daec0c235d3135fc", "333f7618092958c7", "da0a6b1b9213d48f", "22fc75e65a0e9d34",
    "17a110e533284872", "12e6274e4309293e", "bb209d506bb8b178", "33740da8a87dc7de", "c74677aba35aef49",
))
ALLOWED_ATTRIBUTE_VALUES = {
    "gender": {label for label, _ in synth_raters.GENDERS},
    "race": {label for label, _ in synth_raters.RACES},
    "religion_important": set(synth_raters.RELIGION_LEVELS),
    "political_affiliation": {label for label, _ in synth_raters.POLITICS},
    "lgbtq_status": {label for label, _ in synth_raters.LGBTQ},
    "age_range": {label for label, _ in synth_raters.AGES},
    "education": {label for label, _ in synth_raters.EDUCATION},
}


@pytest.fixture(scope="module")
def other_seed_run(tmp_path_factory):
    """The `small` preset with seed 1, generated through the command line; (directory, printed output)."""
    directory = tmp_path_factory.mktemp("synth") / "small_seed_1"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
        exit_code = cli.main(["generate", "--preset", "small", "--seed", "1", "--out", str(directory)])
    assert exit_code == 0
    return directory, printed.getvalue()


@pytest.fixture(scope="module")
def default_dataset(tmp_path_factory):
    return synth.generate_dataset("default", 0, tmp_path_factory.mktemp("synth") / "default", quiet=True)


def test_same_seed_gives_byte_identical_files_even_in_another_process(small_dataset_dir, tmp_path):
    directory = tmp_path / "again"
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "indielabel", "generate", "--preset", "small", "--seed", "0",
                    "--out", str(directory)], cwd=ROOT, env=environment, check=True, capture_output=True)
    for name in DATASET_FILES:
        assert (directory / name).read_bytes() == (small_dataset_dir / name).read_bytes(), name


def test_different_seed_gives_different_comments_and_ratings(small_dataset_dir, other_seed_run):
    other_directory, _ = other_seed_run
    for name in ("items.csv", "ratings.csv", "raters.csv"):
        assert (other_directory / name).read_bytes() != (small_dataset_dir / name).read_bytes(), name


def test_generate_command_prints_the_phenomenon_table(other_seed_run):
    _, printed = other_seed_run
    assert "Planted phenomena" in printed
    for phenomenon in synth.PHENOMENA:
        assert phenomenon.name in printed


def test_small_preset_has_its_size_and_five_distinct_raters_per_comment(small_dataset):
    n_items, n_raters = synth.PRESETS["small"]
    assert (small_dataset.meta["n_items"], small_dataset.meta["n_raters"]) == (n_items, n_raters)
    assert small_dataset.meta["n_ratings"] == 5 * n_items
    per_item = small_dataset.ratings.groupby("item_id")["rater_id"].nunique()
    assert (per_item == 5).all() and len(per_item) == n_items
    ratings = small_dataset.ratings["rating"].to_numpy()
    assert set(np.unique(ratings)) <= {0.0, 1.0, 2.0, 3.0, 4.0}
    per_rater = small_dataset.ratings.groupby("rater_id").size()
    assert per_rater.max() - per_rater.min() <= 1 and per_rater.min() >= 30


@pytest.mark.parametrize("preset", list(synth.PRESETS))
def test_every_preset_plans_its_exact_comment_count_and_balanced_raters(preset):
    n_items, n_raters = synth.PRESETS[preset]
    rng = np.random.default_rng(0)
    assert len(synth.plan_comments(n_items, rng)) == n_items
    assignment = synth_raters.assign_raters(n_items, n_raters, rng)
    assert assignment.shape == (n_items, 5)
    assert (np.sort(assignment, axis=1)[:, 1:] != np.sort(assignment, axis=1)[:, :-1]).all()
    per_rater = np.bincount(assignment.ravel(), minlength=n_raters)
    assert per_rater.max() - per_rater.min() <= 1 and per_rater.min() >= 30


def test_kumar_preset_has_the_size_of_the_papers_dataset():
    assert synth.PRESETS["kumar"] == (107_620, 17_280)


def test_million_preset_has_a_million_comments_with_five_ratings_from_a_hundred_thousand_raters():
    n_items, n_raters = synth.PRESETS["million"]
    assert (n_items, n_raters) == (1_000_000, 100_000)
    assert synth_raters.RATINGS_PER_ITEM == 5
    assert n_items * synth_raters.RATINGS_PER_ITEM // n_raters == 50


def test_generate_command_offers_exactly_the_generators_presets():
    assert cli.PRESETS == tuple(synth.PRESETS)


def test_every_rater_has_every_attribute_with_a_known_value(small_dataset):
    raters = small_dataset.raters
    assert list(raters.columns) == ["rater_id", *datasets.RATER_ATTRIBUTES]
    assert raters["rater_id"].str.fullmatch(r"r\d{5}").all()
    for attribute, allowed in ALLOWED_ATTRIBUTE_VALUES.items():
        values = raters[attribute].str.split(datasets.MULTI_VALUE_SEPARATOR).explode()
        assert set(values) <= allowed, attribute
    assert raters["race"].str.contains(datasets.MULTI_VALUE_SEPARATOR, regex=False).any()


def test_phenomenon_table_shows_each_blind_spot_in_its_direction(small_dataset):
    table = synth.phenomenon_table(small_dataset).set_index("phenomenon")
    planted = {entry["phenomenon"]: entry for entry in small_dataset.meta["planted"]}
    assert set(planted) == {phenomenon.name for phenomenon in synth.PHENOMENA}
    for name, entry in planted.items():
        row = table.loc[name]
        gap = row["system_mean"] - row["crowd_mean"]
        assert (gap >= 0.8) if entry["direction"] == "over-sensitive" else (gap <= -0.8), (name, gap)
        assert abs(row["group_shift"]) >= 1.0 and np.sign(row["group_shift"]) == np.sign(entry["group_shift"]), name


def test_planted_meta_names_real_topics_groups_and_shifts(small_dataset):
    items = small_dataset.items
    for entry in small_dataset.meta["planted"]:
        assert entry["group"]["attribute"] in datasets.RATER_ATTRIBUTES
        assert entry["direction"] in ("over-sensitive", "under-sensitive")
        planted_topics = set(items.loc[items["phenomenon"] == entry["phenomenon"], "true_topic"])
        assert planted_topics and planted_topics <= set(entry["topics"]) <= set(synth_text.TOPICS)
    assert small_dataset.meta["source"] == "synthetic" and small_dataset.meta["scale"] == [0, 4]


def test_unsworn_phenomena_have_no_swear_words_and_sworn_ones_all_do(small_dataset):
    items = small_dataset.items
    swears = items["comment"].str.contains(synth_phrases.SWEAR_RE)
    offensive = items["comment"].str.contains(synth_phrases.OFFENSIVE_WORDS_RE)
    for name in ("veiled_hostility", "threat_no_swear", "religion_mockery", "political_mockery"):
        assert not swears[items["phenomenon"] == name].any(), name
    for name in ("profanity_praise", "counter_speech"):
        assert offensive[items["phenomenon"] == name].all(), name


def test_category_fractions_follow_the_content(small_dataset):
    items = small_dataset.items
    for column in datasets.CATEGORY_COLUMNS:
        assert items[column].between(0, 1).all()
    threats = items["phenomenon"] == "threat_no_swear"
    praise = items["phenomenon"] == "profanity_praise"
    assert items.loc[threats, "is_threat_frac"].mean() > 0.5
    assert items.loc[~threats, "is_threat_frac"].mean() < 0.1
    assert items.loc[praise, "is_profane_frac"].mean() > 0.5


def _words(texts) -> set[str]:
    return {word for text in texts for word in re.findall(r"[a-z]+", text.lower())}


def test_no_slur_appears_in_comments_or_in_the_grammar(small_dataset):
    grammar = [module.__file__ for module in (synth_phrases, synth_text, synth_vocab_leisure, synth_vocab_society)]
    words = _words(small_dataset.items["comment"]) | _words(Path(path).read_text() for path in grammar)
    digests = {hashlib.sha256(word.encode()).hexdigest()[:16] for word in words}
    assert not digests & SLUR_DIGESTS


def test_comments_are_distinct_and_varied_on_default(default_dataset):
    comments = default_dataset.items["comment"]
    assert comments.duplicated().mean() < 0.01
    assert len(default_dataset.items) == synth.PRESETS["default"][0]
    assert set(default_dataset.items["true_topic"]) == set(synth_text.TOPICS) and len(synth_text.TOPICS) >= 30
    lengths = comments.str.split().str.len()
    assert lengths.min() <= 6 and lengths.max() >= 40
    assert (comments == comments.str.lower()).mean() > 0.1


def test_unknown_preset_or_negative_seed_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="unknown preset 'huge'"):
        synth.generate_dataset("huge", 0, tmp_path)
    with pytest.raises(ConfigError, match="non-negative integer"):
        synth.generate_dataset("small", -1, tmp_path)
    assert not any(tmp_path.iterdir())
