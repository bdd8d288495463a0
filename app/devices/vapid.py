"""VAPID keys (RFC 8292): a P-256 key pair; the public key goes to browsers as the
`applicationServerKey`, the private key signs every push request's JWT.

Forms used here, as the Web Push world writes them (base64url without padding):
- private key: the raw 32-byte scalar (what `mestring vapid-keys` prints), or its DER;
- public key: the 65-byte uncompressed point 0x04 || X || Y (RFC 8292 section 3.2).
"""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

_SCALAR_BYTES = 32


def b64url(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; ValueError for anything else."""
    if not text or any(c not in _B64URL_ALPHABET for c in text.rstrip("=")):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


_B64URL_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def private_key_of(text: str) -> ec.EllipticCurvePrivateKey:
    """The P-256 private key in `text` (raw scalar or DER, base64url); ValueError otherwise."""
    raw = b64url_decode(text.strip())
    if len(raw) == _SCALAR_BYTES:
        return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    try:
        key = serialization.load_der_private_key(raw, password=None)
    except (TypeError, ValueError, UnsupportedAlgorithm) as exc:
        raise ValueError("not a private key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("not a P-256 private key")
    return key


def public_point(key: ec.EllipticCurvePublicKey) -> bytes:
    """The uncompressed point 0x04 || X || Y (65 bytes)."""
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def public_key_of(private_key: str) -> str:
    """The applicationServerKey (base64url uncompressed point) of a configured private key."""
    return b64url(public_point(private_key_of(private_key).public_key()))


def new_key_pair() -> tuple[str, str]:
    """A fresh (private, public) pair: raw scalar and uncompressed point, base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    scalar = key.private_numbers().private_value.to_bytes(_SCALAR_BYTES, "big")
    return b64url(scalar), b64url(public_point(key.public_key()))
