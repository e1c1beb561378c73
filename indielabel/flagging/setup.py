"""Flagging comments, after Gradio's Flag button: configuration, recording, and the organizer's export.

`configure_flagging(settings)` validates the flagging settings at start-up and returns a `Flagging`
whose `record` the `/flag` route (manual mode) or the labelling route (auto mode) calls. Where the
flags go is a `FlaggingCallback` (see `flag_loggers`); the organizer picks one by dotted path.
"""

from __future__ import annotations

import importlib
import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from indielabel.config import ConfigError, Settings
from indielabel.flagging.loggers import CSVLogger, FlaggingCallback, JSONLinesLogger, SimpleCSVLogger, csv_cell
from indielabel.flagging.reading import FLAG_COMPONENTS, flags_of_user, format_flags, read_flags, run_export
from indielabel.flagging.receipts import Receipts

__all__ = [
    "FLAG_COMPONENTS", "MODES", "CSVLogger", "FlagOption", "Flagging", "FlaggingCallback",
    "FlaggingDisabledError", "JSONLinesLogger", "SimpleCSVLogger", "configure_flagging", "flags_of_user",
    "format_flags", "read_flags", "run_export",
]

# In auto mode every label given is logged, with the label as one more column.
AUTO_COMPONENTS = (*FLAG_COMPONENTS, "label")
MODES = ("manual", "auto", "never")


class FlaggingDisabledError(RuntimeError):
    """A flag was recorded while flagging is turned off."""


@dataclass(frozen=True)
class FlagOption:
    """One flag button: the text it shows and the value the log stores."""

    label: str
    value: str | None


@dataclass
class Flagging:
    """Flagging as configured: the mode, the buttons, and the log (None when the mode is `never`)."""

    mode: str
    options: list[FlagOption]
    callback: FlaggingCallback | None
    directory: Path | None
    components: tuple[str, ...] = FLAG_COMPONENTS
    receipts: Receipts | None = None

    @property
    def enabled(self) -> bool:
        return self.mode != "never"

    def record(self, item_row: Mapping, option_value: str | None = None, username: str | None = None,
               request_id: str | None = None) -> int | None:
        """Log one flag of a comment row (a mapping holding every component) and return the total so far.

        In manual mode a flag this user already gave (same comment, same reason) is not logged again;
        None comes back. Organizers' own callbacks without `flag_unless` log every flag. A
        ``request_id`` already recorded (a client's retry) logs nothing and answers the first total.
        """
        if not self.enabled or self.callback is None:
            raise FlaggingDisabledError("flagging is turned off (flagging_mode is 'never')")
        self._check_option(option_value)
        missing = [name for name in self.components if name not in item_row]
        if missing:
            raise ValueError(f"the flagged row lacks {missing}; it needs {list(self.components)}")
        flag_data = [item_row[name] for name in self.components]
        log = partial(self._log, item_row, flag_data, option_value, username)
        if self.receipts is None or request_id is None:
            return log()
        return self.receipts.once(json.dumps([username, request_id]), log)

    def _log(self, item_row: Mapping, flag_data: list, option_value: str | None, username: str | None) -> int | None:
        if self.mode == "manual" and hasattr(self.callback, "flag_unless"):
            key = _flag_key(item_row["item_id"], option_value)
            return self.callback.flag_unless(flag_data, option_value, username,
                                             lambda mine: any(_flag_key(flag.get("item_id"), flag.get("flag")) == key
                                                              for flag in mine))
        return self.callback.flag(flag_data, flag_option=option_value, username=username)

    def _check_option(self, option_value: str | None) -> None:
        allowed = [option.value for option in self.options]
        # Auto mode logs every label without a button press, so it carries no option.
        if self.mode == "auto":
            allowed.append(None)
        if option_value not in allowed:
            raise ValueError(f"flag option {option_value!r} is not one of the configured options {allowed}")


def _flag_key(item_id, option) -> tuple[str, str]:
    """A flag's comment and reason as text, alike whether read from CSV (cells) or JSON (values)."""
    return str(csv_cell(item_id)), str(csv_cell(option))


