"""Java regex (WireMock's dialect) to Python ``re``: the common differences, translated once.

Handled: ``\\Q…\\E`` quoting, ``(?<name>…)`` and ``\\k<name>``, ``\\z``/``\\Z``, ``\\h``, ``\\R``,
the POSIX and common Unicode ``\\p{…}`` classes, and nested union classes ``[a-z[0-9]]``.
Class intersection (``&&``) and other exotic features are rejected with a clear reason.
Patterns compile with DOTALL, as WireMock's ``matches``/``doesNotMatch`` do.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
import warnings

from mockbdd.domain.errors import InvalidInput

# \p{Name}: (inside a class, standalone). An empty inside form means "not usable in a class".
_PROPERTY_CLASSES: dict[str, tuple[str, str]] = {
    "Lower": ("a-z", "[a-z]"),
    "Upper": ("A-Z", "[A-Z]"),
    "ASCII": ("\\x00-\\x7f", "[\\x00-\\x7f]"),
    "Alpha": ("a-zA-Z", "[a-zA-Z]"),
    "Digit": ("0-9", "[0-9]"),
    "Alnum": ("a-zA-Z0-9", "[a-zA-Z0-9]"),
    "Punct": ("!-/:-@\\[-`{-~", "[!-/:-@\\[-`{-~]"),
    "Graph": ("!-~", "[!-~]"),
    "Print": (" -~", "[ -~]"),
    "Blank": (" \\t", "[ \\t]"),
    "Cntrl": ("\\x00-\\x1f\\x7f", "[\\x00-\\x1f\\x7f]"),
    "XDigit": ("0-9a-fA-F", "[0-9a-fA-F]"),
    "Space": (" \\t\\n\\x0b\\f\\r", "[ \\t\\n\\x0b\\f\\r]"),
    "L": ("", "[^\\W\\d_]"),
    "IsL": ("", "[^\\W\\d_]"),
    "IsAlphabetic": ("", "[^\\W\\d_]"),
    "IsLetter": ("", "[^\\W\\d_]"),
    "Nd": ("", "\\d"),
    "N": ("", "\\d"),
    "IsDigit": ("", "\\d"),
    "IsWhite_Space": ("", "\\s"),
}
# Unicode general categories (\p{Lu}, \p{IsL}, \p{Sc}, …): the ones above keep their mapping
_CATEGORIES = (
    frozenset({"L", "Lu", "Ll", "Lt", "Lm", "Lo", "LC", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl"})
    | {"No", "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So"}
    | {"Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Co", "Cs", "Cn"}
)

# java.lang.Character's properties, by the general categories they stand for
_JAVA_PROPERTIES = {
    "javaLowerCase": "Ll",
    "javaUpperCase": "Lu",
    "javaTitleCase": "Lt",
    "javaDigit": "Nd",
    "javaLetter": "L",
    "javaAlphabetic": "L",
}


# Planes that the scan below skips, with the category every code point there has in every
# Unicode version Python ships (checked by tests/unit/domain/test_patterns_regex.py): 4-13 and the rest
# of 14 are unassigned, 15 and 16 are private use but for their last two code points.
_SCANNED = (range(0x40000), range(0xE0000, 0xE1000))
_FIXED_RANGES = (
    (0x40000, 0xDFFFF, "Cn"),
    (0xE1000, 0xEFFFF, "Cn"),
    (0xF0000, 0xFFFFD, "Co"),
    (0xFFFFE, 0xFFFFF, "Cn"),
    (0x100000, 0x10FFFD, "Co"),
    (0x10FFFE, 0x10FFFF, "Cn"),
)


@functools.cache
def _all_category_ranges() -> dict[str, str]:
    """Every general category's code point ranges, as the inside of a ``[...]`` class.

    One scan of the assigned planes (about 40 ms), the first time a pattern names a category.
    """
    runs: list[tuple[int, int, str]] = []
    for span in _SCANNED:
        for cp in span:
            category = unicodedata.category(chr(cp))
            if runs and runs[-1][2] == category and runs[-1][1] == cp - 1:
                runs[-1] = (runs[-1][0], cp, category)
            else:
                runs.append((cp, cp, category))
    runs.extend(_FIXED_RANGES)
    parts: dict[str, list[str]] = {}
    for first, last, category in runs:
        text = f"\\U{first:08x}" if first == last else f"\\U{first:08x}-\\U{last:08x}"
        parts.setdefault(category, []).append(text)
        parts.setdefault(category[0], []).append(text)
        if category in ("Lu", "Ll", "Lt"):
            parts.setdefault("LC", []).append(text)
    return {name: "".join(texts) for name, texts in parts.items()}


def _category_ranges(category: str) -> str:
    return _all_category_ranges().get(category, "")


_HORIZONTAL_SPACE = " \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"
_SIMPLE_ESCAPES = {
    "z": "\\Z",
    "Z": "(?=\\n?\\Z)",
    "R": "(?:\\r\\n|[\\n\\x0b\\f\\r\\x85\\u2028\\u2029])",
}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def compile_java_regex(regex: str, pointer: str = "") -> re.Pattern[str]:
    """Compile a WireMock (Java) regex; ``InvalidInput(pointer, "invalid regex …")`` if bad."""
    try:
        translated = _Translator(regex).run()
        with warnings.catch_warnings():
            warnings.simplefilter(
                "error"
            )  # FutureWarnings flag constructs Python reads differently
            return re.compile(translated, re.DOTALL)
    except (re.error, FutureWarning, _Unsupported) as exc:
        raise InvalidInput(pointer, f"invalid regex {regex!r}: {exc}") from None


class _Unsupported(ValueError):
    pass


class _Translator:
    """One left-to-right pass over the Java pattern, tracking character-class nesting."""

    def __init__(self, regex: str) -> None:
        self.src = regex
        self.pos = 0
        self.out: list[str] = []
        self.class_depth = 0

    def run(self) -> str:
        src = self.src
        while self.pos < len(src):
            char = src[self.pos]
            if char == "\\":
                self._escape()
            elif self.class_depth:
                self._in_class(char)
            elif char == "[":
                self._open_class()
            elif char == "(" and src.startswith("(?<", self.pos) and _NAME.match(src, self.pos + 3):
                self.out.append("(?P<")
                self.pos += 3
            else:
                self.out.append(char)
                self.pos += 1
        return "".join(self.out)

    def _open_class(self) -> None:
        self.class_depth = 1
        self.out.append("[")
        self.pos += 1
        if self.src.startswith("^", self.pos):
            self.out.append("^")
            self.pos += 1
        if self.src.startswith("]", self.pos):  # Java: a leading ']' is a literal
            self.out.append("\\]")
            self.pos += 1

    def _in_class(self, char: str) -> None:
        src = self.src
        self.pos += 1
        if char == "[":
            if src.startswith("^", self.pos):
                raise _Unsupported("negated nested character classes are not supported")
            self.class_depth += 1  # Java union [a[b]] == [ab]
        elif char == "]":
            self.class_depth -= 1
            if not self.class_depth:
                self.out.append("]")
        elif char == "&" and src.startswith("&", self.pos):
            raise _Unsupported("character class intersection (&&) is not supported")
        elif char in "&~|" or (char == "-" and src.startswith("-", self.pos)):
            self.out.append("\\" + char)
        else:
            self.out.append(char)

    def _escape(self) -> None:
        src = self.src
        nxt = src[self.pos + 1 : self.pos + 2]
        self.pos += 2
        if nxt == "Q":
            end = src.find("\\E", self.pos)
            end = len(src) if end < 0 else end
            self.out.append(re.escape(src[self.pos : end]))
            self.pos = end + 2
        elif nxt in ("p", "P"):
            self._property(negated=nxt == "P")
        elif nxt == "x" and src.startswith("{", self.pos):  # Java's \x{1F600}
            end = src.find("}", self.pos)
            digits = src[self.pos + 1 : end] if end > 0 else ""
            if not digits or len(digits) > 6 or not all(c in string.hexdigits for c in digits):
                raise _Unsupported("bad \\x{…} escape")
            self.out.append(f"\\U{int(digits, 16):08x}")
            self.pos = end + 1
        elif nxt == "h":
            hs = _HORIZONTAL_SPACE
            self.out.append(hs if self.class_depth else f"[{hs}]")
        elif nxt == "k" and src.startswith("<", self.pos):
            end = src.find(">", self.pos)
            if end < 0:
                raise _Unsupported("unterminated \\k<name>")
            self.out.append(f"(?P={src[self.pos + 1 : end]})")
            self.pos = end + 1
        elif nxt in _SIMPLE_ESCAPES and not self.class_depth:
            self.out.append(_SIMPLE_ESCAPES[nxt])
        elif nxt == "":
            raise _Unsupported("trailing backslash")
        else:
            self.out.append("\\" + nxt)

    def _property(self, negated: bool) -> None:
        src = self.src
        if src.startswith("{", self.pos):
            end = src.find("}", self.pos)
            if end < 0:
                raise _Unsupported("unterminated \\p{…}")
            name = src[self.pos + 1 : end]
            self.pos = end + 1
        else:
            name = src[self.pos : self.pos + 1]
            self.pos += 1
        name = (
            name.removeprefix("Is")
            if name.startswith("Is") and name[2:] in _PROPERTY_CLASSES
            else name
        )
        if name not in _PROPERTY_CLASSES:
            category = _JAVA_PROPERTIES.get(name, name.removeprefix("Is"))
            if category not in _CATEGORIES:
                raise _Unsupported(f"\\p{{{name}}} is not supported")
            ranges = _category_ranges(category)
            if self.class_depth and negated:
                raise _Unsupported(f"\\P{{{name}}} inside [...] is not supported")
            self.out.append(ranges if self.class_depth else f"[{'^' if negated else ''}{ranges}]")
            return
        inside, standalone = _PROPERTY_CLASSES[name]
        if self.class_depth:
            if negated or not inside:
                raise _Unsupported(
                    f"\\{'P' if negated else 'p'}{{{name}}} inside [...] is not supported"
                )
            self.out.append(inside)
        elif negated:
            if standalone.startswith("[^"):
                self.out.append("[" + standalone[2:])
            elif standalone.startswith("["):
                self.out.append("[^" + standalone[1:])
            else:
                self.out.append(standalone.upper())  # \d -> \D, \s -> \S
        else:
            self.out.append(standalone)
