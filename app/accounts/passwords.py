"""Refuse passwords that are common or easy to guess (zxcvbn's dictionaries and estimates)."""

from __future__ import annotations

import anyio.to_thread
from zxcvbn import zxcvbn

from app.core.errors import Unprocessable

# zxcvbn's guess estimate; below 10^6 guesses means a common password or a small variation.
MIN_GUESSES_LOG10 = 6.0
_ANALYSED_LENGTH = 72  # zxcvbn refuses longer input; the first 72 characters tell enough


def _guesses_log10(password: str, user_inputs: list[str]) -> float:
    result = zxcvbn(password[:_ANALYSED_LENGTH], user_inputs=user_inputs)
    return float(result["guesses_log10"])


async def ensure_not_guessable(password: str, *, user_inputs: list[str]) -> None:
    """Raise a 422 `weak_password` for common passwords or ones built from the user's name."""
    inputs = [item for item in user_inputs if item] + ["mestring"]
    score = await anyio.to_thread.run_sync(_guesses_log10, password, inputs)
    if score < MIN_GUESSES_LOG10:
        raise Unprocessable(
            "This password is too common or too easy to guess; try a longer phrase.",
            code="weak_password",
        )
