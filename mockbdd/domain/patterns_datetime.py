"""Date-time patterns: ``before``, ``after``, ``equalToDateTime`` (WireMock semantics).

Expected: an ISO date-time (with or without offset), a date, ``now`` or ``now +3 days`` (units
seconds, minutes, hours, days, months, years), optionally shifted by ``expectedOffset`` +
``expectedOffsetUnit`` and truncated by ``truncateExpected`` (both only for ``now``, as WireMock;
the truncation comes first unless ``applyTruncationLast``).
Actual: ISO, RFC 1123/1036, asctime, or ``actualFormat`` (a Java ``DateTimeFormatter`` pattern,
see ``patterns_datetime_format``, or ``unix``/``epoch``). "Now" comes from an injectable clock.
A local (offset-less) value compared with a zoned one is read as UTC, not the host's zone.
"""

from __future__ import annotations

import calendar
import re
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import field
from datetime import datetime, timedelta, timezone

from mockbdd.domain.clock import Clock, utc_now
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.matching import EXACT, NO_MATCH, MatchResult
from mockbdd.domain.patterns import ContentPattern, quote
from mockbdd.domain.patterns_datetime_format import DateTimeFormat, parse_date_time
from mockbdd.records import record


def add_months(moment: datetime, months: int) -> datetime:
    """Java's ``plusMonths``: the day is clamped to the end of the target month."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


_UNITS = ("seconds", "minutes", "hours", "days", "months", "years")


def parse_unit(name: str) -> str:
    """A unit name, singular or plural, any case; ``InvalidInput`` when unknown."""
    unit = name.lower()
    unit = unit if unit.endswith("s") else unit + "s"
    if unit not in _UNITS:
        raise InvalidInput("", f"unknown date-time unit {name!r} (known: {', '.join(_UNITS)})")
    return unit


@record
class DateTimeOffset:
    """An amount of a unit to shift "now" by."""

    amount: int
    unit: str

    def shift(self, moment: datetime) -> datetime:
        if self.unit == "months":
            return add_months(moment, self.amount)
        if self.unit == "years":
            return add_months(moment, 12 * self.amount)
        return moment + timedelta(**{self.unit: self.amount})

    def __str__(self) -> str:
        return f"now {self.amount:+d} {self.unit}"


_NOW_EXPRESSION = re.compile(r"(?:now\s+)?([+-]?\d+)\s+([a-z]+)|now", re.IGNORECASE)


def parse_now_expression(spec: str) -> DateTimeOffset | None:
    """``now``, ``now +3 days``, ``-1 hours`` → an offset; ``None`` for anything else."""
    found = _NOW_EXPRESSION.fullmatch(spec.strip())
    if found is None:
        return None
    if found.group(1) is None:
        return DateTimeOffset(0, "seconds")
    return DateTimeOffset(int(found.group(1)), parse_unit(found.group(2)))


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


TRUNCATIONS: dict[str, Callable[[datetime], datetime]] = {
    "first_second_of_minute": lambda d: d.replace(second=0, microsecond=0),
    "first_minute_of_hour": lambda d: d.replace(minute=0, second=0, microsecond=0),
    "first_hour_of_day": _midnight,
    "first_day_of_month": lambda d: _midnight(d.replace(day=1)),
    "first_day_of_next_month": lambda d: add_months(_midnight(d.replace(day=1)), 1),
    "last_day_of_month": lambda d: _midnight(
        d.replace(day=calendar.monthrange(d.year, d.month)[1])
    ),
    "first_day_of_year": lambda d: _midnight(d.replace(month=1, day=1)),
    "first_day_of_next_year": lambda d: _midnight(d.replace(year=d.year + 1, month=1, day=1)),
    "last_day_of_year": lambda d: _midnight(d.replace(month=12, day=31)),
}


def parse_truncation(name: str) -> Callable[[datetime], datetime]:
    """``first_day_of_month`` or ``first day of month`` (any case)."""
    key = name.strip().lower().replace(" ", "_")
    if key not in TRUNCATIONS:
        raise InvalidInput("", f"unknown truncation {name!r} (known: {', '.join(TRUNCATIONS)})")
    return TRUNCATIONS[key]


def _align(actual: datetime, expected: datetime) -> tuple[datetime, datetime]:
    if (actual.tzinfo is None) == (expected.tzinfo is None):
        return actual, expected
    if expected.tzinfo is None:  # WireMock compares a zoned actual's local time with a local one
        return actual.replace(tzinfo=None), expected
    return actual.replace(tzinfo=timezone.utc), expected


_CENTURY = 100 * 365.2425 * 86400


@record
class DateTimePattern(ContentPattern):
    """Base of the three date-time comparisons; everything but "now" is resolved at construction."""

    expected: str
    actual_format: str | None = None
    truncate_expected: str | None = None
    truncate_actual: str | None = None
    expected_offset: int | None = None
    expected_offset_unit: str | None = None
    apply_truncation_last: bool = False  # offset "now" first, then truncate (WireMock 3)
    clock: Clock = field(default=utc_now, repr=False, compare=False)
    _fixed: datetime | None = field(init=False, repr=False, compare=False)
    _offset: DateTimeOffset | None = field(init=False, repr=False, compare=False)
    _parse: Callable[[str], datetime | None] = field(init=False, repr=False, compare=False)
    _truncate_expected: Callable[[datetime], datetime] | None = field(
        init=False, repr=False, compare=False
    )
    _truncate_actual: Callable[[datetime], datetime] | None = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        offset = parse_now_expression(self.expected)
        fixed = None if offset is not None else parse_date_time(self.expected)
        if offset is None and fixed is None:
            raise InvalidInput(
                "",
                f"{self.key} expects an ISO date-time, 'now' or 'now +/-N units', "
                f"got {self.expected!r}",
            )
        if (self.expected_offset is None) != (self.expected_offset_unit is None):
            raise InvalidInput("", "expectedOffset and expectedOffsetUnit must be given together")
        if offset is not None and self.expected_offset is not None:
            assert self.expected_offset_unit is not None
            offset = DateTimeOffset(self.expected_offset, parse_unit(self.expected_offset_unit))
        fmt = self.actual_format
        parse = DateTimeFormat(fmt).parse if fmt is not None else parse_date_time
        set_ = object.__setattr__
        set_(self, "_fixed", fixed)
        set_(self, "_offset", offset)
        set_(self, "_parse", parse)
        te, ta = self.truncate_expected, self.truncate_actual
        set_(self, "_truncate_expected", parse_truncation(te) if te is not None else None)
        set_(self, "_truncate_actual", parse_truncation(ta) if ta is not None else None)

    @abstractmethod
    def holds(self, actual: datetime, expected: datetime) -> bool:
        """Whether ``actual`` relates to ``expected`` as this operator requires."""

    def expected_now(self) -> datetime:
        """The expected moment for this match: fixed, or computed from the clock."""
        if self._fixed is not None:
            return self._fixed
        now = self.clock()
        assert self._offset is not None
        truncate = self._truncate_expected
        if truncate is None:
            return self._offset.shift(now)
        if self.apply_truncation_last:
            return truncate(self._offset.shift(now))
        return self._offset.shift(truncate(now))

    def match(self, value: str | None) -> MatchResult:
        actual = self._parse(value) if value is not None else None
        if actual is None:
            return NO_MATCH
        if self._truncate_actual is not None:
            actual = self._truncate_actual(actual)
        actual, expected = _align(actual, self.expected_now())
        if self.holds(actual, expected):
            return EXACT
        gap = abs((actual - expected).total_seconds()) / _CENTURY
        return MatchResult(min(1.0, max(0.01, gap)))

    def describe(self) -> str:
        shown = str(self._offset) if self._offset is not None else self.expected
        options = [
            f"{name} {quote(value)}"
            for name, value in (
                ("actualFormat", self.actual_format),
                ("truncateExpected", self.truncate_expected),
                ("truncateActual", self.truncate_actual),
            )
            if value is not None
        ]
        if self.apply_truncation_last:
            options.append("applyTruncationLast")
        suffix = f" ({', '.join(options)})" if options else ""
        return f"{self.key} {quote(shown)}{suffix}"


class BeforeDateTimePattern(DateTimePattern):
    """``before``: strictly earlier than the expected moment."""

    __slots__ = ()
    key = "before"

    def holds(self, actual: datetime, expected: datetime) -> bool:
        return actual < expected


class AfterDateTimePattern(DateTimePattern):
    """``after``: strictly later than the expected moment."""

    __slots__ = ()
    key = "after"

    def holds(self, actual: datetime, expected: datetime) -> bool:
        return actual > expected


class EqualToDateTimePattern(DateTimePattern):
    """``equalToDateTime``: the same instant (or the same local date-time)."""

    __slots__ = ()
    key = "equalToDateTime"

    def holds(self, actual: datetime, expected: datetime) -> bool:
        return actual == expected
