"""before / after / equalToDateTime with a fixed clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.patterns_datetime import (
    AfterDateTimePattern,
    BeforeDateTimePattern,
    EqualToDateTimePattern,
    add_months,
    parse_now_expression,
)
from mockbdd.domain.patterns_datetime_format import DateTimeFormat, parse_date_time

NOW = datetime(2024, 1, 31, 10, 30, 15, tzinfo=timezone.utc)


def clock() -> datetime:
    return NOW


def test_fixed_expected_iso_zoned() -> None:
    p = BeforeDateTimePattern("2024-01-31T12:00:00Z")
    assert p.match("2024-01-31T11:59:59Z").is_exact
    assert p.match("2024-01-31T13:59:59+02:00").is_exact  # same instant as 11:59:59Z
    assert not p.match("2024-01-31T12:00:00Z").is_exact
    assert not p.match("not a date").is_exact
    assert not p.match(None).is_exact


def test_after_and_equal_to() -> None:
    assert AfterDateTimePattern("2024-01-01").match("2024-01-01T00:00:01").is_exact
    assert not AfterDateTimePattern("2024-01-01").match("2023-12-31").is_exact
    eq = EqualToDateTimePattern("2024-01-31T12:00:00Z")
    assert eq.match("2024-01-31T13:00:00+01:00").is_exact
    assert eq.match("2024-01-31T12:00:01Z").distance == pytest.approx(0.01)


def test_now_offsets_use_the_injected_clock() -> None:
    p = BeforeDateTimePattern("now +3 days", clock=clock)
    assert p.match("2024-02-03T10:30:14Z").is_exact
    assert not p.match("2024-02-03T10:30:16Z").is_exact
    assert AfterDateTimePattern("now -1 hours", clock=clock).match("2024-01-31T09:31:00Z").is_exact
    assert EqualToDateTimePattern("now", clock=clock).match("2024-01-31T10:30:15Z").is_exact


def test_month_offsets_clamp_to_the_end_of_the_month() -> None:
    p = EqualToDateTimePattern("now +1 months", clock=clock)
    assert p.match("2024-02-29T10:30:15Z").is_exact
    assert add_months(NOW, -13) == NOW.replace(year=2022, month=12)
    assert (
        EqualToDateTimePattern("now +1 years", clock=clock).match("2025-01-31T10:30:15Z").is_exact
    )


def test_expected_offset_fields_override_the_spec() -> None:
    p = EqualToDateTimePattern(
        "now", expected_offset=-15, expected_offset_unit="minutes", clock=clock
    )
    assert p.match("2024-01-31T10:15:15Z").is_exact
    assert p.describe() == 'equalToDateTime "now -15 minutes"'


def test_truncations() -> None:
    p = EqualToDateTimePattern("now", truncate_expected="first day of month", clock=clock)
    assert p.match("2024-01-01T00:00:00Z").is_exact
    q = EqualToDateTimePattern(
        "now +1 days",
        truncate_expected="first_hour_of_day",
        truncate_actual="FIRST_HOUR_OF_DAY",
        clock=clock,
    )
    assert q.match("2024-02-01T23:59:59Z").is_exact
    last = EqualToDateTimePattern("now", truncate_expected="last_day_of_month", clock=clock)
    assert last.match("2024-01-31T00:00:00Z").is_exact
    nxt = EqualToDateTimePattern("now", truncate_expected="first_day_of_next_year", clock=clock)
    assert nxt.match("2025-01-01T00:00:00Z").is_exact
    minute = EqualToDateTimePattern("now", truncate_expected="first_minute_of_hour", clock=clock)
    assert minute.match("2024-01-31T10:00:00Z").is_exact


def test_actual_format_java_pattern() -> None:
    p = EqualToDateTimePattern("2024-01-31T10:30:00", actual_format="dd/MM/yyyy HH:mm")
    assert p.match("31/01/2024 10:30").is_exact
    assert not p.match("2024-01-31T10:30:00").is_exact
    assert p.describe() == 'equalToDateTime "2024-01-31T10:30:00" (actualFormat "dd/MM/yyyy HH:mm")'


@pytest.mark.parametrize(
    ("fmt", "text", "expected"),
    [
        ("yyyy-MM-dd", "2024-03-05", datetime(2024, 3, 5)),
        ("d MMM yy", "5 Mar 24", datetime(2024, 3, 5)),
        ("EEEE, MMMM d, yyyy h:mm a", "Tuesday, March 5, 2024 1:07 PM",
         datetime(2024, 3, 5, 13, 7)),
        ("yyyyMMdd'T'HHmmss.SSSX", "20240305T130700.250Z",
         datetime(2024, 3, 5, 13, 7, 0, 250000, tzinfo=timezone.utc)),
        ("yyyy-MM-dd HH:mm:ssXXX", "2024-03-05 13:07:00+05:30",
         datetime(2024, 3, 5, 13, 7, tzinfo=timezone(timedelta(hours=5, minutes=30)))),
        ("yyyy-MM-dd HH:mm Z", "2024-03-05 13:07 -0100",
         datetime(2024, 3, 5, 13, 7, tzinfo=timezone(timedelta(hours=-1)))),
        ("yyyy-MM-dd[ HH:mm]", "2024-03-05", datetime(2024, 3, 5)),
        ("unix", "1709644020", datetime(2024, 3, 5, 13, 7, tzinfo=timezone.utc)),
        ("epoch", "1709644020500", datetime(2024, 3, 5, 13, 7, 0, 500000, tzinfo=timezone.utc)),
    ],
)  # fmt: skip
def test_date_time_formats(fmt: str, text: str, expected: datetime) -> None:
    assert DateTimeFormat(fmt).parse(text) == expected


def test_date_time_format_rejects_unsupported_letters() -> None:
    with pytest.raises(InvalidInput) as err:
        DateTimeFormat("yyyy QQ")
    assert err.value.reason == "unsupported letter 'QQ' in actualFormat 'yyyy QQ'"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05T13:07:00Z", datetime(2024, 3, 5, 13, 7, tzinfo=timezone.utc)),
        ("2024-03-05T13:07", datetime(2024, 3, 5, 13, 7)),
        ("2024-03-05", datetime(2024, 3, 5)),
        ("2024-03-05T13:07:00.123456789+01:00",
         datetime(2024, 3, 5, 13, 7, 0, 123456, tzinfo=timezone(timedelta(hours=1)))),
        ("Tue, 05 Mar 2024 13:07:00 GMT", datetime(2024, 3, 5, 13, 7, tzinfo=timezone.utc)),
        ("Tuesday, 05-Mar-24 13:07:00 GMT", datetime(2024, 3, 5, 13, 7, tzinfo=timezone.utc)),
        ("Tue Mar  5 13:07:00 2024", datetime(2024, 3, 5, 13, 7, tzinfo=timezone.utc)),
        ("2024-13-05", None),
        ("yesterday", None),
    ],
)  # fmt: skip
def test_default_parsers(text: str, expected: datetime | None) -> None:
    assert parse_date_time(text) == expected


def test_zone_region_in_brackets() -> None:
    parsed = parse_date_time("2024-07-01T12:00:00+02:00[Europe/Paris]")
    assert parsed is not None
    assert parsed.astimezone(timezone.utc) == datetime(2024, 7, 1, 10, tzinfo=timezone.utc)


def test_local_and_zoned_values_are_compared_as_wiremock_does() -> None:
    local_expected = BeforeDateTimePattern("2024-01-31T12:00:00")
    assert local_expected.match("2024-01-31T11:00:00+09:00").is_exact  # actual's local time
    zoned_expected = BeforeDateTimePattern("2024-01-31T12:00:00Z")
    assert zoned_expected.match("2024-01-31T11:00:00").is_exact  # local actual read as UTC
    assert not zoned_expected.match("2024-01-31T13:00:00").is_exact


@pytest.mark.parametrize(
    ("spec", "amount", "unit"),
    [("now", 0, "seconds"), ("NOW +3 days", 3, "days"), ("-1 hours", -1, "hours"),
     ("now +1 year", 1, "years")],
)  # fmt: skip
def test_now_expressions(spec: str, amount: int, unit: str) -> None:
    offset = parse_now_expression(spec)
    assert offset is not None
    assert (offset.amount, offset.unit) == (amount, unit)


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"expected": "tomorrow"},
         "before expects an ISO date-time, 'now' or 'now +/-N units', got 'tomorrow'"),
        ({"expected": "now +3 fortnights"}, "unknown date-time unit 'fortnights'"),
        ({"expected": "now", "truncate_actual": "first_week"}, "unknown truncation 'first_week'"),
        ({"expected": "now", "expected_offset": 3},
         "expectedOffset and expectedOffsetUnit must be given together"),
    ],
)  # fmt: skip
def test_invalid_date_time_patterns(kwargs: dict[str, object], reason: str) -> None:
    with pytest.raises(InvalidInput) as err:
        BeforeDateTimePattern(**kwargs)  # type: ignore[arg-type]
    assert err.value.reason.startswith(reason)
