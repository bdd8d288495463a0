"""Password hashing (libpass, argon2id), tokens (PyJWT access tokens, opaque refresh tokens) and
encryption at rest of small secrets (Fernet, keyed from the app secret with HKDF)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import anyio.to_thread
import jwt
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from passlib.context import CryptContext

from app.core.config import Settings

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "jti", "sid"]
PASSWORD_MIN = 10
PASSWORD_MAX = 128
# Access tokens a worker remembers as verified (~1 KB each): more than a worker's active users.
VERIFIED_TOKENS_KEPT = 4096


class PasswordHasher:
    """argon2id with explicit parameters; hashes with outdated parameters are redone at login."""

    def __init__(self, settings: Settings) -> None:
        self._context = CryptContext(
            schemes=["argon2"],
            deprecated="auto",
            argon2__type="ID",
            argon2__memory_cost=settings.argon2_memory_kib,
            argon2__time_cost=settings.argon2_time_cost,
            argon2__parallelism=settings.argon2_parallelism,
        )
        # Verified against when the email is unknown, so both paths cost the same.
        self._dummy_hash = unmatchable_hash(settings)
        self._running = threading.BoundedSemaphore(settings.argon2_concurrency)

    def _hash(self, password: str) -> str:
        with self._running:
            result: str = self._context.hash(password)
            return result

    def _verify(self, password: str, target: str) -> tuple[bool, str | None]:
        with self._running:
            ok, new_hash = self._context.verify_and_update(password, target)
            return bool(ok), new_hash

    async def hash(self, password: str) -> str:
        """Hash off the event loop (argon2 is deliberately slow)."""
        return await anyio.to_thread.run_sync(self._hash, password)

    async def verify(self, password: str, stored: str | None) -> tuple[bool, str | None]:
        """(matches, new hash when the stored one uses outdated parameters)."""
        target = stored or self._dummy_hash
        ok, new_hash = await anyio.to_thread.run_sync(self._verify, password, target)
        if stored is None:
            return False, None
        return bool(ok), new_hash


def unmatchable_hash(settings: Settings) -> str:
    """An argon2id hash with the configured parameters and a random salt and digest: verifying
    any password against it costs one real argon2 run and fails. Made without hashing, since
    a hash at start-up cost every worker argon2_memory_kib of peak memory (issue 12)."""

    def random_b64(size: int) -> str:
        return base64.b64encode(secrets.token_bytes(size)).decode().rstrip("=")

    cost = (
        f"m={settings.argon2_memory_kib},t={settings.argon2_time_cost},"
        f"p={settings.argon2_parallelism}"
    )
    return f"$argon2id$v=19${cost}${random_b64(16)}${random_b64(32)}"


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    jti: str


class TokenCodec:
    """Signs and verifies access tokens; derives and hashes refresh tokens."""

    def __init__(self, settings: Settings) -> None:
        self._key = settings.resolved_secret_key()
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self.access_ttl = timedelta(minutes=settings.access_token_minutes)
        self._verified: dict[str, tuple[AccessClaims, float]] = {}

    def encode_access(
        self, *, user_id: uuid.UUID, session_id: uuid.UUID, jti: str, issued_at: datetime
    ) -> str:
        """A short-lived JWT; issuing it twice with the same inputs gives the same string."""
        payload: dict[str, Any] = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(user_id),
            "sid": str(session_id),
            "jti": jti,
            "iat": int(issued_at.timestamp()),
            "exp": int((issued_at + self.access_ttl).timestamp()),
        }
        return jwt.encode(payload, self._key, algorithm=ALGORITHM)

    def decode_access(self, token: str) -> AccessClaims | None:
        """The verified claims, or None for anything forged, expired or malformed.

        A token verified once is remembered with its expiry (issue 12: the signature, claim
        and base64 checks cost ~400 Python calls a request): the key is the whole token, its
        signature included, so only a token this codec verified can hit; a hit past its
        `exp` is dropped and answers None as PyJWT would. Revocation is not this layer's: the
        session row is read on every request (app/auth/deps.py)."""
        known = self._verified.get(token)
        if known is not None:
            claims, expires = known
            if time.time() < expires:  # PyJWT's clock and rule: expired from `exp` on
                return claims
            del self._verified[token]
            return None
        verified = self._verify(token)
        if verified is None:
            return None
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            del self._verified[next(iter(self._verified))]  # the oldest
        self._verified[token] = verified
        return verified[0]

    def _verify(self, token: str) -> tuple[AccessClaims, float] | None:
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": REQUIRED_CLAIMS},
            )
            claims = AccessClaims(
                user_id=uuid.UUID(str(payload["sub"])),
                session_id=uuid.UUID(str(payload["sid"])),
                jti=str(payload["jti"]),
            )
            return claims, float(payload["exp"])
        except (jwt.PyJWTError, ValueError, TypeError):
            return None

    @staticmethod
    def new_refresh_token() -> str:
        """A fresh opaque refresh token for a new session."""
        return secrets.token_urlsafe(32)

    def child_refresh_token(self, parent: str) -> str:
        """The token replacing `parent` on rotation; derived, so a lost response can be replayed."""
        digest = hmac.new(self._key.encode(), b"rotate:" + parent.encode(), hashlib.sha256)
        return digest.hexdigest()

    @staticmethod
    def hash_refresh(token: str) -> str:
        """What the database stores instead of the token."""
        return hashlib.sha256(token.encode()).hexdigest()


def hash_code(code: str) -> str:
    """The unkeyed digest one-time codes were stored as before keyed digests (still matched, so
    codes handed out earlier keep working until they expire)."""
    return hashlib.sha256(code.encode()).hexdigest()


@lru_cache(maxsize=32)
def derived_key(secret_key: str, *, purpose: str) -> bytes:
    """32 bytes for one purpose, derived from the app secret with HKDF-SHA256."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"mestring:{purpose}".encode()
    ).derive(secret_key.encode())


def keyed_digest(secret_key: str, purpose: str, data: bytes) -> str:
    """HMAC-SHA256 in hex under a key derived for `purpose`: worthless without the secret key,
    so a database backup cannot be used to guess what went in."""
    return hmac.new(derived_key(secret_key, purpose=purpose), data, hashlib.sha256).hexdigest()


def code_digest(secret_key: str, code: str) -> str:
    """What the database keeps of a one-time code (invitation, recovery code)."""
    return keyed_digest(secret_key, "one-time-code", code.encode())


@lru_cache(maxsize=8)
def fernet_for(secret_key: str, *, purpose: str) -> Fernet:
    """Authenticated encryption for one purpose, keyed by HKDF-SHA256 from the app secret."""
    return Fernet(base64.urlsafe_b64encode(derived_key(secret_key, purpose=purpose)))
