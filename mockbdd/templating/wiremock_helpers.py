"""WireMock 3.x's Handlebars helpers, as wiremock-core's ``extension/responsetemplating/helpers``
and handlebars.java's built-in, String, Conditional and Number helpers implement them.

Helpers take the first argument (``context``) and :class:`Options`; they return plain data.
Errors a WireMock helper renders inline (``[ERROR: ...]``) are rendered the same way here.
"""

from __future__ import annotations

import base64
import json
import math
import random
import re
import socket
import string
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from mockbdd.domain.requests import Body
from mockbdd.templating.dates import (
    RenderableDate,
    format_date,
    parse_date,
    shift,
    truncate,
    utc_now,
)
from mockbdd.templating.handlebars import (
    Helper,
    Options,
    SafeString,
    is_empty,
    iterate,
    java_double,
    to_text,
)
from mockbdd.templating.values import (
    BodyText,
    JsonList,
    JsonMap,
    ListOrSingle,
    json_text,
    pretty_json,
    to_plain,
)
from mockbdd.templating.xml_helpers import xml_helpers


def _error(message: str) -> str:
    return f"[ERROR: {message}]"


# -- handlebars.java built-ins ------------------------------------------------------------------


def _if(context: Any, options: Options) -> Any:
    truthy = not is_empty(context)
    if options.is_block:
        return SafeString(options.fn(same=True) if truthy else options.inverse())
    return options.hash.get("yes", True) if truthy else options.hash.get("no", False)


def _unless(context: Any, options: Options) -> Any:
    truthy = is_empty(context)
    return SafeString(options.fn(same=True) if truthy else options.inverse())


def _each(context: Any, options: Options) -> Any:
    if is_empty(context) or not isinstance(context, (Mapping, list, tuple)):
        return SafeString(options.inverse())
    items = list(iterate(context))
    out: list[str] = []
    last = len(items) - 1
    is_map = isinstance(context, Mapping)
    for i, (key, item) in enumerate(items):
        data: dict[str, Any] = {"@index": i, "@first": i == 0, "@last": i == last}
        if is_map:
            data["@key"] = key
        for name, value in zip(options.block_params, (item, key if is_map else i), strict=False):
            data[name] = value
        out.append(options.fn(item, data))
    return SafeString("".join(out))


def _with(context: Any, options: Options) -> Any:
    if is_empty(context):
        return SafeString(options.inverse())
    return SafeString(options.fn(context, options.block_data(context)))


def _lookup(context: Any, options: Options) -> Any:
    key = options.param(0)
    if isinstance(context, Mapping):
        value = context.get(key)
        return value if value is not None or not isinstance(key, int) else context.get(str(key))
    if isinstance(context, (list, tuple)):
        try:
            index = int(key)
        except (TypeError, ValueError):
            return None
        return context[index] if 0 <= index < len(context) else None
    return None


def _log(context: Any, options: Options) -> Any:
    return ""


def _assign(context: Any, options: Options) -> Any:
    value: Any = options.fn(same=True) if options.is_block else options.param(0)
    options.assign(to_text(context), value)
    return ""


# -- conditionals (handlebars.java ConditionalHelpers) -----------------------------------------


