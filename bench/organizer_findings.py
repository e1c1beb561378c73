"""The organizer's findings with many auditors: how long the findings page takes to answer.

Generates the `small` preset into a temporary directory, then simulates auditors: each labels 20
random comments (ratings drawn around a leaning of their own), trains a personal model through the
audit service, and saves three reports with evidence from topics their model disagrees with the
system on (one of them complete). The organizer's routes are then called in-process through the
app, with the bearer token:

- the first findings request, which builds every auditor's summary (a server's first look),
- findings and participants once the index is built (each repeat stats the auditors' files only),
- findings right after one auditor trained a new version (one summary is rebuilt).

    python -m bench.organizer_findings [--auditors 1000] [--repeats 30]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.report import markdown_table, say, spread_text, verdict
from indielabel.audit.service import AuditService
from indielabel.config import load_settings
from indielabel.data import dataset as datasets
from indielabel.model import personal as personal_model
from indielabel.storage.reports import Report
from indielabel.synth import generator as synth
from server import create_app

ADMIN_TOKEN = "bench-organizer-token-000"
BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
LABELS_EACH = 20
REPORTS_EACH = 3
EVIDENCE_EACH = 3
MODEL = "mine"
WARM_TARGET_SECONDS = 1.0
EVIDENCE_COLUMNS = ("item_id", "comment", "topic", "system_rating", "system_decision")


def simulate_auditors(service: AuditService, count: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    item_ids = service.frame["item_id"].to_numpy()
    for number in range(count):
        user = f"auditor_{number:04d}"
        leaning = rng.uniform(0.5, 3.5)
        chosen = rng.choice(item_ids, LABELS_EACH, replace=False)
        ratings = {int(item): int(np.clip(round(rng.normal(leaning, 1.0)), 0, 4)) for item in chosen}
        service.train(user, MODEL, ratings)
        service.store.save_reports(user, MODEL, _reports(service, user, rng), 0)


def _reports(service: AuditService, user: str, rng) -> list[dict]:
    frame = service.audit_frame(user, MODEL)
    wrong = frame[frame["error_type"].isin(["over-sensitive", "under-sensitive"]) & (frame["topic_id"] >= 0)]
    pool = wrong if len(wrong) >= EVIDENCE_EACH else frame[frame["topic_id"] >= 0]
    reports = []
    for number in range(REPORTS_EACH):
        topic = pool["topic"].iloc[int(rng.integers(len(pool)))]
        rows = pool[pool["topic"] == topic].head(EVIDENCE_EACH)
        evidence = [{column: _plain(row[column]) for column in EVIDENCE_COLUMNS} for _, row in rows.iterrows()]
        complete = {"summary": "Comments like these are judged wrongly.", "category": "Accuracy"} if number == 0 else {}
        reports.append(Report.model_validate({"title": f"Topic {topic}", "error_type": "over-sensitive",
                                              "evidence": evidence, **complete}).model_dump(mode="json"))
    return reports


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def timed_get(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path, headers=BEARER)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}: {response.get_data(as_text=True)[:300]}")
    return elapsed


def run(auditors: int, repeats: int) -> str:
    with tempfile.TemporaryDirectory(prefix="organizer-bench-") as temporary:
        root = Path(temporary)
        synth.generate_dataset("small", 0, root / "small", quiet=True)
        settings = load_settings({"data_dir": root, "dataset": "small", "admin_token": ADMIN_TOKEN,
                                  "secret_key": "b" * 40}, environ={})
        data = datasets.load(settings.dataset_dir)
        service = AuditService.serving(settings, data, personal_model.load_or_fit(data, quiet=True))
        started = time.perf_counter()
        simulate_auditors(service, auditors)
        say(f"Simulated {auditors} auditors (train + {REPORTS_EACH} reports each) in "
            f"{time.perf_counter() - started:.0f} s; {len(service.topic_labels)} topics")
        client = create_app(settings, service=service).test_client()
        cold = timed_get(client, "/admin/api/findings")
        warm = [timed_get(client, "/admin/api/findings") for _ in range(repeats)]
        participants = [timed_get(client, "/admin/api/participants") for _ in range(repeats)]
        after_write = []
        for number in range(min(repeats, 10)):
            service.train(f"auditor_{number:04d}", MODEL, {int(service.frame["item_id"].iloc[number]): 4})
            after_write.append(timed_get(client, "/admin/api/findings"))
    rows = [
        ["findings, first request (builds every summary)", f"{cold:.2f} s", "—"],
        ["findings, index built", spread_text([value * 1000 for value in warm], "{:.0f}", " ms"),
         verdict(np.median(warm) < WARM_TARGET_SECONDS)],
        ["participants, index built", spread_text([value * 1000 for value in participants], "{:.0f}", " ms"), "—"],
        ["findings after one auditor trained", spread_text([value * 1000 for value in after_write], "{:.0f}", " ms"),
         verdict(np.median(after_write) < WARM_TARGET_SECONDS)],
    ]
    table = markdown_table(["request (median (min–max))", f"{auditors} auditors", "under 1 s"], rows)
    say(table)
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.organizer_findings", description=__doc__.splitlines()[0])
    parser.add_argument("--auditors", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    run(args.auditors, args.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
