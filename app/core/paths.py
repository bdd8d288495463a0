"""Path-parameter convertors. `{local_date:isodate}` only matches `YYYY-MM-DD`, so a sibling
literal path such as `/v1/me/checkins/summary` is never taken for a date (a PUT there is a 405,
not a 422), while FastAPI still validates the value as a real date."""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor


class IsoDateConvertor(Convertor[str]):
    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("isodate", IsoDateConvertor())