def _numeric(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


def _compare(a: Any, b: Any) -> int:
    na, nb = _numeric(a), _numeric(b)
    if na is not None and nb is not None:
        return (na > nb) - (na < nb)
    if isinstance(a, str) and isinstance(b, str):
        return (a > b) - (a < b)
    raise ValueError(f"cannot compare {to_text(a)!r} with {to_text(b)!r}")


def _equals(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return type(a) is type(b) and a == b
    if isinstance(a, ListOrSingle) != isinstance(b, ListOrSingle):
        return False  # WireMock: a query value (a ListOrSingle) never equals a string literal
    return bool(a == b)


def _conditional(test: Callable[[Any, Options], bool]) -> Helper:
    def helper(context: Any, options: Options) -> Any:
        result = test(context, options)
        if options.is_block:
            return SafeString(options.fn(same=True) if result else options.inverse())
        return options.hash.get("yes", True) if result else options.hash.get("no", False)

    return helper


def _and(context: Any, options: Options) -> bool:
    return not is_empty(context) and all(not is_empty(p) for p in options.params)


def _or(context: Any, options: Options) -> bool:
    return not is_empty(context) or any(not is_empty(p) for p in options.params)


# -- handlebars.java StringHelpers ----------------------------------------------------------------


def _capitalize(context: Any, options: Options) -> Any:
    text = to_text(context)
    if options.hash.get("fully"):
        text = text.lower()
    return re.sub(r"(^|\s)(\S)", lambda m: m.group(1) + m.group(2).upper(), text)


def _capitalize_first(context: Any, options: Options) -> Any:
    text = to_text(context)
    return text[:1].upper() + text[1:]


def _abbreviate(context: Any, options: Options) -> Any:
    text, width = to_text(context), int(options.param(0))
    if len(text) <= width:
        return text
    if width < 4:
        raise ValueError("minimum abbreviation width is 4")
    return text[: width - 3] + "..."


def _substring(context: Any, options: Options) -> Any:
    text = to_text(context)
    start = int(options.param(0))
    end = options.param(1)
    return text[start:] if end is None else text[start : int(end)]


def _replace(context: Any, options: Options) -> Any:
    return to_text(context).replace(to_text(options.param(0)), to_text(options.param(1)))


def _default_if_empty(context: Any, options: Options) -> Any:
    return options.param(0, "") if is_empty(context) else context


def _join_strings(context: Any, options: Options) -> Any:
    values = list(context) if isinstance(context, (list, tuple)) else [context]
    params = list(options.params)
    separator = params.pop() if params else ""
    values.extend(params)
    return to_text(separator).join(to_text(v) for v in values)


def _cut(context: Any, options: Options) -> Any:
    return to_text(context).replace(to_text(options.param(0, " ")), "")


def _pad(kind: str) -> Helper:
    def helper(context: Any, options: Options) -> Any:
        text, size = to_text(context), int(options.hash.get("size", options.param(0, 0)))
        pad = to_text(options.hash.get("pad", " "))[:1] or " "
        if kind == "l":
            return text.ljust(size, pad)
        if kind == "r":
            return text.rjust(size, pad)
        return text.center(size, pad)

    return helper


def _slugify(context: Any, options: Options) -> Any:
    text = re.sub(r"[^\w\s-]", "", to_text(context)).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def _strip_tags(context: Any, options: Options) -> Any:
    return re.sub(r"<[^>]*>", "", to_text(context))


def _yesno(context: Any, options: Options) -> Any:
    if context is None:
        return options.hash.get("maybe", "maybe")
    return options.hash.get("yes", "yes") if context else options.hash.get("no", "no")


def _word_wrap(context: Any, options: Options) -> Any:
    import textwrap

    return "\n".join(textwrap.wrap(to_text(context), int(options.param(0))))


def _is_even(context: Any, options: Options) -> Any:
    even = int(context) % 2 == 0
    return options.param(0, "even") if even else ""


def _is_odd(context: Any, options: Options) -> Any:
    odd = int(context) % 2 == 1
    return options.param(0, "odd") if odd else ""


def _stripes(context: Any, options: Options) -> Any:
    return options.param(0, "even") if int(context) % 2 == 0 else options.param(1, "odd")


# -- WireMock's helpers -------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _json_path(expression: str) -> Any:
    from mockbdd.domain.patterns_json import compile_json_path

    return compile_json_path(expression)


def _read_document(value: Any) -> Any:
    """``_document`` for a helper that only reads it: the request body's JSON as the request
    already parsed it (never changed here: helpers that change a document copy it first)."""
    if type(value) is BodyText:
        parsed = value._mb_body.json
        if parsed is not Body.NOT_JSON:
            return parsed
    return _document(value)


def _document(value: Any) -> Any:
    if isinstance(value, (Mapping, list, tuple)):
        return to_plain(value)
    return json.loads(to_text(value))


def json_path(document: Any, expression: str) -> Any:
    """Jayway's answer: the value of a definite path (None when missing), else the list."""
    import jsonpath

    path, function = _json_path(expression)
    try:
        results = path.findall(document)
    except jsonpath.JSONPathError:
        results = []
    singular = isinstance(path, jsonpath.JSONPath) and path.singular_query()
    selected: Any = (results[0] if results else None) if singular else list(results)
    if function:
        from mockbdd.domain.patterns_json import _FUNCTIONS

        selected = _FUNCTIONS[function](selected)
    return selected


def _json_path_helper(context: Any, options: Options) -> Any:
    if context is None or context == "":
        return ""
    expression = options.param(0)
    if expression is None:
        return _error("The JSONPath cannot be empty")
    try:
        document = _read_document(context)
    except ValueError:
        return _error(f"{to_text(context)} is not valid JSON")
    try:
        value = json_path(document, to_text(expression))
    except Exception:
        return _error(f"{expression} is not a valid JSONPath expression")
    if value is None:
        value = options.hash.get("default", "")
    return _json_data(value)


def _json_data(value: Any) -> Any:
    if isinstance(value, dict):
        return JsonMap(value)
    if isinstance(value, list):
        return JsonList(value)
    return value


def _parse_json(context: Any, options: Options) -> Any:
    if options.is_block:
        text = options.fn(same=True)
        variable = to_text(context) if options.has_context else None
    else:
        if not options.has_context:
            return _error("Missing required JSON string parameter")
        text = to_text(context)
        variable = to_text(options.param(0)) if options.params else None
    text = text.strip()
    result: Any
    result = {} if re.sub(r"\s", "", text) in ("{}", "") else json.loads(text)
    if variable is not None:
        options.assign(variable, result)
        return None
    return result


def _to_json(context: Any, options: Options) -> Any:
    if context is None:
        return ""
    return pretty_json(to_plain(context))


def _val(context: Any, options: Options) -> Any:
    default = options.hash.get("or", options.hash.get("default"))
    value = context if options.has_context and context is not None else default
    if options.hash.get("assign") is not None:
        options.assign(to_text(options.hash["assign"]), value)
        return None
    return value


_RANDOM = random.SystemRandom()


def _random_value(context: Any, options: Options) -> Any:
    length = int(options.hash.get("length", 36))
    kind = to_text(options.hash.get("type", "ALPHANUMERIC"))
    upper = bool(options.hash.get("uppercase", False))
    alphabets = {
        "ALPHANUMERIC": string.ascii_letters + string.digits,
        "ALPHABETIC": string.ascii_letters,
        "NUMERIC": string.digits,
        "ALPHANUMERIC_AND_SYMBOLS": "".join(chr(c) for c in range(33, 126)),
        "HEXADECIMAL": "ABCDEF0123456789",
    }
    if kind == "UUID":
        value = str(uuid.uuid4())
    else:
        alphabet = alphabets.get(kind, "".join(chr(c) for c in range(32, 127)))
        value = "".join(_RANDOM.choice(alphabet) for _ in range(max(0, length)))
    return value.upper() if upper else value.lower()


def _int(value: Any) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    return int(to_text(value))


def _random_int(context: Any, options: Options) -> Any:
    lower = _int(options.hash.get("lower", -(2**31)))
    upper = _int(options.hash.get("upper", 2**31 - 1))
    if upper <= lower:
        raise ValueError("bound must be greater than origin")
    return _RANDOM.randrange(lower, upper)


def _random_decimal(context: Any, options: Options) -> Any:
    lower = float(to_text(options.hash.get("lower", 4.9e-324)))
    upper = float(to_text(options.hash.get("upper", 1.7976931348623157e308)))
    if upper <= lower:
        raise ValueError("bound must be greater than origin")
    return _RANDOM.uniform(lower, upper)


def _pick_random(context: Any, options: Options) -> Any:
    if context is None:
        return _error(
            "Must specify either a single list argument or a set of single value arguments."
        )
    values = list(context) if isinstance(context, (list, tuple)) else [context, *options.params]
    count = options.hash.get("count")
    if isinstance(count, int) and count > 0:
        return _RANDOM.sample(values, min(len(values), count))
    return _RANDOM.choice(values)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        return Decimal(0)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(to_text(value).strip())
    except InvalidOperation:
        return Decimal(0)


def _math(context: Any, options: Options) -> Any:
    if len(options.params) != 2:
        return _error(
            "All maths functions require two operands and an operator as parameters e.g. 3 '+' 2"
        )
    left, operator, right = (
        _decimal(context),
        to_text(options.params[0]),
        _decimal(options.params[1]),
    )
    if operator == "+":
        result = left + right
    elif operator == "-":
        result = left - right
    elif operator in ("*", "x"):
        result = left * right
    elif operator == "/":
        if right == 0:
            raise ValueError("Division by zero")
        exponent = left.as_tuple().exponent
        scale = -exponent if isinstance(exponent, int) else 0
        result = (left / right).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    elif operator == "%":
        if right == 0:
            raise ValueError("Division by zero")
        result = left % right  # Decimal's remainder takes the dividend's sign, as Java's
    else:
        return _error(f"{operator} is not a valid mathematical operator")
    exponent = result.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        number = int(result)
        return number
    return float(result)


def _regex_extract(context: Any, options: Options) -> Any:
    pattern = to_text(options.param(0))
    try:
        regex = _regex(pattern)
    except re.error:
        return _error(f"Invalid regex string {pattern}")
    text = to_text(context)
    groups: list[str] = []
    for m in regex.finditer(text):
        if len(options.params) == 1:
            return m.group()
        groups.extend(g or "" for g in m.groups())
    if not groups:
        default = options.hash.get("default")
        return default if default is not None else _error(f"Nothing matched {pattern}")
    options.assign(to_text(options.param(1)), ListOrSingle(groups))
    return None


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _size(context: Any, options: Options) -> Any:
    if isinstance(context, (str, list, tuple, Mapping)):
        return len(context)
    return None


def _array(context: Any, options: Options) -> Any:
    if not options.has_context or context is None:
        return []
    return [context, *options.params]


def _position(options: Options) -> int | None:
    spec = options.hash.get("position", "end")
    if isinstance(spec, str) and spec.lower() == "start":
        return 0
    if isinstance(spec, str) and spec.lower() == "end":
        return None
    return int(spec) if isinstance(spec, int) else int(to_text(spec))


def _array_add(context: Any, options: Options) -> Any:
    if context is None:
        return []
    items = list(context)
    if not options.params:
        return _error("Missing required parameter: additional value to add to list")
    try:
        position = _position(options)
    except ValueError:
        return _error("position must be 'start', 'end' or an integer")
    if position is None:
        items.append(options.params[0])
    elif 0 <= position <= len(items):
        items.insert(position, options.params[0])
    else:
        return _error(
            "position must be greater than or equal to 0 and less than or equal to the size of the list"
        )
    return items


def _array_remove(context: Any, options: Options) -> Any:
    items = list(context)
    try:
        position = _position(options)
    except ValueError:
        return _error("position must be 'start', 'end' or an integer")
    if position is not None and not 0 <= position <= len(items):
        return _error(
            "position must be greater than or equal to 0 and less than or equal to the size of the list"
        )
    index = len(items) - 1 if position is None else position
    if not 0 <= index < len(items):
        raise ValueError(f"Index {index} out of bounds for length {len(items)}")
    del items[index]
    return items


def _array_join(context: Any, options: Options) -> Any:
    if not isinstance(context, str):
        return _error("Separator parameter must be a String")
    first = options.param(0)
    if first is None:
        return _error("The parameter must be list")
    items = list(first) if isinstance(first, (list, tuple)) else list(options.params)
    if not items:
        return ""
    prefix, suffix = (
        to_text(options.hash.get("prefix", "")),
        to_text(options.hash.get("suffix", "")),
    )
    if options.is_block:
        body = context.join(options.fn(item, options.block_data(item)) for item in items)
    else:
        body = context.join(to_text(item) for item in items)
    return prefix + body + suffix


_MAX_RANGE = 100_000


def _range(context: Any, options: Options) -> Any:
    try:
        lower = _int(context) if context is not None else None
        upper = _int(options.param(0)) if options.params else None
    except ValueError:
        lower = upper = None
    if lower is None or upper is None:
        return _error("The range helper requires both lower and upper bounds as integer parameters")
    if upper - lower + 1 > _MAX_RANGE:
        raise ValueError(f"a range of more than {_MAX_RANGE} numbers")
    return list(range(lower, upper + 1))


def _base64(context: Any, options: Options) -> Any:
    value = options.fn(same=True) if options.is_block else to_text(context)
    if options.hash.get("decode") is True:
        return base64.b64decode(value + "=" * (-len(value) % 4)).decode("utf-8", "replace")
    encoded = base64.b64encode(value.encode()).decode()
    padding = options.hash.get("padding")
    return encoded if padding is None or padding is True else encoded.rstrip("=")


def _url_encode(context: Any, options: Options) -> Any:
    value = options.fn(same=True) if options.is_block else to_text(context)
    encoding = to_text(options.hash.get("encoding", "utf-8"))
    if options.hash.get("decode") is True:
        return urllib.parse.unquote_plus(value, encoding=encoding)
    return urllib.parse.quote_plus(value, safe="*", encoding=encoding).replace("~", "%7E")


def _form_data(context: Any, options: Options) -> Any:
    decode = options.hash.get("urlDecode") is True
    parsed: dict[str, list[str]] = {}
    for pair in to_text(context).split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        if decode:
            key, value = urllib.parse.unquote_plus(key), urllib.parse.unquote_plus(value)
        parsed.setdefault(key, []).append(value)
    data = {k: ListOrSingle(v) for k, v in parsed.items()}
    if options.params:
        options.assign(to_text(options.param(0)), data)
        return None
    return data


@lru_cache(maxsize=1)
def _host() -> str:
    try:
        return socket.gethostname()
    except OSError:
        return "localhost"


def _hostname(context: Any, options: Options) -> Any:
    return _host()


def _trim(context: Any, options: Options) -> Any:
    return (options.fn(same=True) if options.is_block else to_text(context)).strip()


def _contains(context: Any, options: Options) -> Any:
    if not options.params:
        return _error(
            "You must specify the string or array to be matched and the regular expression"
        )
    expected = options.param(0)
    if context is None or expected is None:
        match = False
    elif isinstance(context, (list, tuple)):
        match = expected in context
    else:
        match = to_text(expected) in to_text(context)
    if options.is_block:
        return SafeString(options.fn(same=True)) if match else ""
    return match


def _matches(context: Any, options: Options) -> Any:
    if not options.params:
        return _error("You must specify the string to be matched and the regular expression")
    match = _regex(to_text(options.param(0))).fullmatch(to_text(context)) is not None
    if options.is_block:
        return SafeString(options.fn(same=True)) if match else ""
    return match


def _formatting(
    name: str, data: str, apply: Callable[[str, bool], str]
) -> Callable[[Any, Options], Any]:
    """WireMock's ``AbstractFormattingHelper``: a block or one string parameter, trimmed, and
    ``format`` pretty (the default) or compact; ``apply(text, pretty)`` does the rest."""

    def helper(context: Any, options: Options) -> Any:
        text = (
            options.fn(same=True).strip()
            if options.is_block
            else (context.strip() if isinstance(context, str) else "")
        )
        if not text:
            return _error(
                f"{name} should take a block of {data} to format or a single parameter of type String"
            )
        fmt = to_text(options.hash.get("format", "pretty"))
        if fmt not in ("pretty", "compact"):
            return _error(f"{name}: format [{fmt}] should be one of [pretty, compact]")
        return apply(text, fmt == "pretty")

    return helper


def _json_formatted(text: str, pretty: bool) -> str:
    try:
        value = json.loads(text)
    except ValueError:
        return _error("There was an error parsing the json. Please make sure the json is valid")
    return _pretty(value, 0) if pretty else json_text(value)


def _xml_formatted(text: str, pretty: bool) -> str:
    from mockbdd.templating.format_xml import format_xml  # at the first formatXml rendered

    written = format_xml(text, pretty)
    return _error("Input is not valid XML") if written is None else SafeString(written)


def _pretty(value: Any, depth: int) -> str:
    """Jackson's default pretty printer: ``{`` newline, two-space indent, ``"k" : v``."""
    pad = "  " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            return "{ }"
        inner = ",\n".join(
            f"{pad}{json_text(str(k))} : {_pretty(v, depth + 1)}" for k, v in value.items()
        )
        return "{\n" + inner + "\n" + "  " * depth + "}"
    if isinstance(value, list):
        if not value:
            return "[ ]"
        return "[ " + ", ".join(_pretty(v, depth + 1) for v in value) + " ]"
    return json_text(value)


def _now(context: Any, options: Options) -> Any:
    return _date_of(utc_now(), options, None)


def _date(context: Any, options: Options) -> Any:
    base = context if isinstance(context, RenderableDate) else None
    return _date_of(base.moment if base else utc_now(), options, base)


def _date_of(moment: Any, options: Options, base: RenderableDate | None) -> RenderableDate:
    fmt = options.hash.get("format")
    offset = options.hash.get("offset")
    zone = base.zone if base is not None else options.hash.get("timezone")
    if offset is not None:
        moment = shift(moment, to_text(offset))
    return RenderableDate(
        moment, None if fmt is None else to_text(fmt), None if zone is None else to_text(zone)
    )


def _parse_date(context: Any, options: Options) -> Any:
    fmt = options.hash.get("format")
    return parse_date(to_text(context), None if fmt is None else to_text(fmt))


def _truncate_date(context: Any, options: Options) -> Any:
    if not options.params:
        return _error("Truncation type must be specified as the first parameter to truncateDate")
    if not isinstance(context, RenderableDate):
        return _error("A date object must be passed to the truncateDate helper")
    return truncate(context, to_text(options.param(0)))


def _date_format(context: Any, options: Options) -> Any:
    if not isinstance(context, RenderableDate):
        return to_text(context)
    fmt = options.param(0) if options.params else options.hash.get("format")
    return format_date(context.moment, to_text(fmt) if fmt else "MMM d, yyyy", context.zone)


def _json_merge(context: Any, options: Options) -> Any:
    left, right = _document(context), _document(options.param(0))
    if not isinstance(left, dict) or not isinstance(right, dict):
        return _error("jsonMerge: both parameters must be JSON objects")

    def merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
        out = dict(a)
        for k, v in b.items():
            out[k] = merge(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) else v
        return out

    return SafeString(json_text(merge(left, right)))


def _json_array_add(context: Any, options: Options) -> Any:
    array = _document(context)
    if not isinstance(array, list):
        return _error("Target JSON is not a JSON array")
    item = _document(options.param(0))
    flatten = options.hash.get("flatten") is True
    path = options.hash.get("jsonPath")
    if path is not None:
        target = json_path(array, to_text(path))
        if isinstance(target, list):
            target.append(item)
        return SafeString(json_text(array))
    if flatten and isinstance(item, list):
        array.extend(item)
    else:
        array.append(item)
    max_items = options.hash.get("maxItems")
    if isinstance(max_items, int) and len(array) > max_items:
        array = array[len(array) - max_items :]
    return SafeString(json_text(array))


def _json_remove(context: Any, options: Options) -> Any:
    document = _document(context)
    expression = to_text(options.param(0))
    m = re.fullmatch(r"\$((?:\.[A-Za-z_]\w*|\[\d+\]|\['[^']*'\])+)", expression)
    if m is None:
        return _error(f"jsonRemove: unsupported JSONPath {expression}")
    steps = re.findall(r"\.([A-Za-z_]\w*)|\[(\d+)\]|\['([^']*)'\]", m.group(1))
    keys: list[str | int] = [a or c if not b else int(b) for a, b, c in steps]
    target = document
    for key in keys[:-1]:
        if isinstance(target, dict):
            target = target.get(key)
        elif isinstance(target, list) and isinstance(key, int) and 0 <= key < len(target):
            target = target[key]
        else:
            target = None
    last = keys[-1]
    if isinstance(target, dict) and isinstance(last, str):
        target.pop(last, None)
    elif isinstance(target, list) and isinstance(last, int) and 0 <= last < len(target):
        del target[last]
    return SafeString(json_text(document))


def _json_sort(context: Any, options: Options) -> Any:
    document = _document(context)
    expression = to_text(options.param(0))
    order = to_text(options.hash.get("order", "asc"))
    target = json_path(document, expression) if expression not in ("$", "") else document
    if isinstance(target, list):
        target.sort(key=lambda v: (v is None, v), reverse=order == "desc")
    return SafeString(json_text(document))


def _system_value(context: Any, options: Options) -> Any:
    return _error("Access to system values is disabled in mockbdd")


def helpers() -> dict[str, Helper]:
    """Every helper WireMock 3.13.2 registers, by name."""
    table: dict[str, Helper] = {
        "if": _if,
        "unless": _unless,
        "each": _each,
        "with": _with,
        "lookup": _lookup,
        "log": _log,
        "assign": _assign,
        "eq": _conditional(lambda a, o: _equals(a, o.param(0))),
        "neq": _conditional(lambda a, o: not _equals(a, o.param(0))),
        "gt": _conditional(lambda a, o: _compare(a, o.param(0)) > 0),
        "gte": _conditional(lambda a, o: _compare(a, o.param(0)) >= 0),
        "lt": _conditional(lambda a, o: _compare(a, o.param(0)) < 0),
        "lte": _conditional(lambda a, o: _compare(a, o.param(0)) <= 0),
        "and": _conditional(_and),
        "or": _conditional(_or),
        "not": _conditional(lambda a, o: is_empty(a)),
        "capitalize": _capitalize,
        "capitalizeFirst": _capitalize_first,
        "center": _pad("c"),
        "ljust": _pad("l"),
        "rjust": _pad("r"),
        "cut": _cut,
        "defaultIfEmpty": _default_if_empty,
        "join": _join_strings,
        "lower": lambda c, o: to_text(c).lower(),
        "upper": lambda c, o: to_text(c).upper(),
        "slugify": _slugify,
        "stripTags": _strip_tags,
        "substring": _substring,
        "abbreviate": _abbreviate,
        "replace": _replace,
        "wordWrap": _word_wrap,
        "yesno": _yesno,
        "dateFormat": _date_format,
        "stringFormat": lambda c, o: _error("stringFormat is not supported by mockbdd"),
        "numberFormat": lambda c, o: to_text(c),
        "isEven": _is_even,
        "isOdd": _is_odd,
        "stripes": _stripes,
        "jsonPath": _json_path_helper,
        "parseJson": _parse_json,
        "toJson": _to_json,
        "val": _val,
        "randomValue": _random_value,
        "randomInt": _random_int,
        "randomDecimal": _random_decimal,
        "pickRandom": _pick_random,
        "math": _math,
        "regexExtract": _regex_extract,
        "size": _size,
        "array": _array,
        "arrayAdd": _array_add,
        "arrayRemove": _array_remove,
        "arrayJoin": _array_join,
        "range": _range,
        "base64": _base64,
        "urlEncode": _url_encode,
        "formData": _form_data,
        "hostname": _hostname,
        "trim": _trim,
        "contains": _contains,
        "matches": _matches,
        "formatJson": _formatting("formatJson", "JSON", _json_formatted),
        "now": _now,
        "date": _date,
        "parseDate": _parse_date,
        "truncateDate": _truncate_date,
        "jsonMerge": _json_merge,
        "jsonArrayAdd": _json_array_add,
        "jsonRemove": _json_remove,
        "jsonSort": _json_sort,
        "systemValue": _system_value,
        **xml_helpers(),
        "formatXml": _formatting("formatXml", "XML", _xml_formatted),
    }
    return table


__all__ = ["helpers", "java_double", "json_path", "math"]
