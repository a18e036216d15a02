"""Dates as WireMock's templates handle them: ``RenderableDate`` (ISO 8601 without millis by
default, ``epoch``/``unix``, or a java.time ``DateTimeFormatter`` pattern), offsets such as
``-3 days`` or ``now +1 years``, ``parseDate`` and ``truncateDate``."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = timezone.utc


def utc_now() -> datetime:
    return datetime.now(UTC)


def zone_of(name: str | None) -> tzinfo:
    if name is None or name in ("UTC", "Z", "GMT"):
        return UTC
    m = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?", name)
    if m:
        delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
        return timezone(-delta if m.group(1) == "-" else delta)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"Unknown time-zone ID: {name}") from None


class RenderableDate:
    """A moment with the format and zone it renders in."""

    __slots__ = ("format", "moment", "zone")

    def __init__(self, moment: datetime, format: str | None, zone: str | None) -> None:
        self.moment = moment
        self.format = format
        self.zone = zone
        zone_of(zone)  # an unknown zone fails here, at the helper

    def __mb_text__(self) -> str:
        fmt = self.format
        millis = int(self.moment.timestamp() * 1000)
        if fmt == "epoch":
            return str(millis)
        if fmt == "unix":
            return str(millis // 1000)
        if fmt is not None:
            return format_date(self.moment, fmt, self.zone)
        local = self.moment.astimezone(zone_of(self.zone))
        offset = local.utcoffset() or timedelta(0)
        if offset == timedelta(0):
            suffix = "Z"
        else:
            total = int(offset.total_seconds() // 60)
            sign = "+" if total >= 0 else "-"
            suffix = f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"
        return local.strftime("%Y-%m-%dT%H:%M:%S") + suffix


_UNITS = {"seconds", "minutes", "hours", "days", "months", "years"}


def shift(moment: datetime, offset: str) -> datetime:
    if offset.lower() == "now":
        return moment
    parts = offset.split(" ")
    if len(parts) not in (2, 3):
        raise ValueError(
            "Offset can be of the short form <amount> <unit> e.g. 8 seconds or long form "
            "now +/-<amount> <unit> e.g. now +5 years"
        )
    amount, unit = int(parts[-2]), parts[-1].lower()
    if unit not in _UNITS:
        raise ValueError(f"No enum constant DateTimeUnit.{unit.upper()}")
    if unit in ("months", "years"):
        months = amount * (12 if unit == "years" else 1)
        utc = moment.astimezone(UTC)
        index = utc.month - 1 + months
        year, month = utc.year + index // 12, index % 12 + 1
        day = min(utc.day, calendar.monthrange(year, month)[1])
        return utc.replace(year=year, month=month, day=day)
    return moment + timedelta(**{unit: amount})


def truncate(date: RenderableDate, kind: str) -> RenderableDate:
    local = date.moment.astimezone(zone_of(date.zone))
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    key = kind.upper().replace(" ", "_")
    if key == "FIRST_SECOND_OF_MINUTE":
        out = local.replace(second=0, microsecond=0)
    elif key == "FIRST_MINUTE_OF_HOUR":
        out = local.replace(minute=0, second=0, microsecond=0)
    elif key == "FIRST_HOUR_OF_DAY":
        out = day
    elif key == "FIRST_DAY_OF_MONTH":
        out = day.replace(day=1)
    elif key == "FIRST_DAY_OF_NEXT_MONTH":
        out = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    elif key == "LAST_DAY_OF_MONTH":
        out = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    elif key == "FIRST_DAY_OF_YEAR":
        out = day.replace(month=1, day=1)
    elif key == "FIRST_DAY_OF_NEXT_YEAR":
        out = day.replace(year=day.year + 1, month=1, day=1)
    elif key == "LAST_DAY_OF_YEAR":
        out = day.replace(month=12, day=31)
    else:
        raise ValueError(f"No enum constant DateTimeTruncation.{key}")
    return RenderableDate(out, None, date.zone)


# -- java.time patterns ---------------------------------------------------------------------------

_MONTHS = [calendar.month_name[i] for i in range(1, 13)]
_DAYS = list(calendar.day_name)


def _offset_text(moment: datetime, colon: bool, z_for_zero: bool) -> str:
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0 and z_for_zero:
        return "Z"
    sign = "+" if minutes >= 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"{sign}{h:02d}:{m:02d}" if colon else f"{sign}{h:02d}{m:02d}"


def _field(letter: str, count: int) -> Callable[[datetime], str]:
    def pad(value: int) -> str:
        return str(value).zfill(count)

    if letter in "yu":
        return (lambda d: str(d.year % 100).zfill(2)) if count == 2 else (lambda d: pad(d.year))
    if letter in "ML":
        if count >= 4:
            return lambda d: _MONTHS[d.month - 1]
        if count == 3:
            return lambda d: _MONTHS[d.month - 1][:3]
        return lambda d: pad(d.month)
    if letter == "d":
        return lambda d: pad(d.day)
    if letter == "D":
        return lambda d: pad(d.timetuple().tm_yday)
    if letter == "H":
        return lambda d: pad(d.hour)
    if letter == "k":
        return lambda d: pad(d.hour or 24)
    if letter == "h":
        return lambda d: pad(d.hour % 12 or 12)
    if letter == "K":
        return lambda d: pad(d.hour % 12)
    if letter == "m":
        return lambda d: pad(d.minute)
    if letter == "s":
        return lambda d: pad(d.second)
    if letter == "S":
        return lambda d: f"{d.microsecond:06d}{'0' * max(0, count - 6)}"[:count]
    if letter == "n":
        return lambda d: pad(d.microsecond * 1000)
    if letter == "a":
        return lambda d: "AM" if d.hour < 12 else "PM"
    if letter == "E":
        return (lambda d: _DAYS[d.weekday()]) if count >= 4 else (lambda d: _DAYS[d.weekday()][:3])
    if letter == "e":
        return lambda d: pad((d.weekday() + 1) % 7 + 1)
    if letter == "Z":
        return (
            (lambda d: _offset_text(d, True, True))
            if count >= 5
            else (lambda d: _offset_text(d, False, False))
        )
    if letter == "X":
        return lambda d: _offset_text(d, count >= 3, True)[
            : 3 if count == 1 and (d.utcoffset() or timedelta(0)) else None
        ]
    if letter == "x":
        return lambda d: _offset_text(d, count >= 3, False)
    if letter == "z":
        return lambda d: d.tzname() or "UTC"
    if letter == "V":
        return lambda d: str(getattr(d.tzinfo, "key", d.tzname() or "UTC"))
    raise ValueError(f"Unknown pattern letter: {letter}")


def _constant(text: str) -> Callable[[datetime], str]:
    return lambda moment: text


@lru_cache(maxsize=256)
def _pattern(pattern: str) -> tuple[Callable[[datetime], str], ...]:
    parts: list[Callable[[datetime], str]] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "'":
            end = pattern.find("'", i + 1)
            if end < 0:
                raise ValueError(f"Pattern ends with an incomplete string literal: {pattern}")
            literal = pattern[i + 1 : end] or "'"
            parts.append(_constant(literal))
            i = end + 1
        elif ch.isalpha():
            j = i
            while j < len(pattern) and pattern[j] == ch:
                j += 1
            parts.append(_field(ch, j - i))
            i = j
        else:
            parts.append(_constant(ch))
            i += 1
    return tuple(parts)


def format_date(moment: datetime, pattern: str, zone: str | None) -> str:
    local = moment.astimezone(zone_of(zone))
    return "".join(part(local) for part in _pattern(pattern))


# -- parsing --------------------------------------------------------------------------------------


def parse_date(text: str, pattern: str | None) -> RenderableDate | None:
    """``parseDate``: ISO 8601 with a zone, RFC 1123 (HTTP dates), ``epoch``/``unix``, or a
    pattern; None when it does not parse (as WireMock's helper returns null)."""
    if pattern is not None:
        lowered = pattern.lower()
        try:
            if lowered == "unix":
                return RenderableDate(datetime.fromtimestamp(int(text), UTC), None, None)
            if lowered == "epoch":
                return RenderableDate(datetime.fromtimestamp(int(text) / 1000, UTC), None, None)
            return RenderableDate(_parse_pattern(text, pattern), None, None)
        except ValueError:
            return None
    candidate = re.sub(
        r"([0-5]\d:[0-5]\d(?::[0-5]\d)?(?:\.\d+)?) ([0-2]\d)", r"\1+\2", text, count=1
    )
    try:
        parsed = datetime.fromisoformat(candidate.replace("Z", "+00:00"))
        if parsed.tzinfo is not None:
            return RenderableDate(parsed, None, None)
    except ValueError:
        pass
    try:
        return RenderableDate(parsedate_to_datetime(text), None, None)
    except (TypeError, ValueError, IndexError):
        return None


_STRPTIME = {
    "yyyy": "%Y",
    "uuuu": "%Y",
    "yy": "%y",
    "MMMM": "%B",
    "MMM": "%b",
    "MM": "%m",
    "M": "%m",
    "dd": "%d",
    "d": "%d",
    "HH": "%H",
    "H": "%H",
    "hh": "%I",
    "h": "%I",
    "mm": "%M",
    "m": "%M",
    "ss": "%S",
    "s": "%S",
    "SSS": "%f",
    "a": "%p",
    "EEEE": "%A",
    "EEE": "%a",
    "Z": "%z",
    "XXX": "%z",
    "XX": "%z",
    "X": "%z",
    "xxx": "%z",
    "z": "%Z",
}


def _parse_pattern(text: str, pattern: str) -> datetime:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "'":
            end = pattern.find("'", i + 1)
            out.append((pattern[i + 1 : end] or "'").replace("%", "%%"))
            i = end + 1
            continue
        j = i
        while j < len(pattern) and pattern[j] == ch and ch.isalpha():
            j += 1
        token = pattern[i:j] if j > i else ch
        out.append(_STRPTIME.get(token, token.replace("%", "%%")))
        i = max(j, i + 1)
    parsed = datetime.strptime(text, "".join(out))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def is_date(value: Any) -> bool:
    return isinstance(value, RenderableDate)
