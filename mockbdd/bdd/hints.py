"""The closest shipped phrase to a step that matches none (MBD008): what ``mockbdd lint`` and
both runners' undefined-step output say for ``"payments" responds to POST /v1/charges with
status 503 twice, then ...``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import parse
from rapidfuzz import fuzz

from mockbdd.bdd.vocabulary import PHRASES, TYPES, Phrase

CLOSE_ENOUGH = 80.0  # rapidfuzz ratio (0-100) of the texts with their values blanked out
_FIELD = re.compile(r"\{[^{}]*\}")
_TYPE = re.compile(r":Mbd\w+")
# values a step's text holds where a phrase has fields: quoted text, paths, methods, numbers
_VALUES = re.compile(r'"[^"]*"|/\S*|\b[A-Z][A-Z-]+\b|\b\d+(?:\.\d+)?\s?(?:ms|s)?\b')


@dataclass(frozen=True)
class Hint:
    phrase: Phrase
    score: float

    @property
    def text(self) -> str:
        return f"did you mean phrase {self.phrase.number}: {display(self.phrase.pattern)}"


def display(pattern: str) -> str:
    """A phrase as the README's step table writes it (the custom type names left out)."""
    return _TYPE.sub("", pattern)


@cache
def _compiled() -> tuple[tuple[Phrase, parse.Parser, str], ...]:
    return tuple(
        (p, parse.compile(p.pattern, extra_types=TYPES), _skeleton_of_pattern(p.pattern))
        for p in PHRASES
    )


def _skeleton_of_pattern(pattern: str) -> str:
    return _FIELD.sub("#", pattern).replace('"#"', "#")


def _skeleton_of_text(text: str) -> str:
    return _VALUES.sub("#", text)


def matching_phrase(text: str) -> Phrase | None:
    """The shipped phrase a runner runs for ``text``, if any."""
    step = text.strip()
    return next((p for p, parser, _ in _compiled() if parser.parse(step) is not None), None)


def closest_phrase(text: str) -> Hint | None:
    """The shipped phrase ``text`` looks like, when it matches none of them; else None."""
    step = text.strip()
    skeleton = _skeleton_of_text(step)
    best: Hint | None = None
    for phrase, parser, pattern_skeleton in _compiled():
        if parser.parse(step) is not None:
            return None
        score = fuzz.ratio(skeleton, pattern_skeleton)
        if score >= CLOSE_ENOUGH and (best is None or score > best.score):
            best = Hint(phrase, score)
    return best
