"""The senders' pure rules, the VAPID key forms, the push settings and `mestring vapid-keys`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import ConfigError, load_settings
from app.devices.fcm import android_ttl, fcm_message
from app.devices.outcome import delivery_for_status, topic_for
from app.devices.rules import endpoint_allowed, host_allowed
from app.devices.vapid import b64url, b64url_decode, new_key_pair, public_key_of
from app.devices.webpush import payload
from app.push.message import Delivery, PushMessage

# The base point G of P-256 (SEC 2 v2 section 2.4.2; FIPS 186-4 D.1.2.3): the public key of
# the private scalar 1.
P256_GX = "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
P256_GY = "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5"
MESSAGE = PushMessage(title="Tid", body="Sjekk inn", tag="checkin:2026-12-01", path="/checkin")


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Delivery.sent),
        (201, Delivery.sent),  # RFC 8030 section 5: 201 Created
        (202, Delivery.sent),
        (404, Delivery.gone),  # RFC 8030 section 7.3; FCM UNREGISTERED
        (410, Delivery.gone),
        (429, Delivery.failed),  # RFC 6585 section 4: later
        (500, Delivery.failed),
        (503, Delivery.failed),
        (599, Delivery.failed),
        (400, Delivery.refused),  # FCM INVALID_ARGUMENT
        (401, Delivery.refused),
        (403, Delivery.refused),  # VAPID key mismatch, FCM SENDER_ID_MISMATCH
        (413, Delivery.refused),  # RFC 8030 section 7.2: payload too large
        (408, Delivery.refused),
        (299, Delivery.sent),
        (300, Delivery.refused),
        (302, Delivery.refused),
        (100, Delivery.failed),
    ],
)
def test_delivery_for_status(status: int, outcome: Delivery) -> None:
    assert delivery_for_status(status) is outcome


def test_topic_is_32_base64url_characters_of_the_tags_sha256() -> None:
    # printf %s "checkin:2026-12-01" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_'
    assert topic_for("checkin:2026-12-01") == "R9v8CG9y7iadVs8qq_9nrvOA4lJL__R2"
    assert topic_for("a") == "ypeBEsobvcr6wjGzmiPcTaeG7_gUfE5y"
    assert len(topic_for("x" * 500)) == 32


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("fcm.googleapis.com", True),
        ("FCM.googleapis.com.", True),
        ("updates.push.services.mozilla.com", True),
        ("wns2-db5p.notify.windows.com", True),
        ("push.services.mozilla.com.evil.example", False),
        ("evilpush.services.mozilla.com", False),
        ("googleapis.com", False),
        ("127.0.0.1", False),
    ],
)
def test_push_hosts(host: str, allowed: bool) -> None:
    hosts = ["fcm.googleapis.com", "push.services.mozilla.com", "notify.windows.com"]
    assert host_allowed(host, hosts) is allowed


@pytest.mark.parametrize(
    ("endpoint", "allow_http", "allowed"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc", False, True),
        ("https://fcm.googleapis.com:443/fcm/send/abc", False, True),
        ("http://fcm.googleapis.com/fcm/send/abc", False, False),
        ("http://fcm.googleapis.com/fcm/send/abc", True, True),
        ("https://fcm.googleapis.com/fcm/send/abc", True, True),
        ("ftp://fcm.googleapis.com/x", True, False),
        ("https://example.com/fcm.googleapis.com", False, False),
        ("https:///nohost", True, False),
    ],
)
def test_endpoint_allowed(endpoint: str, allow_http: bool, allowed: bool) -> None:
    settings = load_settings(webpush_hosts="fcm.googleapis.com", webpush_allow_http=allow_http)
    assert endpoint_allowed(endpoint, settings) is allowed


def test_the_public_key_of_scalar_one_is_the_base_point() -> None:
    one = b64url((1).to_bytes(32, "big"))
    assert b64url_decode(public_key_of(one)) == bytes.fromhex("04" + P256_GX + P256_GY)


def test_a_new_key_pair_fits_together_and_is_what_browsers_take() -> None:
    private, public = new_key_pair()
    assert len(private) == 43
    assert "=" not in private
    assert public_key_of(private) == public
    point = b64url_decode(public)
    assert len(point) == 65
    assert point[0] == 4
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)  # on the curve


@pytest.mark.parametrize("text", ["", "not base64!", b64url(b"\x00" * 32), b64url(b"\x01" * 31)])
def test_unusable_private_keys(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        public_key_of(text)


def test_payloads_carry_only_the_message() -> None:
    assert json.loads(payload(MESSAGE)) == {
        "title": "Tid",
        "body": "Sjekk inn",
        "tag": "checkin:2026-12-01",
        "path": "/checkin",
    }
    body = fcm_message("tok", PushMessage(title="T", body="B", tag="t", ttl_seconds=60), now=1000)
    assert body["message"]["data"] == {"tag": "t"}  # no path: nothing to open
    assert body["message"]["apns"]["headers"]["apns-expiration"] == "1060"
    assert android_ttl(14400) == "14400s"


def test_push_settings_are_checked(tmp_path: Path) -> None:
    private, _public = new_key_pair()
    with pytest.raises(ConfigError, match="MESTRING_VAPID_SUBJECT"):
        load_settings(vapid_private_key=private)
    with pytest.raises(ConfigError, match="MESTRING_VAPID_PRIVATE_KEY is not"):
        load_settings(vapid_private_key="abc", vapid_subject="mailto:a@b.example")
    with pytest.raises(ConfigError, match="MESTRING_WEBPUSH_ALLOW_HTTP"):
        load_settings(
            env="production",
            secret_key="x9" * 20 + "abcdefghij",
            database_url="sqlite:///x.db",
            webpush_allow_http=True,
        )
    key_file = tmp_path / "vapid"
    key_file.write_text(private + "\n")
    settings = load_settings(vapid_private_key_file=key_file, vapid_subject="mailto:a@b.example")
    assert settings.vapid_private_key == private
    assert private not in repr(settings)
    assert private in settings.secret_values()
    hosts = load_settings(webpush_hosts="push.example.com, Other.example.com").webpush_hosts
    assert hosts == ["push.example.com", "other.example.com"]


def test_fcm_key_files_are_checked(tmp_path: Path) -> None:
    broken = tmp_path / "key.json"
    broken.write_text(json.dumps({"client_email": "a@b", "private_key": "nope"}))
    with pytest.raises(ConfigError, match="not a PEM key"):
        load_settings(fcm_credentials_file=broken)
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(fcm_credentials_file=tmp_path / "missing.json")


def test_vapid_keys_command_prints_a_working_pair() -> None:
    result = CliRunner().invoke(cli, ["vapid-keys"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    private = lines[0].removeprefix("MESTRING_VAPID_PRIVATE_KEY=")
    public = lines[1].removeprefix("public key (applicationServerKey): ")
    assert public_key_of(private) == public
