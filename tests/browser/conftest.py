"""Browser tests: Debian's Chromium, driven by Playwright, against a real IndieLabel server.

One server (AVID pointing at a fake AVID server, manual flagging with two options) serves a copy of
the `small` dataset in which one comment is an HTML injection attempt; a second server on the same
data has AVID off and flagging in `auto` mode; a third has flagging off (`never`). Every test gets a
fresh browser page that fails the test on any JavaScript dialog, and leaves a screenshot in
test-artifacts/.
"""

from __future__ import annotations

import csv
import json
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright

from bench.server_process import NO_RATE_LIMITS
from indielabel.data import dataset as datasets
from indielabel.model import personal as personal_model
from tests.fake_avid import FakeAvid
from tests.live_server import live_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
INJECTED_COMMENT = "Nice try <img src=x onerror=alert(1)> zebracorn"
AVID_KEY = "browser-test-key"
FLAG_OPTIONS = ["Mislabelled", "Offensive"]
FIRST_REQUEST_TIMEOUT = 120


@dataclass(frozen=True)
class Server:
    url: str
    flagging_dir: Path
    avid: FakeAvid | None = None

    def flag_log(self) -> list[dict[str, str]]:
        """The rows of the flag log the organizers get (none before the first flag)."""
        log = self.flagging_dir / "dataset1.csv"
        if not log.is_file():
            return []
        with log.open(newline="", encoding="utf-8") as rows:
            return list(csv.DictReader(rows))


def _inject_comment(items_csv: Path) -> None:
    with items_csv.open(newline="", encoding="utf-8") as source:
        rows = list(csv.reader(source))
    comment_column = rows[0].index("comment")
    rows[1][comment_column] = INJECTED_COMMENT
    with items_csv.open("w", newline="", encoding="utf-8") as target:
        csv.writer(target).writerows(rows)


@pytest.fixture(scope="session")
def browser_dataset_dir(small_dataset_dir, tmp_path_factory) -> Path:
    """The `small` dataset with one comment replaced by markup, and its base model fitted."""
    directory = tmp_path_factory.mktemp("browser-data") / "small"
    shutil.copytree(small_dataset_dir, directory, ignore=shutil.ignore_patterns("cache"))
    _inject_comment(directory / "items.csv")
    # Fitted here, so the servers start by loading it instead of fitting it.
    personal_model.load_or_fit(datasets.load(directory), quiet=True)
    return directory


def _warmed_up(url: str) -> str:
    requests.post(f"{url}/users", json={}, timeout=FIRST_REQUEST_TIMEOUT).raise_for_status()
    return url


@contextmanager
def _serving(dataset_dir: Path, state_dir: Path, **settings: str):
    flagging_dir = state_dir / "flagged"
    # One server serves a whole session of tests from one address: more new users than a person makes.
    with live_server(dataset_dir, state_dir, flagging_dir=str(flagging_dir), **{**NO_RATE_LIMITS, **settings}) as url:
        yield _warmed_up(url), flagging_dir


@pytest.fixture(scope="session")
def imported_dataset_dir(browser_dataset_dir, tmp_path_factory) -> Path:
    """The browser dataset described as an imported one, not synthetic: reports about it may go to AVID."""
    directory = tmp_path_factory.mktemp("browser-data") / "forum"
    shutil.copytree(browser_dataset_dir, directory)
    meta = json.loads((directory / "dataset.json").read_text())
    meta.update({"name": "browser-forum", "source": "csv"})
    (directory / "dataset.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return directory


@pytest.fixture(scope="session")
def server(imported_dataset_dir, tmp_path_factory):
    with FakeAvid(api_key=AVID_KEY) as avid, _serving(
        imported_dataset_dir, tmp_path_factory.mktemp("state-avid"), avid_api_url=avid.url, avid_api_key=AVID_KEY,
        flagging_mode="manual", flagging_options=json.dumps(FLAG_OPTIONS),
    ) as (url, flagging_dir):
        yield Server(url, flagging_dir, avid)


@pytest.fixture(scope="session")
def offline_server(browser_dataset_dir, tmp_path_factory):
    """AVID not configured, and every label logged (flagging mode `auto`)."""
    with _serving(browser_dataset_dir, tmp_path_factory.mktemp("state-offline"), flagging_mode="auto") as (
            url, flagging_dir):
        yield Server(url, flagging_dir)


@pytest.fixture(scope="session")
def unflagged_server(browser_dataset_dir, tmp_path_factory):
    """Flagging off (mode `never`)."""
    with _serving(browser_dataset_dir, tmp_path_factory.mktemp("state-unflagged"), flagging_mode="never") as (
            url, flagging_dir):
        yield Server(url, flagging_dir)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium`")
    if not (ROOT / "indie_label_svelte" / "public" / "index.html").is_file():
        pytest.fail("the front end is not built: run `make frontend`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, request) -> Page:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    dialogs: list[str] = []
    errors: list[str] = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    context.close()
    assert not dialogs, f"the page opened dialogs: {dialogs}"
    assert not errors, f"the page raised errors: {errors}"
