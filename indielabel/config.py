"""Settings from the environment and the command line, validated once at start-up."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

ENV_PREFIX = "INDIELABEL_"
# Settings that keep the names the original tool used, so existing deployments keep working.
LEGACY_ENV = {"avid_api_url": "AVID_API_URL", "avid_api_key": "AVID_API_KEY"}


class ConfigError(ValueError):
    """A setting that cannot be used; the message names it."""


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    data_dir: Path = Path("data")
    dataset: str = "default"
    preset: str = "default"
    seed: int = 0
    output_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = Field(5001, ge=1, le=65535)

    system: str = "stored"
    system_url: str | None = None
    system_text_field: str = "texts"
    system_score_field: str = "scores"
    # What scores a text the auditor writes when the system's scores are stored with the dataset.
    live_system: str | None = None

    avid_api_url: str | None = None
    avid_api_key: str | None = None
    # What AVID reports name as affected; the system's name defaults to the dataset's own "system".
    avid_system_name: str | None = None
    avid_system_type: str = "Model"
    avid_system_url: str | None = None
    avid_developer: list[str] = Field(default_factory=list)
    avid_deployer: list[str] = Field(default_factory=list)
    avid_dataset_name: str | None = None
    avid_dataset_url: str | None = None
    avid_lang: str = "eng"
    avid_timeout_seconds: float = Field(10.0, gt=0)
    avid_retries: int = Field(2, ge=0, le=10)

    # How the labeling page picks comments: "adaptive" (most informative about the person) or
    # "stratified" (the paper's 2/4/8/4/2 system-score sample).
    label_sampler: Literal["adaptive", "stratified"] = "adaptive"

    flagging_mode: str = "manual"
    flagging_options: Any = None
    flagging_dir: Path | None = None
    flagging_callback: str = "indielabel.flagging.loggers.CSVLogger"

    # Signs the cookies by which auditors own their data; required in production (`make serve`).
    secret_key: str | None = Field(None, min_length=32)
    # Organizer-only exports (GET /admin/flags) need it as a bearer token; without it they are off.
    admin_token: str | None = Field(None, min_length=16)
    # The organizer's findings by self-description show only groups of at least this many auditors.
    organizer_min_group_size: int = Field(5, ge=2)
    max_request_bytes: int = Field(1_000_000, gt=0)
    # A request (head and body) must arrive within this time, or it is answered 408 (see web.buffered_worker).
    request_read_seconds: float = Field(10.0, gt=0)
    # Rate limits (0 turns one off), shared by every worker process; refused actions get 429 + Retry-After.
    users_per_address_per_hour: int = Field(60, ge=0)
    flags_per_user_per_minute: int = Field(30, ge=0)
    saves_per_user_per_minute: int = Field(120, ge=0)
    # How many proxies in front of the server append to X-Forwarded-For: the client address is then theirs.
    trusted_proxies: int = Field(0, ge=0, le=5)
    # Where auditors send feedback (a form, a mailto: address); shown in the app when set.
    feedback_url: str | None = Field(None, pattern=r"^(https?://|mailto:)\S+$")

    @field_validator("dataset")
    @classmethod
    def _dataset_is_a_name_or_path(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @property
    def dataset_dir(self) -> Path:
        candidate = Path(self.dataset)
        if candidate.is_absolute() or len(candidate.parts) > 1:
            return candidate
        return self.data_dir / self.dataset

    @property
    def user_output_dir(self) -> Path:
        return self.output_dir or self.data_dir / "output"

    @property
    def flag_dir(self) -> Path:
        return self.flagging_dir or self.data_dir / "flagged"

    @property
    def avid_enabled(self) -> bool:
        return bool(self.avid_api_url and self.avid_api_key)


def _env_values(environ: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, info in Settings.model_fields.items():
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is None and name in LEGACY_ENV:
            raw = environ.get(LEGACY_ENV[name])
        if raw is None:
            continue
        values[name] = _parse_env(raw, info.annotation)
    return values


def _parse_env(raw: str, annotation: Any) -> Any:
    if annotation == list[str]:
        return [part.strip() for part in raw.split(",") if part.strip()]
    if annotation is Any:
        import json

        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def load_settings(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Settings from the environment, then explicit overrides (command line, tests)."""
    values = _env_values(dict(os.environ if environ is None else environ))
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        return Settings(**values)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from error


def keep_written_files_private() -> None:
    """From now on this process creates files 0600 and directories 0700: user data, flag logs, keys and
    rate counts are for the account that runs the server. Dataset caches, which may be shared, set
    their own mode."""
    os.umask(0o077)
