"""Set-up through the HTTP API (a user with a trained model, a saved report), and shared page steps."""

from __future__ import annotations

import itertools
import re

import requests
from playwright.sync_api import Page, expect

_user_numbers = itertools.count(1)
# The HTTP session that set each user up holds the cookie that owns the user; open_app gives it to the browser.
_sessions: dict[str, requests.Session] = {}


def new_user_with_model(url: str, model: str = "mine") -> str:
    """A fresh user with one trained model (20 labels spread over the scale)."""
    user = f"browser_user_{next(_user_numbers)}"
    _sessions[user] = requests.Session()
    train_model(url, user, model)
    return user


def train_model(url: str, user: str, model: str) -> None:
    """Train (or retrain) one of a set-up user's models on 20 labels spread over the scale."""
    session = _sessions[user]
    comments = session.get(f"{url}/get_comments_to_label", params={"n": 20}, timeout=30).json()["to_label"]
    ratings = {str(comment["item_id"]): (index * 3) % 5 for index, comment in enumerate(comments)}
    response = session.post(f"{url}/get_personalized_model",
                            json={"user": user, "model_name": model, "ratings": ratings}, timeout=30)
    response.raise_for_status()


def comment_rows(url: str, user: str, model: str, topic: str) -> dict[int, dict]:
    """The comment table of one topic (every error type) as the server sends it, by item id."""
    rows = _sessions[user].get(f"{url}/get_cluster_results", params={
        "user": user, "model": model, "topic": topic, "error_type": "all"}, timeout=30).json()["cluster_comments"]
    return {row["item_id"]: row for row in rows}


def saved_reports(url: str, user: str, model: str) -> list[dict]:
    response = _sessions[user].get(f"{url}/get_reports", params={"user": user, "model": model}, timeout=30)
    response.raise_for_status()
    return response.json()["reports"]


def evidence_of(row: dict) -> dict:
    fields = ("item_id", "comment", "topic", "system_rating", "system_decision", "predicted_rating",
              "predicted_decision", "error_type")
    return {field: row[field] for field in fields}


def save_complete_report(url: str, user: str, model: str, title: str) -> dict:
    """Save one complete report (two comments of the first topic as evidence) as the user's only report."""
    base = {"user": user, "model": model}
    session = _sessions[user]
    topic = session.get(f"{url}/get_audit", params=base, timeout=30).json()["topics"][0]["topic"]
    rows = session.get(f"{url}/get_cluster_results", params={**base, "topic": topic, "error_type": "all"},
                       timeout=30).json()["cluster_comments"]
    stored = session.get(f"{url}/get_reports", params=base, timeout=30).json()
    report = {**stored["reports"][0], "title": title, "error_type": "over-sensitive", "category": "Toxicity",
              "summary": "The system deletes friendly banter.", "evidence": [evidence_of(row) for row in rows[:2]]}
    response = session.post(f"{url}/save_reports", json={**base, "revision": stored["revision"], "reports": [report]},
                            timeout=30)
    response.raise_for_status()
    return report


def open_app(page: Page, url: str, **params: str | int) -> None:
    if params.get("user") in _sessions:
        page.context.add_cookies([{"name": cookie.name, "value": cookie.value, "url": url, "httpOnly": True,
                                   "sameSite": "Lax"} for cookie in _sessions[params["user"]].cookies])
    query = "&".join(f"{name}={value}" for name, value in params.items())
    page.goto(f"{url}/?{query}" if query else f"{url}/")
    expect(page.get_by_role("tablist", name="IndieLabel")).to_be_visible()


def wait_until_saved(page: Page) -> None:
    """Until the reports panel says its reports are saved (not "Unsaved changes", not "Saving…")."""
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^\s*Saved"))).to_be_visible(timeout=10_000)


def rate_with_keys(page: Page, keys: str) -> None:
    """Rate the comments of the labeling table from the first one on, one key (0–4 or u) each."""
    page.get_by_role("radiogroup").first.focus()
    for key in keys:
        page.keyboard.press(key)


def labeled_item_ids(page: Page) -> list[int]:
    """The item ids of the labeling table's comments, in order (each radio group names its comment)."""
    labels = [group.get_attribute("aria-labelledby") for group in page.get_by_role("radiogroup").all()]
    return [int(re.search(r"-c(\d+)$", label).group(1)) for label in labels]


def open_topic_table(page: Page):
    """The open topic's comment table, showing every comment (errors and non-errors)."""
    page.get_by_role("group", name="What kind of system errors do you want to focus on?").get_by_role(
        "radio", name="Show errors and non-errors", exact=True).check()
    # The table of errors only stays on screen until the new rows arrive; a row read before then is gone.
    page.wait_for_load_state("networkidle")
    table = page.locator("section[aria-labelledby='topic-title'] table")
    expect(table.locator("tbody tr").first).to_be_visible()
    return table


def first_topic_row(page: Page):
    """The first row of the open topic's comment table, pinned by its comment's id: the table may still
    re-render while the page settles, and a locator of "the first row" would then follow another row."""
    table = open_topic_table(page)
    item_id = table.locator("tbody tr").first.get_attribute("data-item")
    return table.locator(f"tbody tr[data-item='{item_id}']")


def reports_panel(page: Page):
    """The reports panel, opened first when it is closed (it starts closed while no report has content)."""
    panel = page.get_by_role("complementary", name="Your audit reports")
    opener = page.get_by_role("button", name=re.compile(r"^Your reports \(\d+\)$"))
    # The reports must have loaded: a panel with content opens by itself.
    page.wait_for_load_state("networkidle")
    expect(panel.or_(opener).first).to_be_visible()
    if opener.is_visible():
        opener.click()
    expect(panel).to_be_visible()
    return panel


def flag_buttons(page: Page):
    return page.get_by_role("button", name=re.compile(r"^Flag\b"))
