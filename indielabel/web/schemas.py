"""What each HTTP route accepts: pydantic models, the single source for validation and /openapi.json.

Names keep the original tool's parameters where it had them (`user`, `model`, `topic_vis_method`,
`scaffold_method`, `search_type`, `n_examples`); `cur_user` and `pers_model` are accepted as aliases.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field, Strict, field_validator

from indielabel.web.topic_check import check_topic

NAME_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
MAX_LABELS = 500
MAX_TEXT = 200
KEY_PATTERN = r"^[A-Za-z0-9_-]{16,128}$"
MAX_GROUP_ATTRIBUTES = 20
MAX_GROUP_VALUES = 100
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

# Integers in JSON bodies are strict: `true` is not the item 1, nor 1.0 the revision 1.
JsonInt = Annotated[int, Strict()]
# Item ids are int64 in the dataset: a bigger number names no item (and must not reach numpy).
ItemId = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
ITEM_ID_KEYS = {"propertyNames": {"pattern": r"^-?[0-9]{1,18}$"}}

# A topic as the topic model names it; a value that looks like a path or a disguised name is a 400.
TopicText = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(check_topic)]


class Query(BaseModel):
    """Query-string parameters: unknown ones are ignored (the original client sends a few extra)."""
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Body(BaseModel):
    """JSON bodies: unknown fields are an error, so a typo is caught."""
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _user_field(description: str = "the auditor's id", **kwargs):
    return Field(pattern=NAME_PATTERN, validation_alias=AliasChoices("user", "cur_user"),
                 description=description, **kwargs)


def _model_field(**kwargs):
    return Field(pattern=NAME_PATTERN, validation_alias=AliasChoices("model", "pers_model", "model_name"),
                 description="a model name", **kwargs)


class UserQuery(Query):
    user: str = _user_field()


class NewUserBody(Body):
    # Empty, like the original client's 'null', asks for a new id.
    user: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{0,64}$",
                             description="a study id to start (absent or empty: a new id is made)")

    @field_validator("user", mode="before")
    @classmethod
    def _null_means_new(cls, value: str | None) -> str | None:
        return None if value in (None, "", "null", "undefined") else value


class FlagsQuery(UserQuery):
    model: str | None = _model_field(default=None)


class CommentsToLabelQuery(Query):
    n: int = Field(20, ge=1, le=100, description="how many comments")
    user: str | None = _user_field(
        "the auditor's id: the adaptive sampler then starts from their self-description, if any", default=None)
    topic: TopicText | None = None
    # Each id has at most 18 digits (an int64), so converting one is cheap and never fails.
    exclude: str = Field("", max_length=20_000, pattern=r"^[0-9]{0,18}(,[0-9]{0,18})*$",
                         description="comma-separated item ids already shown, not to be offered again")
    sampler: Literal["adaptive", "stratified"] | None = Field(
        None, description="adaptive (most informative about you) or stratified (2/4/8/4/2 by system score); "
                          "by default the server's setting")

    @property
    def excluded_ids(self) -> frozenset[int]:
        return frozenset(int(part) for part in self.exclude.split(",") if part)


class TopicCommentsQuery(CommentsToLabelQuery):
    topic: TopicText


Rating = JsonInt | None  # 0..4, or None / -1 for "unsure"


class TrainBody(Body):
    user: str = _user_field()
    model_name: str = Field(pattern=NAME_PATTERN)
    ratings: dict[ItemId, Rating] = Field(default_factory=dict, max_length=MAX_LABELS,
                                          description="item_id -> 0..4, or -1/null for unsure",
                                          json_schema_extra=ITEM_ID_KEYS)
    mode: Literal["train", "view"] = "train"

    @field_validator("ratings")
    @classmethod
    def _ratings_in_scale(cls, ratings: dict[int, Rating]) -> dict[int, Rating]:
        for item_id, rating in ratings.items():
            if rating is not None and rating != -1 and not 0 <= rating <= 4:
                raise ValueError(f"rating for item {item_id} must be 0-4, or -1 for unsure")
        return {item_id: (None if rating == -1 else rating) for item_id, rating in ratings.items()}


class TopicTrainBody(TrainBody):
    topic: TopicText
    mode: Literal["train"] = "train"


GroupSelection = Annotated[
    dict[Annotated[str, Field(max_length=MAX_TEXT)],
         Annotated[list[Annotated[str, Field(max_length=MAX_TEXT)]], Field(max_length=MAX_GROUP_VALUES)]],
    Field(max_length=MAX_GROUP_ATTRIBUTES)]


class GroupSizeQuery(Query):
    """Rater attributes: one parameter per attribute, values comma-separated (OR), attributes AND-ed."""
    model_config = ConfigDict(extra="allow")


class GroupModelBody(Body):
    user: str = _user_field()
    model_name: str = Field(pattern=NAME_PATTERN)
    selection: GroupSelection = Field(description="attribute -> accepted values")


TOPIC_VIS_METHODS = ("fp_fn", "fp_proportion", "fn_proportion", "mae", "mse", "avg_diff", "median", "mean")
TopicVisMethod = Literal["fp_fn", "fp_proportion", "fn_proportion", "mae", "mse", "avg_diff", "median", "mean"]


class AuditQuery(Query):
    user: str = _user_field()
    model: str | None = _model_field(default=None)
    # The original client sends an unset choice as "" or "null": documented, and read as the default
    # (fp_fn: both error shares per topic, worst first). Any other unknown value is a 400.
    topic_vis_method: TopicVisMethod = Field(
        "fp_fn", json_schema_extra={"enum": [*TOPIC_VIS_METHODS, "", "null"]},
        description="what the overview chart shows: fp_fn (both error shares), fp_proportion (over-sensitive "
                    "share), fn_proportion (under-sensitive share), mae, mse, avg_diff, or the original's "
                    "median/mean dot chart")
    breakdown_axis: Literal["topic", "toxicity_category"] = "topic"

    @field_validator("topic_vis_method", mode="before")
    @classmethod
    def _null_is_default(cls, value):
        return "fp_fn" if value in (None, "", "null") else value


class ComparisonQuery(Query):
    user: str = _user_field()
    model: str = _model_field()
    compare_with: str = Field("crowd", pattern=NAME_PATTERN,
                              description="'crowd' (every comment's mean crowd rating) or one of your group models")


class SimilarQuery(Query):
    user: str = _user_field()
    model: str | None = _model_field(default=None)
    item_id: ItemId
    n: int = Field(20, ge=1, le=100, description="how many similar comments")


ErrorFocus = Literal["both", "under-sensitive", "over-sensitive", "all"]


class ClusterQuery(AuditQuery):
    search_type: Literal["cluster", "keyword"] = "cluster"
    topic: TopicText | None = Field(None, validation_alias=AliasChoices("topic", "cluster"))
    keyword: str | None = Field(None, min_length=1, max_length=MAX_TEXT)
    whole_word: bool = False
    error_type: ErrorFocus = "both"
    limit: int = Field(1000, ge=1, le=5000, description="most rows returned, most disagreement first")


class ReportsQuery(AuditQuery):
    scaffold_method: Literal["", "fixed", "personal", "personal_group", "prompts", "tutorial"] = Field(
        "", json_schema_extra={"enum": ["", "fixed", "personal", "personal_group", "prompts", "tutorial", "null"]})

    @field_validator("scaffold_method", mode="before")
    @classmethod
    def _null_is_empty(cls, value):
        return "" if value in (None, "null") else value


class SaveReportsBody(Body):
    user: str = _user_field()
    model: str | None = _model_field(default=None)
    revision: JsonInt = Field(ge=0, description="the revision these reports were based on")
    reports: list[dict] = Field(max_length=200)


class SubmitBody(Body):
    user: str = _user_field()
    model: str | None = _model_field(default=None)
    report_ids: list[Annotated[str, Field(pattern=NAME_PATTERN)]] = Field(min_length=1, max_length=200)
    name: str | None = Field(None, max_length=MAX_TEXT)
    email: str | None = Field(None, max_length=MAX_TEXT)
    publish_email: bool = Field(False, description="publish the email in the AVID report's credit")


class ExploreQuery(Query):
    n_examples: int = Field(20, ge=1, le=200)


class FlagBody(Body):
    user: str = _user_field()
    model: str | None = _model_field(default=None)
    item_id: Annotated[JsonInt, Field(ge=INT64_MIN, le=INT64_MAX)]
    option: str | None = Field(None, max_length=MAX_TEXT)
    request_id: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{8,64}$",
                                   description="a new id per flag, the same when the flag is sent again: "
                                               "a retry is then not logged twice")


class ClaimQuery(Query):
    """A study link made by `python -m indielabel users create`: the user and its one-time key."""
    user: str = _user_field()
    key: str = Field(pattern=KEY_PATTERN, description="the one-time key from the link")


class FlagExportQuery(Query):
    format: Literal["csv", "jsonl"] = Field("csv", description="CSV, or one JSON object per line")


class LabelLogBody(Body):
    """One label as it is given, for the flag log of `auto` mode."""
    user: str = _user_field()
    model: str | None = _model_field(default=None)
    item_id: Annotated[JsonInt, Field(ge=INT64_MIN, le=INT64_MAX)]
    label: Annotated[JsonInt, Field(ge=-1, le=4, description="0..4, or -1 for unsure")]


# A probe is a comment an auditor writes; longer than this is not a comment (the dataset's longest
# are a few thousand characters) and is refused with a 413 before anything is scored or stored.
MAX_PROBE_CHARS = 5_000


class ProbeBody(Body):
    """A text the auditor writes to see what the system and their model make of it."""
    user: str = _user_field()
    model: str = Field(pattern=NAME_PATTERN, description="the user's model that predicts their rating")
    # The length is checked by the route, which answers 413 (too large) rather than 400 for it.
    text: str = Field(min_length=1, description=f"the comment, 1 to {MAX_PROBE_CHARS:,} characters",
                      json_schema_extra={"maxLength": MAX_PROBE_CHARS})

    @field_validator("text")
    @classmethod
    def _has_words(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("write a comment: the text is empty")
        return text


class ProbeFlagBody(Body):
    user: str = _user_field()
    probe_id: Annotated[JsonInt, Field(ge=1, le=INT64_MAX)]
    option: str | None = Field(None, max_length=MAX_TEXT)


class ProfileBody(Body):
    """A user's self-description: attribute -> the value they chose (attributes left out: not said)."""
    user: str = _user_field()
    profile: Annotated[
        dict[Annotated[str, Field(min_length=1, max_length=MAX_TEXT)],
             Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]],
        Field(max_length=MAX_GROUP_ATTRIBUTES, description="attribute -> value, as offered by /profile_attributes")]
