"""Responses and sequences (domain/responses.py): the cursor semantics of a sequence."""

from __future__ import annotations

from mockbdd.domain.responses import ResponseDefinition as R
from mockbdd.domain.responses import ResponseSequence, SequenceItem, WhenExhausted


def test_sequence_cursor_semantics() -> None:
    a, b = R(status=201), R(status=202)
    seq = ResponseSequence((SequenceItem(a, 2), SequenceItem(b, 1)))
    assert [seq.response_at(i) for i in range(5)] == [a, a, b, b, b]
    loop = ResponseSequence((SequenceItem(a), SequenceItem(b)), WhenExhausted.LOOP)
    assert [loop.response_at(i) for i in range(4)] == [a, b, a, b]
    nf = ResponseSequence((SequenceItem(a),), WhenExhausted.NOT_FOUND)
    assert nf.response_at(1) is None
    assert nf.is_exhausted(1)
    assert not nf.is_exhausted(0)
