"""Date-time parsing for the date-time patterns: WireMock's default formats and ``actualFormat``.

``actualFormat`` takes a Java ``DateTimeFormatter`` pattern, compiled once to a regex. Supported
letters: ``y u`` (year; ``yy`` = 2000–2099), ``M L`` (``M``/``MM`` number, ``MMM`` ``Jan``,
``MMMM`` ``January``), ``d``, ``H``, ``h`` + ``a``, ``m``, ``s``, ``S…`` (fraction), ``E``
(day name, ignored), ``X x Z`` (offsets), ``z`` (UTC/GMT only), ``VV`` (zone id), ``'text'``
literals and ``[optional]`` sections. Also ``unix`` (seconds) and ``epoch`` (milliseconds).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from mockbdd.domain.errors import InvalidInput

_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
_MONTH_NUMBERS = {name: i for i, name in enumerate(_MONTHS, 1)} | {
    name[:3]: i for i, name in enumerate(_MONTHS, 1)
}
_DAYS_SHORT = "Mon|Tue|Wed|Thu|Fri|Sat|Sun"
_DAYS_LONG = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_OFFSET = r"[+-]\d{2}(?::?\d{2})?"

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:\d{2}(?::\d{2})?)?(?:\[([^\]]+)\])?)?"
)


def _zone(text: str | None) -> tzinfo | None:
    """``Z``, ``+01:00``, ``+0100``, ``+01``, ``UTC``/``GMT`` or a region id, else ``None``."""
    if not text:
        return None
    if text in ("Z", "UTC", "GMT", "UT"):
        return timezone.utc
    if text[0] in "+-":
        digits = text[1:].replace(":", "")
        if not digits.isdigit() or len(digits) not in (2, 4, 6):
            return None
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        delta = timedelta(hours=hours, minutes=minutes, seconds=int(digits[4:6] or 0))
        return timezone(-delta if text[0] == "-" else delta)
    try:
        return ZoneInfo(text)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return None


def _micros(fraction: str | None) -> int:
    return int((fraction or "0")[:6].ljust(6, "0"))


def parse_iso(text: str) -> datetime | None:
    """ISO date, local date-time, or zoned date-time (offset and/or ``[Region/City]``)."""
    found = _ISO.fullmatch(text)
    if found is None:
        return None
    y, mo, d, h, mi, s, frac, offset, region = found.groups()
    try:
        moment = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
    except ValueError:
        return None
    moment = moment.replace(microsecond=_micros(frac))
    zone = _zone(offset) or _zone(region)
    if (offset or region) and zone is None:
        return None
    return moment.replace(tzinfo=zone) if zone is not None else moment


def parse_date_time(text: str) -> datetime | None:
    """WireMock's default parsers: ISO first, then RFC 1123, RFC 1036 and asctime (as UTC)."""
    moment = parse_iso(text)
    if moment is not None or not any(c.isalpha() for c in text):
        return moment
    try:
        parsed = parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def _field(letter: str, count: int) -> tuple[str, str] | None:
    """(group name, regex) for a run of one pattern letter; ``None`` if it is unsupported."""
    if letter in "yu":
        return ("year2", r"\d{2}") if count == 2 else ("year", rf"[+-]?\d{{{max(count, 1)},9}}")
    if letter in "ML":
        if count >= 4:
            return "month_name", "(?i:" + "|".join(_MONTHS) + ")"
        if count == 3:
            return "month_name", "(?i:" + "|".join(m[:3] for m in _MONTHS) + ")"
        return "month", r"\d{2}" if count == 2 else r"\d{1,2}"
    simple = {"d": "day", "H": "hour", "h": "hour12", "m": "minute", "s": "second"}
    if letter in simple:
        return simple[letter], r"\d{2}" if count == 2 else r"\d{1,2}"
    if letter == "S":
        return "fraction", rf"\d{{{count}}}"
    if letter == "a":
        return "ampm", "(?i:AM|PM)"
    if letter == "E":
        return "", "(?i:" + (_DAYS_LONG if count >= 4 else _DAYS_SHORT) + ")"
    if letter in "Xx" or (letter == "Z" and count != 4):
        zulu = "Z|" if letter == "X" or count == 5 else ""
        return "offset", f"(?:{zulu}{_OFFSET})"
    if letter == "z":
        return "zone", r"[A-Za-z]{1,5}"
    if letter == "V" and count == 2:
        return "zone", r"[A-Za-z_]+(?:/[A-Za-z_+\-0-9]+)*"
    return None


class DateTimeFormat:
    """A Java ``DateTimeFormatter`` pattern (or ``unix``/``epoch``) compiled to a regex parser."""

    __slots__ = ("_regex", "_unit", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        lowered = pattern.lower()
        self._unit = {"unix": 1, "epoch": 1000}.get(lowered, 0)
        self._regex = None if self._unit else self._compile(pattern)

    @staticmethod
    def _compile(pattern: str) -> re.Pattern[str]:
        parts: list[str] = []
        i = 0
        while i < len(pattern):
            char = pattern[i]
            if char == "'":
                end = pattern.find("'", i + 1)
                end = len(pattern) if end < 0 else end
                parts.append(re.escape(pattern[i + 1 : end] or "'"))
                i = end + 1
                continue
            if char in "[]":
                parts.append("(?:" if char == "[" else ")?")
                i += 1
                continue
            if not char.isascii() or not char.isalpha():
                parts.append(re.escape(char))
                i += 1
                continue
            run = len(pattern) - i - len(pattern[i:].lstrip(char))
            spec = _field(char, run)
            if spec is None:
                raise InvalidInput(
                    "", f"unsupported letter {char * run!r} in actualFormat {pattern!r}"
                )
            name, regex = spec
            parts.append(f"(?P<{name}>{regex})" if name else regex)
            i += run
        try:
            return re.compile("".join(parts))
        except re.error as exc:
            raise InvalidInput("", f"invalid actualFormat {pattern!r}: {exc}") from None

    def parse(self, text: str) -> datetime | None:
        """The parsed moment (aware when the format has a zone or offset), or ``None``."""
        if self._regex is None:
            if not text.strip().lstrip("-").isdigit():
                return None
            try:
                return datetime.fromtimestamp(int(text) / self._unit, timezone.utc)
            except (OverflowError, OSError, ValueError):
                return None
        found = self._regex.fullmatch(text)
        if found is None:
            return None
        return _build(found.groupdict())


def _build(groups: dict[str, str | None]) -> datetime | None:
    year_text = groups.get("year")
    year2 = groups.get("year2")
    if year_text is None and year2 is None:
        return None
    year = int(year_text) if year_text is not None else 2000 + int(year2 or 0)
    month_name = groups.get("month_name")
    month = _MONTH_NUMBERS[month_name.lower()] if month_name else int(groups.get("month") or 1)
    hour = int(groups.get("hour") or 0)
    if groups.get("hour12") is not None:
        hour = int(groups["hour12"] or 0) % 12
        hour += 12 if (groups.get("ampm") or "").upper() == "PM" else 0
    zone_text = groups.get("offset") or groups.get("zone")
    zone = _zone(zone_text)
    if zone_text and zone is None:
        return None
    try:
        return datetime(
            year,
            month,
            int(groups.get("day") or 1),
            hour,
            int(groups.get("minute") or 0),
            int(groups.get("second") or 0),
            _micros(groups.get("fraction")),
            tzinfo=zone,
        )
    except ValueError:
        return None
