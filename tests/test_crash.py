"""Crash safety: the server SIGKILLed in the middle of report saves and trainings loses nothing it
acknowledged and leaves no broken file (a few rounds of bench/crash_soak.py, which runs 50)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.crash_checks import MODEL, UserLedger, check_files, check_user
from bench.crash_soak import soak, summary
from indielabel.storage.store import Store

ROUNDS = 5


@pytest.mark.usefixtures("small_base_model")  # fitted and cached before the server starts
def test_killed_mid_write_the_server_restarts_with_every_acknowledged_save_and_whole_files(
        small_dataset_dir, tmp_path, capsys):
    results = soak(small_dataset_dir, tmp_path, ROUNDS)

    with capsys.disabled():
        print("\n" + "\n".join(summary(results)))
    assert [problem for result in results for problem in result.problems] == []
    assert all(result.tally.saves_acked and result.tally.trainings_acked for result in results)
    assert sum(result.tally.cut_off for result in results) > 0, "no kill landed while a request was in flight"


def test_the_checks_catch_a_torn_file_and_a_lost_acknowledged_save(tmp_path):
    store = Store(tmp_path)
    store.add_version("someone", MODEL, {7: 2.0}, {}, np.zeros(3), {})
    report = {"id": "r1", "title": "kept", "created_at": "2024-01-01T00:00:00+00:00",
              "updated_at": "2024-01-01T00:00:00+00:00"}
    store.save_reports("someone", None, [report], 0)
    ledger = UserLedger("someone", {}, acked_saves={1: [report], 2: [{**report, "title": "lost"}]},
                        acked_versions={1: {"7": 2.0}})
    (tmp_path / "someone" / "models" / MODEL / "model.json").write_text('{"name": "crash_mo')

    problems, _ = check_files(tmp_path)
    assert problems and "model.json: unreadable" in problems[0]
    assert check_user(store, ledger, n_items=3) == [
        "someone: reports at revision 1, but revision 2 was acknowledged"]
