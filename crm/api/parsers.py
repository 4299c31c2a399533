"""The API's JSON parser: bodies past the nesting limit or holding NUL characters are a 400."""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from crm.limits import JSON_MAX_DEPTH, NUL_MESSAGE, has_nul, nesting_depth


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser, bounded.

    `json.loads` of 2,000 nested `[` raises RecursionError, which DRF lets through as a 500;
    a NUL character reaches PostgreSQL, which refuses it in text and jsonb (another 500).
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(f"JSON nests deeper than {JSON_MAX_DEPTH} levels.") from exc
        if nesting_depth(data) > JSON_MAX_DEPTH:
            raise ParseError(f"JSON nests deeper than {JSON_MAX_DEPTH} levels.")
        if has_nul(data):
            raise ParseError(NUL_MESSAGE)
        return data
