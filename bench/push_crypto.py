"""CPU cost of one Web Push message: aes128gcm encryption (RFC 8291) and the VAPID signature.

.venv/bin/python -m bench.push_crypto [rounds]
"""

from __future__ import annotations

import sys
import time

from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from pywebpush import WebPusher

from app.devices.vapid import b64url, new_key_pair, private_key_of, public_point

PAYLOAD = (
    b'{"title":"Tid for dagens innsjekk","body":"Det tar et minutt.",'
    b'"tag":"checkin:2026-12-01","path":"/checkin"}'
)


def main(rounds: int) -> None:
    browser = ec.generate_private_key(ec.SECP256R1())
    subscription = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/x",
        "keys": {"p256dh": b64url(public_point(browser.public_key())), "auth": b64url(b"A" * 16)},
    }
    vapid = Vapid(private_key=private_key_of(new_key_pair()[0]))
    claims = {"sub": "mailto:a@b.example", "aud": "https://fcm.googleapis.com"}
    started = time.perf_counter()
    for _ in range(rounds):
        WebPusher(subscription).encode(PAYLOAD)
        vapid.sign({**claims, "exp": int(time.time()) + 3600})
    per_message = (time.perf_counter() - started) / rounds * 1000
    print(f"{per_message:.2f} ms per message (encrypt + VAPID sign), {rounds} rounds")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
