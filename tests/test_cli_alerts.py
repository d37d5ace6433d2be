"""`incidex alerts` and the alert lines of `incidex ingest`, run as a user would."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import asdict

import pytest
from typer.testing import CliRunner

from incidex.cli import app
from incidex.cli_alerts import alerts_app
from tests.test_alerts import KHANAQIN_FIRST, KHANAQIN_SECOND, Receiver


def alerts(*args: object):
    return CliRunner().invoke(alerts_app, [str(a) for a in args])


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def articles(tmp_path):
    """A JSON-lines file with the two Khanaqin reports."""
    path = tmp_path / "khanaqin.jsonl"
    fields = ("id", "text", "published", "source", "title", "url")
    lines = [
        json.dumps({k: asdict(a)[k] for k in fields}) for a in (KHANAQIN_FIRST, KHANAQIN_SECOND)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_alerts_add_prints_the_rule_with_its_id(db_path):
    result = alerts("add", "--name", "Diyala deaths", "--admin1", "Diyala", "--min-killed", 3,
                    "--webhook", "https://hooks.example.org/incidex", "--db", db_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "rule 1 added: Diyala deaths (province Diyala; at least 3 killed)"
    )


def test_alerts_add_near_point_with_radius(db_path):
    result = alerts("add", "--name", "Khanaqin", "--near", "34.35, 45.39", "--radius-km", 25,
                    "--type", "bombing", "--db", db_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "within 25 km of 34.35,45.39; type bombing" in result.stdout


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--near", "34.35,45.39"], "radius"),
        (["--near", "Khanaqin", "--radius-km", "5"], "LAT,LON"),
        (["--webhook", "ftp://example.org/x"], "webhook"),
        (["--type", "riot"], "attack_type"),
    ],
)
def test_alerts_add_refuses_a_rule_that_cannot_work(db_path, options, message):
    result = alerts("add", "--name", "bad", *options, "--db", db_path)
    assert result.exit_code == 2
    assert message in result.output


def test_alerts_list_shows_every_rule(db_path):
    alerts("add", "--name", "Diyala", "--admin1", "Diyala", "--db", db_path)
    alerts("add", "--name", "Iraq IS", "--country", "IQ", "--perpetrator", "Islamic",
           "--webhook", "http://127.0.0.1:9/hook", "--db", db_path)  # fmt: skip
    result = alerts("list", "--db", db_path)
    assert result.exit_code == 0, result.output
    assert "2 alert rules" in result.stdout
    assert "province Diyala" in result.stdout
    assert "http://127.0.0.1:9/hook" in result.stdout


def test_alerts_remove_deletes_the_rule(db_path):
    alerts("add", "--name", "Diyala", "--admin1", "Diyala", "--db", db_path)
    result = alerts("remove", 1, "--db", db_path)
    assert result.exit_code == 0, result.output
    assert "rule 1 removed" in result.stdout
    assert "0 alert rules" in alerts("list", "--db", db_path).stdout


def test_alerts_remove_unknown_rule_fails(db_path):
    alerts("add", "--name", "Diyala", "--admin1", "Diyala", "--db", db_path)
    result = alerts("remove", 7, "--db", db_path)
    assert result.exit_code == 1
    assert "no alert rule 7" in result.output


def test_alerts_list_without_database_fails_cleanly(db_path):
    result = alerts("list", "--db", db_path)
    assert result.exit_code == 2
    assert "no database" in result.output


def test_ingest_prints_a_line_per_alert_raised(db_path, articles, receiver):
    alerts("add", "--name", "Diyala", "--admin1", "Diyala", "--webhook", receiver.url,
           "--db", db_path)  # fmt: skip
    result = CliRunner().invoke(app, ["ingest", str(articles), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "alert: rule Diyala matched event 1 (new), delivered (1 attempt)" in result.stdout
    assert "alert: rule Diyala matched event 1 (updated), delivered (1 attempt)" in result.stdout
    assert [sent["alert"]["kind"] for sent in receiver.received] == ["new", "updated"]


def test_ingest_goes_on_when_the_webhook_is_down(db_path, articles, receiver):
    receiver.status = 500
    alerts("add", "--name", "Diyala", "--admin1", "Diyala", "--webhook", receiver.url,
           "--db", db_path)  # fmt: skip
    result = CliRunner().invoke(app, ["ingest", str(articles), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "delivery failed after 4 attempts: HTTP 500" in result.stdout
    assert "2 new" in result.stdout
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("SELECT count(*) FROM alert_deliveries").fetchone()[0] == 8


def test_alerts_recent_and_retry_show_delivery(db_path, articles, receiver):
    receiver.status = 404  # not retried: no waiting between attempts
    alerts("add", "--name", "Diyala", "--admin1", "Diyala", "--webhook", receiver.url,
           "--db", db_path)  # fmt: skip
    CliRunner().invoke(app, ["ingest", str(articles), "--db", str(db_path)])
    recent = alerts("recent", "--db", db_path)
    assert recent.exit_code == 0, recent.output
    assert "2 recent alerts" in recent.stdout
    assert "Khanaqin, Diyala" in recent.stdout
    assert recent.stdout.count("failed") == recent.stdout.count("HTTP 404") == 2
    receiver.status = 200
    retried = alerts("retry", "--db", db_path)
    assert retried.exit_code == 0, retried.output
    assert "2 alerts delivered" in retried.stdout
    assert alerts("recent", "--db", db_path).stdout.count("delivered") == 2
