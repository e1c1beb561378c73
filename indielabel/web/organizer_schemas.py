"""What the organizer's routes accept (kept apart from the auditor's schemas in ``schemas``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from indielabel.organizer.findings import FAILURE_SHARE
from indielabel.web.schemas import NAME_PATTERN, Body, JsonInt, Query, TopicText

MAX_TOKEN_CHARS = 512
MAX_LINKS = 500
MAX_PREFIX_CHARS = 40


class SignInBody(Body):
    token: str = Field(max_length=MAX_TOKEN_CHARS, description="the organizer token (INDIELABEL_ADMIN_TOKEN)")


class FindingsQuery(Query):
    min_share: float = Field(FAILURE_SHARE, ge=0.01, le=1.0,
                             description="share of a topic's comments the system must get wrong for an auditor")


class TopicFindingsQuery(FindingsQuery):
    topic: TopicText = Field(description="a topic name, as in the findings table")


class ReportExportQuery(Query):
    format: Literal["ours", "avid"] = Field("ours", description="our report documents, or AVID's format")


class StudyLinksBody(Body):
    """Either the user ids to create, or how many to create with ids made from ``prefix``."""
    names: list[Annotated[str, Field(pattern=NAME_PATTERN)]] | None = Field(None, min_length=1,
                                                                              max_length=MAX_LINKS)
    count: JsonInt | None = Field(None, ge=1, le=MAX_LINKS)
    prefix: str = Field("participant", pattern=rf"^[A-Za-z0-9_-]{{1,{MAX_PREFIX_CHARS}}}$")

    @model_validator(mode="after")
    def _names_or_count(self) -> StudyLinksBody:
        if (self.names is None) == (self.count is None):
            raise ValueError("give either names or count")
        return self
