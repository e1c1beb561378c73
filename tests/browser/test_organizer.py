"""The organizer's page in a browser: sign in with the token, see a seeded study's participants, open a
topic's findings, download every export, create study links, sign out; the auditor's page shows none of it."""

from __future__ import annotations

import csv
import io
import json

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.conftest import _serving
from tests.organizer_study import requests_http, seed_study

ADMIN_TOKEN = "browser-organizer-token-1234"
FLAG_OPTION = "Offensive"
N_AUDITORS = 3


@pytest.fixture(scope="module")
def organizer_server(browser_dataset_dir, tmp_path_factory):
    with _serving(browser_dataset_dir, tmp_path_factory.mktemp("state-organizer"), admin_token=ADMIN_TOKEN,
                  flagging_mode="manual", flagging_options=json.dumps([FLAG_OPTION])) as (url, _):
        yield url


@pytest.fixture(scope="module")
def study(organizer_server):
    return seed_study(lambda: requests_http(organizer_server, requests.Session()), N_AUDITORS, FLAG_OPTION)


def _sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/admin")
    page.get_by_label("Organizer token").fill("not-the-token-at-all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Bearer")
    page.get_by_label("Organizer token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Participants")).to_be_visible()


def test_an_organizer_signs_in_and_sees_the_participants_of_the_study(page: Page, organizer_server, study):
    _sign_in(page, organizer_server)
    for user in study.users:
        row = page.get_by_role("row").filter(has_text=user)
        expect(row).to_contain_text("mine (v1)")
    page.get_by_label("Find a user or model").fill(study.users[0])
    expect(page.get_by_role("status").filter(has_text="participants")).to_contain_text("1 of")
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["indielabel_organizer"]["httpOnly"] and cookies["indielabel_organizer"]["sameSite"] == "Strict"


def test_an_organizer_opens_a_topics_findings_down_to_the_evidence(page: Page, organizer_server, study):
    _sign_in(page, organizer_server)
    page.get_by_role("button", name="Findings").click()
    expect(page.get_by_role("heading", name="Findings across auditors")).to_be_visible()
    expect(page.locator("figure.chart svg").first).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("button", name=study.topic_label))
    expect(row.locator("td").nth(4)).to_have_text(str(N_AUDITORS))
    row.get_by_role("button").click()
    expect(page.get_by_role("heading", name=f"Reports ({2 * N_AUDITORS})")).to_be_visible()
    expect(page.get_by_role("heading", name="Comments most often used as evidence")).to_be_visible()
    expect(page.get_by_text("Only groups of at least 5 auditors are shown")).to_be_visible()
    expect(page.locator("article.report").first).to_contain_text("The system misreads this topic")
    page.get_by_role("button", name="All topics").click()
    page.get_by_label("An auditor counts when the system gets wrong at least").select_option(label="50% of a topic's comments")
    expect(page.get_by_text("at least 50% of the topic's comments").first).to_be_visible()


def test_an_organizer_downloads_every_export(page: Page, organizer_server, study):
    _sign_in(page, organizer_server)
    page.get_by_role("button", name="Exports").click()
    files = {}
    for name in ("reports-ours.jsonl", "reports-avid.jsonl", "participants.csv", "findings.csv", "flags.csv",
                 "flags.jsonl"):
        with page.expect_download() as download:
            page.get_by_role("link", name=name).click()
        files[name] = download.value.path().read_text(encoding="utf-8")
    assert sum(json.loads(line)["user"] in study.users for line in files["reports-ours.jsonl"].splitlines()) \
        == 2 * N_AUDITORS
    assert all(json.loads(line)["avid"]["data_type"] == "AVID" for line in files["reports-avid.jsonl"].splitlines())
    assert {row["user"] for row in csv.DictReader(io.StringIO(files["participants.csv"]))} >= set(study.users)
    assert any(row["topic"] == study.topic for row in csv.DictReader(io.StringIO(files["findings.csv"])))
    assert sum(row["username"] in study.users for row in csv.DictReader(io.StringIO(files["flags.csv"]))) \
        == 2 * N_AUDITORS
    assert len(files["flags.jsonl"].splitlines()) >= 2 * N_AUDITORS


def test_an_organizer_creates_a_batch_of_study_links_and_signs_out(page: Page, organizer_server, study):
    _sign_in(page, organizer_server)
    page.get_by_label("How many").fill("3")
    page.get_by_label("Id prefix").fill("wave")
    page.get_by_role("button", name="Create a batch").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the links (CSV)").click()
    links = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert len(links) == 3 and all(row["link"].startswith(organizer_server) and "key=" in row["link"]
                                   for row in links)
    expect(page.get_by_role("row").filter(has_text=links[0]["user"])).to_contain_text("Yes")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Organizer token")).to_be_visible()
    assert requests.get(f"{organizer_server}/admin/api/participants", timeout=10).status_code == 401


def test_the_auditors_page_shows_no_organizer_data(page: Page, organizer_server, study):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(organizer_server)
    expect(page.get_by_role("heading").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    content = page.content()
    assert not any(user in content for user in study.users)
    assert not any("/admin" in address for address in requested)
