"""``@record`` behaves as ``@dataclass(frozen=True, slots=True)`` does, with shared methods."""

from __future__ import annotations

import copy
import dataclasses
import gc
import pickle
from dataclasses import dataclass, field
from typing import Any

import pytest

from mockbdd.records import record


@record
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()


@record
class Cached:
    key: str
    note: str = field(default="", compare=False, repr=False)
    weight: int = field(default=1, hash=False)
    made: list[int] = field(default_factory=list, compare=False)


@dataclass(frozen=True, slots=True)
class CachedStd:
    key: str
    note: str = field(default="", compare=False, repr=False)
    weight: int = field(default=1, hash=False)
    made: list[int] = field(default_factory=list, compare=False)


@record
class Point3(Point):
    z: int = 0


@record
class Own:
    value: int

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Own) and abs(self.value - other.value) <= 1

    def __hash__(self) -> int:
        return 7

    def __repr__(self) -> str:
        return "Own!"


@record
class OwnEq:
    value: int

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OwnEq)


@record
class Box:
    content: Any
    derived: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "derived", 42)


@record
class Empty:
    pass


def test_equality_and_hash_follow_the_compared_fields() -> None:
    assert Point(1, 2) == Point(1, 2)
    assert Point(1, 2) != Point(1, 3)
    assert hash(Point(1, 2, ("a",))) == hash(Point(1, 2, ("a",)))
    assert {Point(1), Point(1), Point(2)} == {Point(1), Point(2)}
    assert Point(1).__eq__("not a point") is NotImplemented
    assert Empty() == Empty()
    assert hash(Empty()) == hash(())


def test_only_the_same_class_is_equal_as_a_dataclass_has_it() -> None:
    assert Point3(1, 2, z=0) != Point(1, 2)
    assert Point(1, 2) != Point3(1, 2)
    assert Point3(1, 2, (), 3) == Point3(1, 2, (), 3)
    assert Point3(1, 2, (), 3) != Point3(1, 2, (), 4)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (("k", "a", 1), ("k", "b", 1)),  # note: not compared
        (("k", "a", 1), ("k", "a", 2)),  # weight: compared, not hashed
        (("k", "a", 1), ("j", "a", 1)),
    ],
)
def test_compare_and_hash_flags_as_the_standard_dataclass(
    one: tuple[str, str, int], other: tuple[str, str, int]
) -> None:
    mine, theirs = (Cached(*one), Cached(*other)), (CachedStd(*one), CachedStd(*other))
    assert (mine[0] == mine[1]) == (theirs[0] == theirs[1])
    assert (hash(mine[0]) == hash(mine[1])) == (hash(theirs[0]) == hash(theirs[1]))
    assert repr(mine[0]).replace("Cached", "CachedStd") == repr(theirs[0])


def test_repr_shows_the_repr_fields_and_survives_a_cycle() -> None:
    assert repr(Point(1, 2, ("a",))) == "Point(x=1, y=2, tags=('a',))"
    assert repr(Cached("k", note="hidden")) == "Cached(key='k', weight=1, made=[])"
    loop: list[Any] = []
    box = Box(loop)
    loop.append(box)
    assert repr(box) == "Box(content=[...], derived=42)"


def test_the_class_body_keeps_its_own_methods() -> None:
    assert Own(1) == Own(2)
    assert hash(Own(1)) == 7
    assert repr(Own(1)) == "Own!"
    assert OwnEq(1) == OwnEq(2)  # its own __eq__; the record's hash (a dataclass adds one too)
    assert hash(OwnEq(1)) == hash((1,))


def test_a_record_refuses_to_be_written_to() -> None:
    p = Point(1)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'x'"):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'x'"):
        del p.x  # type: ignore[misc]
    with pytest.raises((dataclasses.FrozenInstanceError, AttributeError)):
        p.other = 1  # type: ignore[attr-defined]
    assert p.x == 1
    assert not hasattr(p, "__dict__")  # slotted


def test_it_is_a_dataclass_to_the_standard_library() -> None:
    p = Point(1, 2, ("a",))
    assert dataclasses.is_dataclass(p)
    assert [f.name for f in dataclasses.fields(p)] == ["x", "y", "tags"]
    assert dataclasses.replace(p, y=5) == Point(1, 5, ("a",))
    assert dataclasses.asdict(p) == {"x": 1, "y": 2, "tags": ("a",)}
    assert Point.__match_args__ == ("x", "y", "tags")
    match p:
        case Point(1, y):
            assert y == 2
        case _:  # pragma: no cover - the case above matches
            pytest.fail("no match")
    assert Box("c").derived == 42  # __post_init__ and init=False fields
    assert Cached("k").made == []
    assert Cached("k").made is not Cached("k").made


def test_pickle_and_copy_round_trip() -> None:
    for value in (Point(1, 2, ("a",)), Point3(1, z=3), Cached("k", "n", 2, [1])):
        assert pickle.loads(pickle.dumps(value)) == value
        assert copy.deepcopy(value) == value
        assert copy.copy(value) == value


def test_no_second_class_is_kept_alive() -> None:
    # a frozen slotted dataclass keeps the class that ``slots`` replaced (its __setattr__
    # closes over it): twice the classes; a record keeps one
    def classes(name: str) -> int:
        gc.collect()
        return sum(1 for o in gc.get_objects() if isinstance(o, type) and o.__name__ == name)

    @record
    class OnlyOnce:
        a: int

    assert classes("OnlyOnce") == 1
