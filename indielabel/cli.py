"""`python -m indielabel ...`: the organizer's commands.

Each sub-command names the function that runs it (``module:function``, called with the parsed
arguments); modules are imported only when their command runs, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from indielabel.config import ConfigError
from indielabel.data.dataset import DatasetError
from indielabel.storage.names import InvalidName, validate_name

PRESETS = ("small", "default", "kumar", "million")  # the generator's, named here so --help stays fast


def _add_generate(commands) -> None:
    parser = commands.add_parser("generate", help="generate the embedded synthetic dataset")
    parser.add_argument("--preset", choices=PRESETS, default="default")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True, help="directory to write the dataset into")
    parser.set_defaults(handler="indielabel.synth.generator:run_generate")


def _add_import(commands) -> None:
    parser = commands.add_parser("import", help="import a dataset from a file")
    formats = parser.add_subparsers(dest="format", required=True)
    kumar = formats.add_parser("kumar", help="JSON lines in the format of Kumar et al. 2021")
    kumar.add_argument("file")
    csv = formats.add_parser("csv", help="long-format CSV, one row per rating")
    csv.add_argument("file")
    csv.add_argument("--item-id", required=True, help="column with the item id")
    csv.add_argument("--text", required=True, help="column with the comment text")
    csv.add_argument("--rater-id", required=True, help="column with the rater id")
    csv.add_argument("--rating", required=True, help="column with the rating")
    csv.add_argument("--system-score", help="column with the system's 0-1 score (else the system scores)")
    csv.add_argument("--rater-attr", action="append", default=[], help="a rater attribute column (repeatable)")
    csv.add_argument("--scale", nargs=2, type=float, required=True, metavar=("MIN", "MAX"),
                     help="the rating scale of the file; ratings are rescaled to 0-4")
    for sub in (kumar, csv):
        sub.add_argument("--out", required=True, help="directory to write the dataset into")
        sub.add_argument("--name", help="dataset name (default: the output directory's name)")
        sub.add_argument("--system", default="profanity-check", choices=("profanity-check", "http"),
                         help="system that scores texts without a score (default: profanity-check)")
        sub.add_argument("--system-url", help="URL of the JSON-over-HTTP scorer (with --system http)")
        sub.set_defaults(handler="indielabel.data.importing:run_import")


def _add_model_commands(commands) -> None:
    fit = commands.add_parser("fit", help="fit (or refit) the base model of a dataset")
    fit.add_argument("dataset", help="dataset directory")
    fit.add_argument("--force", action="store_true", help="refit even when a cached model exists")
    fit.set_defaults(handler="indielabel.model.personal:run_fit")

    evaluate = commands.add_parser("evaluate", help="check the personal model on held-out raters")
    evaluate.add_argument("dataset", help="dataset directory")
    evaluate.add_argument("--labels", type=int, default=20, help="labels given per held-out rater")
    evaluate.add_argument("--holdout-raters", type=int, default=200, help="held-out raters of one split")
    evaluate.add_argument("--folds", type=int, default=None,
                          help="hold out every eligible rater once over K base fits (K at most the raters)")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--sampler", choices=("adaptive", "stratified", "random"), default="adaptive",
                          help="how the labels are picked: like the app (adaptive), the paper's 2/4/8/4/2 "
                               "system-score bins (stratified), or at random")
    evaluate.add_argument("--attributes", action="store_true",
                          help="fold in each held-out rater's own attributes, as if they had described themselves")
    evaluate.add_argument("--pool-only", action="store_true",
                          help="on a generated dataset too, ask held-out raters only about comments they rated")
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluate.set_defaults(handler="indielabel.model.evaluation:run_evaluate")

    bench = commands.add_parser("bench", help="quick measurements")
    what = bench.add_subparsers(dest="what", required=True)
    load = what.add_parser("load", help="time loading a dataset and its base model")
    load.add_argument("dataset", help="dataset directory")
    load.set_defaults(handler="indielabel.prepare:run_bench_load")


def _add_app_commands(commands) -> None:
    prepare = commands.add_parser("prepare", help="generate the default dataset and fit its model if missing")
    prepare.set_defaults(handler="indielabel.prepare:run_prepare")

    serve = commands.add_parser("serve", help="serve the app (gunicorn, one process)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--dataset", help="dataset name under the data directory, or a path")
    serve.set_defaults(handler="indielabel.prepare:run_serve")

    flags = commands.add_parser("flags", help="the flag log")
    flag_commands = flags.add_subparsers(dest="what", required=True)
    export = flag_commands.add_parser("export", help="write every flag to standard output")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.add_argument("--out", help="write to this file instead of standard output")
    export.set_defaults(handler="indielabel.flagging.setup:run_export")

    profiles = commands.add_parser("profiles", help="users' optional self-descriptions")
    profile_commands = profiles.add_subparsers(dest="what", required=True)
    profile_commands.add_parser("export", help="write every user's self-description to standard output as JSON") \
        .set_defaults(handler="indielabel.storage.profiles:run_export")

    avid = commands.add_parser("avid", help="AVID submissions")
    avid_commands = avid.add_subparsers(dest="what", required=True)
    retry = avid_commands.add_parser("retry", help="resubmit every report whose submission is queued or failed "
                                                   "(exit 1 while some remain unsent)")
    retry.add_argument("--unconfirmed", action="store_true",
                       help="also resend reports that may have reached AVID (after checking with AVID that they did not)")
    retry.set_defaults(handler="indielabel.avid.outbox:run_retry")

    users = commands.add_parser("users", help="study participants: links that give a user id to one browser")
    user_commands = users.add_subparsers(dest="action", required=True)
    create = user_commands.add_parser("create", help="create users, each reserved for the one-time link printed "
                                                     "(a line each; no rate limit applies)")
    link = user_commands.add_parser("link", help="a new one-time link for existing users (e.g. lost cookies); "
                                                 "the browser that opens it becomes the user's only owner")
    for sub in (create, link):
        sub.add_argument("names", nargs="+", type=_user_name, metavar="name",
                         help="a user id (ASCII letters, digits, '_' and '-')")
        sub.add_argument("--base-url", help="the server's address as participants reach it "
                                            "(default: http://<host>:<port> from the settings)")
        sub.set_defaults(handler="indielabel.web.ownership:run_users")


def _user_name(value: str) -> str:
    try:
        return validate_name(value, "name")
    except InvalidName as error:
        raise argparse.ArgumentTypeError(error.message) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m indielabel", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    _add_generate(commands)
    _add_import(commands)
    _add_model_commands(commands)
    _add_app_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    module_name, function_name = args.handler.split(":")
    handler = getattr(importlib.import_module(module_name), function_name)
    try:
        return handler(args) or 0
    except (DatasetError, ConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
