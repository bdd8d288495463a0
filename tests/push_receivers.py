"""Real protocol peers for the push senders, on real sockets (no mocks of our code).

`WebPushReceiver` is a push service and the browser behind it in one: it hands out
subscriptions (a P-256 key pair and an auth secret it generated, an endpoint on itself), and for
every push it checks the VAPID signature (RFC 8292: ES256 JWT in `Authorization: vapid t=, k=`,
`k` the key the subscription was made for, `aud` the endpoint's origin, `exp` within 24 hours,
`sub` a mailto: or https: URL), the RFC 8030 headers (TTL, Topic, Urgency) and decrypts the
aes128gcm body (RFC 8291) with the subscription's private key and auth secret. It answers 201,
410 for a subscription marked gone, 404 for one it never issued, or what a test told it.

`FcmStub` is FCM HTTP v1 with Google's OAuth token endpoint: it writes a service-account key
file (an RSA key it generated), checks the RS256 JWT assertion at `/token`, and on
`messages:send` the bearer token and the message's shape; an unknown registration token gets
404 UNREGISTERED.

Use them as context managers, or through the fixtures `webpush_receiver` and `fcm_stub`
(import them into a test module); `push_settings(...)` gives the settings that point the app at
them.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import http_ece
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from app.devices.vapid import b64url, b64url_decode, new_key_pair, public_point

Answer = tuple[int, dict[str, str], bytes]
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class _Server:
    """A threaded HTTP server on 127.0.0.1 whose POSTs go to `handle(path, headers, body)`."""

    def __init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra, content = owner.handle(self.path, headers, body)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self.lock = threading.Lock()

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> Answer:
        raise NotImplementedError

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _json(status: int, value: object) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(value).encode()


# --- Web Push -----------------------------------------------------------------------------


@dataclass
class _Subscription:
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    server_key: str  # the applicationServerKey it was made for (base64url point)


@dataclass(frozen=True)
class ReceivedPush:
    """One push the receiver accepted, decrypted."""

    subscription: str  # the endpoint
    payload: dict[str, Any]
    ttl: int
    topic: str | None
    urgency: str | None
    claims: dict[str, Any]


@dataclass
class WebPushReceiver(_Server):
    received: list[ReceivedPush] = field(default_factory=list)
    # What the receiver refused and why (a test asserts it stays empty).
    errors: list[str] = field(default_factory=list)
    # Endpoints that answer 410 Gone, or a status a test chose.
    gone: set[str] = field(default_factory=set)
    answers: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _Server.__init__(self)
        self._subscriptions: dict[str, _Subscription] = {}

    def subscribe(self, application_server_key: str) -> dict[str, Any]:
        """A new subscription, as `PushSubscription.toJSON()` gives it."""
        key = ec.generate_private_key(ec.SECP256R1())
        auth = secrets.token_bytes(16)
        endpoint = f"{self.origin}/push/{secrets.token_urlsafe(24)}"
        with self.lock:
            self._subscriptions[endpoint] = _Subscription(key, auth, application_server_key)
        return {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(public_point(key.public_key())), "auth": b64url(auth)},
        }

    def for_endpoint(self, endpoint: str) -> list[ReceivedPush]:
        with self.lock:
            return [push for push in self.received if push.subscription == endpoint]

    def _refuse(self, status: int, reason: str) -> Answer:
        with self.lock:
            self.errors.append(reason)
        return _json(status, {"reason": reason})

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> Answer:
        endpoint = self.origin + path
        with self.lock:
            subscription = self._subscriptions.get(endpoint)
            forced = self.answers.get(endpoint)
            gone = endpoint in self.gone
        if subscription is None:
            return _json(404, {"reason": "no such subscription"})
        claims, problem = _vapid_claims(headers.get("authorization", ""), subscription.server_key)
        if problem:
            return self._refuse(401 if "signature" in problem else 403, problem)
        now = time.time()
        if claims.get("aud") != self.origin:
            return self._refuse(403, f"aud {claims.get('aud')!r} is not {self.origin}")
        if not isinstance(claims.get("exp"), int) or not now < claims["exp"] <= now + 86400:
            return self._refuse(403, "exp missing, past, or more than 24 hours ahead")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
            return self._refuse(403, "sub is no mailto: or https: URL")
        if gone:
            return _json(410, {"reason": "gone"})
        if forced is not None:
            return _json(forced, {"reason": "as the test asked"})
        if headers.get("content-encoding") != "aes128gcm":
            return self._refuse(415, f"content-encoding {headers.get('content-encoding')!r}")
        if not re.fullmatch(r"\d+", headers.get("ttl", "")):
            return self._refuse(400, "TTL header missing")
        topic = headers.get("topic")
        if topic is not None and not _TOPIC.match(topic):
            return self._refuse(400, "Topic is not 1-32 base64url characters")
        urgency = headers.get("urgency")
        if urgency not in (None, "very-low", "low", "normal", "high"):
            return self._refuse(400, "bad Urgency")
        try:
            plain = http_ece.decrypt(
                body,
                private_key=subscription.private_key,
                auth_secret=subscription.auth,
                version="aes128gcm",
            )
            payload = json.loads(plain)
        except Exception as exc:  # any failure to decrypt is the sender's fault
            return self._refuse(400, f"cannot decrypt: {exc!r}")
        push = ReceivedPush(endpoint, payload, int(headers["ttl"]), topic, urgency, claims)
        with self.lock:
            self.received.append(push)
        return 201, {"Location": f"{self.origin}/message/{len(self.received)}"}, b""


def _vapid_claims(authorization: str, server_key: str) -> tuple[dict[str, Any], str | None]:
    """The verified claims of `vapid t=<jwt>, k=<key>` (RFC 8292 section 3), or a problem."""
    match = re.fullmatch(r"vapid\s+(.*)", authorization.strip())
    if not match:
        return {}, "no vapid authorization"
    params = dict(part.strip().split("=", 1) for part in match.group(1).split(",") if "=" in part)
    token, key = params.get("t"), params.get("k")
    if not token or not key:
        return {}, "t= or k= missing"
    if key.rstrip("=") != server_key.rstrip("="):
        return {}, "k is not the key the subscription was made for"
    try:
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
        claims: dict[str, Any] = jwt.decode(
            token,
            key=public,
            algorithms=["ES256"],
            options={"verify_aud": False, "verify_exp": False, "require": ["aud", "exp", "sub"]},
        )
    except (ValueError, jwt.PyJWTError) as exc:
        return {}, f"bad signature or token: {exc}"
    return claims, None


# --- FCM HTTP v1 --------------------------------------------------------------------------


@dataclass
class FcmStub(_Server):
    project: str = "mestring-test"
    client_email: str = "push@mestring-test.iam.gserviceaccount.com"
    received: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    token_requests: int = 0
    answers: dict[str, int] = field(default_factory=dict)  # registration token -> status

    def __post_init__(self) -> None:
        _Server.__init__(self)
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._access: dict[str, float] = {}
        self._registered: set[str] = set()

    @property
    def token_url(self) -> str:
        return f"{self.origin}/token"

    @property
    def send_url(self) -> str:
        return self.origin + "/v1/projects/{project}/messages:send"

    def write_key_file(self, path: Path) -> Path:
        """A service-account key file as the Firebase console makes one."""
        pem = self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        path.write_text(
            json.dumps(
                {
                    "type": "service_account",
                    "project_id": self.project,
                    "private_key_id": "test-key-1",
                    "private_key": pem,
                    "client_email": self.client_email,
                    "token_uri": self.token_url,
                }
            )
        )
        return path

    def register(self) -> str:
        """A registration token FCM knows (as a phone gets one from the FCM SDK)."""
        token = secrets.token_urlsafe(30) + ":APA91b" + secrets.token_urlsafe(60)
        with self.lock:
            self._registered.add(token)
        return token

    def unregister(self, token: str) -> None:
        with self.lock:
            self._registered.discard(token)

    def _refuse(self, status: int, reason: str) -> Answer:
        with self.lock:
            self.errors.append(reason)
        return _json(status, {"error": {"code": status, "message": reason}})

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> Answer:
        if path == "/token":
            return self._token(body)
        if path == f"/v1/projects/{self.project}/messages:send":
            return self._send(headers, body)
        return _json(404, {"error": {"code": 404, "status": "NOT_FOUND"}})

    def _token(self, body: bytes) -> Answer:
        form = urllib.parse.parse_qs(body.decode())
        if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
            return self._refuse(400, "grant_type")
        try:
            claims = jwt.decode(
                form.get("assertion", [""])[0],
                key=self._key.public_key(),
                algorithms=["RS256"],
                audience=self.token_url,
                issuer=self.client_email,
                options={"require": ["iat", "exp", "aud", "iss", "scope"]},
            )
        except jwt.PyJWTError as exc:
            return self._refuse(400, f"assertion: {exc}")
        if "https://www.googleapis.com/auth/firebase.messaging" not in claims["scope"].split():
            return self._refuse(400, "scope")
        if claims["exp"] - claims["iat"] > 3600:
            return self._refuse(400, "assertion lives longer than an hour")
        access = secrets.token_urlsafe(32)
        with self.lock:
            self.token_requests += 1
            self._access[access] = time.time() + 3600
        return _json(200, {"access_token": access, "expires_in": 3599, "token_type": "Bearer"})

    def _send(self, headers: dict[str, str], body: bytes) -> Answer:
        bearer = headers.get("authorization", "").removeprefix("Bearer ")
        with self.lock:
            valid = self._access.get(bearer, 0) > time.time()
        if not valid:
            return self._refuse(401, "no valid access token")
        try:
            message = json.loads(body)["message"]
            token = message["token"]
            notification = message["notification"]
            assert isinstance(token, str)
            assert set(notification) == {"title", "body"}
            assert all(isinstance(v, str) for v in message.get("data", {}).values())
            assert re.fullmatch(r"\d+s", message["android"]["ttl"])
            assert set(message) <= {"token", "notification", "data", "android", "apns"}
        except (KeyError, TypeError, ValueError, AssertionError) as exc:
            return self._refuse(400, f"message shape: {exc!r}")
        with self.lock:
            forced = self.answers.get(token)
            known = token in self._registered
        if forced is not None:
            return _json(forced, {"error": {"code": forced, "message": "as the test asked"}})
        if not known:
            return _json(
                404,
                {
                    "error": {
                        "code": 404,
                        "status": "NOT_FOUND",
                        "details": [
                            {
                                "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                                "errorCode": "UNREGISTERED",
                            }
                        ],
                    }
                },
            )
        with self.lock:
            self.received.append(message)
        return _json(200, {"name": f"projects/{self.project}/messages/{len(self.received)}"})


# --- fixtures and settings ----------------------------------------------------------------

VAPID_PRIVATE, VAPID_PUBLIC = new_key_pair()
VAPID_SUBJECT = "mailto:drift@mestring.example.com"


@pytest.fixture
def webpush_receiver() -> Iterator[WebPushReceiver]:
    receiver = WebPushReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def fcm_stub() -> Iterator[FcmStub]:
    stub = FcmStub()
    stub.start()
    yield stub
    stub.stop()


def push_settings(
    receiver: WebPushReceiver | None, stub: FcmStub | None, key_dir: Path
) -> dict[str, object]:
    """Settings overrides (for tests.conftest.make_settings) that send to these peers."""
    values: dict[str, object] = {}
    if receiver is not None:
        values |= {
            "vapid_private_key": VAPID_PRIVATE,
            "vapid_subject": VAPID_SUBJECT,
            "webpush_hosts": ["127.0.0.1"],
            "webpush_allow_http": True,
        }
    if stub is not None:
        values |= {
            "fcm_credentials_file": stub.write_key_file(key_dir / "fcm-key.json"),
            "fcm_send_url": stub.send_url,
        }
    return values