def configure_flagging(settings: Settings) -> Flagging:
    """Validate the flagging settings and, unless the mode is `never`, set up the log."""
    mode = parse_mode(settings.flagging_mode)
    options = parse_options(settings.flagging_options)
    callback_class = load_callback_class(settings.flagging_callback)
    if mode == "never":
        return Flagging(mode, options, callback=None, directory=None)
    directory = _writable_directory(settings.flag_dir)
    components = AUTO_COMPONENTS if mode == "auto" else FLAG_COMPONENTS
    try:
        callback = callback_class()
        callback.setup(list(components), directory)
    except (OSError, TypeError, ValueError) as error:
        raise ConfigError(f"flagging_callback {settings.flagging_callback} could not start: {error}") from error
    return Flagging(mode, options, callback=callback, directory=directory, components=components,
                    receipts=Receipts(directory))


def parse_mode(value: str) -> str:
    mode = str(value).strip().lower()
    if mode not in MODES:
        raise ConfigError(f"flagging_mode {value!r} is not valid; use one of {', '.join(MODES)}")
    return mode


def parse_options(value) -> list[FlagOption]:
    """Flag buttons from the setting: none, strings ("Flag as X" storing X), or (label, value) pairs.

    A single string is read as comma-separated values, so `INDIELABEL_FLAGGING_OPTIONS=Offensive,Spam`
    works without JSON; pairs from JSON arrive as two-element lists.
    """
    if value is None:
        return [FlagOption("Flag", None)]
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"flagging_options must be a list of strings or of (label, value) pairs, "
                          f"got {type(value).__name__}")
    if not value:
        return [FlagOption("Flag", None)]
    if all(isinstance(entry, str) for entry in value):
        options = [FlagOption(f"Flag as {entry}", entry) for entry in value]
    elif all(_is_pair(entry) for entry in value):
        options = [FlagOption(label, _stored_value(stored)) for label, stored in value]
    else:
        raise ConfigError("flagging_options must be all strings or all (label, value) pairs of strings, "
                          f"not a mix or other values; got {value!r}")
    return _checked_options(options)


class OptionTypeError(ConfigError, TypeError):
    """A flag option stores a value that is neither text nor None (a TypeError, as in Gradio)."""


def _is_pair(entry) -> bool:
    return isinstance(entry, (list, tuple)) and len(entry) == 2 and isinstance(entry[0], str)


def _stored_value(stored) -> str | None:
    if stored is not None and not isinstance(stored, str):
        raise OptionTypeError(f"flagging_options: the stored value {stored!r} must be text or None, "
                              f"not {type(stored).__name__}")
    return stored


def _checked_options(options: list[FlagOption]) -> list[FlagOption]:
    for option in options:
        if not option.label.strip() or (option.value is not None and not option.value.strip()):
            raise ConfigError(f"flagging_options must not hold empty labels or values; got {option}")
    for field in ("label", "value"):
        seen = [getattr(option, field) for option in options]
        repeated = sorted({entry for entry in seen if seen.count(entry) > 1}, key=str)
        if repeated:
            raise ConfigError(f"flagging_options repeat the {field}s {repeated}")
    return options


def load_callback_class(dotted_path: str) -> type[FlaggingCallback]:
    """The class named `module.Class`, which must subclass FlaggingCallback."""
    module_name, _, class_name = str(dotted_path).rpartition(".")
    if not module_name or not class_name:
        raise ConfigError(f"flagging_callback {dotted_path!r} must be a dotted path such as "
                          "'mypackage.flags.MyLogger'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ConfigError(f"flagging_callback: cannot import module {module_name!r}: {error}") from error
    found = getattr(module, class_name, None)
    if found is None:
        raise ConfigError(f"flagging_callback: module {module_name!r} has no {class_name!r}")
    if not (isinstance(found, type) and issubclass(found, FlaggingCallback)):
        raise ConfigError(f"flagging_callback {dotted_path!r} must be a class that subclasses "
                          "indielabel.flagging.loggers.FlaggingCallback")
    return found


def _writable_directory(directory: Path) -> Path:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        raise ConfigError(f"flagging_dir {directory} is not a writable directory: {error}") from error
    return directory
