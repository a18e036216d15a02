"""The ``jinja`` transformer: Jinja2 in its immutable sandbox (DESIGN §13).

Templates see the request model (plus ``request.json``), ``faker`` (Faker, seeded per
namespace and request: the same ``--seed`` gives the same data), ``uuid()``, ``now(format?,
offset?)``, ``jsonPath(value, expr)``, ``random`` (a seeded ``random.Random``), ``state``
(the namespace's key/value store) and ``parameters``. Sandboxed: no attribute that starts with
an underscore, no mutating methods, no ``str.format`` escapes, ``range`` capped. A render is
cut off past the output cap or the time budget; an error names the template, line and reason.
"""

from __future__ import annotations

import builtins
import copy
import hashlib
import random
import time
import traceback
import uuid as uuid_module
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from functools import cached_property
from typing import Any

from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.domain.responses import ServeContext
from mockbdd.templating import MAX_OUTPUT_CHARS, MAX_RENDER_SECONDS, TemplateError
from mockbdd.templating.dates import shift, utc_now
from mockbdd.templating.model import RequestModel
from mockbdd.templating.transformers import _TemplateTransformer
from mockbdd.templating.values import CaseInsensitive, JsonMap, LazyValues, to_plain


class JinjaRequest(RequestModel):
    """The request model with ``json`` (the parsed body, or None), ``path`` as text and
    ``pathSegments`` as a list."""

    __slots__ = ()

    _keys = {
        **RequestModel._keys,
        "json": lambda r, c: None if r.body.json is Body.NOT_JSON else r.body.json,
        "path": lambda r, c: r.path,
        "pathSegments": lambda r, c: [s for s in r.path.split("/") if s],
        "pathParameters": lambda r, c: dict(c.path_parameters),
    }


class State:
    """``state`` in a template: the namespace's key/value store."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(str(key), default)

    def set(self, key: str, value: Any) -> str:
        self._values[str(key)] = to_plain(value)
        return ""


class Crud:
    """``crud`` in a template: the namespace's collections, read-only (copies)."""

    __slots__ = ("_store",)

    def __init__(self, store: Any) -> None:
        self._store = store

    def list(self, name: str) -> list[dict[str, Any]]:
        found = None if self._store is None else self._store.get(str(name))
        return [] if found is None else found.items_copy()

    def get(self, name: str, ident: Any) -> dict[str, Any] | None:
        found = None if self._store is None else self._store.get(str(name))
        item = None if found is None else found.get(ident)
        return None if item is None else copy.deepcopy(item)

    def names(self) -> builtins.list[str]:
        return [] if self._store is None else builtins.list(self._store.names())


class JinjaTemplate:
    """A compiled Jinja template; ``render`` enforces the output cap and the time budget.

    It renders through the compiled root function with a context holding only the names the
    template reads (Jinja's own analysis, at compile time): a render builds no entry it does
    not use, and its context is made from a plain dict, not Jinja's ChainMap of globals."""

    def __init__(self, template: Any, name: str, names: frozenset[str]) -> None:
        self._template = template
        self._root = template.root_render_func
        self._environment = template.environment
        self._globals = dict(template.globals)  # the sandbox's range: Jinja's analysis omits it
        self._names = tuple(sorted(names))
        self.name = name

    def render(self, context: Mapping[str, Any]) -> str:
        deadline = time.monotonic() + MAX_RENDER_SECONDS
        parent = dict(self._globals)
        for key in self._names:
            value = context.get(key, _ABSENT)
            if value is not _ABSENT:
                parent[key] = value
        out: list[str] = []
        size = 0
        try:
            for chunk in self._root(self._template.new_context(parent, shared=True)):
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise _Cut(f"the output grew past {MAX_OUTPUT_CHARS} characters")
                if time.monotonic() > deadline:
                    raise _Cut(f"the render took longer than {MAX_RENDER_SECONDS:g} s")
                out.append(chunk)
        except _Cut as exc:
            raise TemplateError(exc.reason, 0, self.name) from None
        except Exception:
            failed = _mapped(self._environment)
            line = _line(failed, self.name)
            if isinstance(failed, TemplateError):
                raise TemplateError(failed.reason, failed.line or line, self.name) from None
            reason = f"{type(failed).__name__}: {failed}"
            raise TemplateError(reason, line, self.name) from None
        return "".join(out)


class _Cut(TemplateError):
    """A render stopped at the output cap or the time budget."""


_ABSENT: Any = object()

# the request model's mappings: their fields are data, looked up as items; what each class
# defines (``get``, ``items``...) is found the sandbox's way
_FIELDS_FIRST: dict[type, frozenset[str]] = {
    kind: frozenset(dir(kind)) for kind in (JinjaRequest, CaseInsensitive, LazyValues, JsonMap)
}


def _mapped(environment: Any) -> Exception:
    """The exception being handled, its traceback mapped to template lines by Jinja."""
    try:
        environment.handle_exception()
    except Exception as mapped:  # handle_exception re-raises the one being handled
        return mapped
    raise AssertionError("handle_exception returned")  # pragma: no cover


def _line(exc: BaseException, name: str) -> int:
    """The template line the error happened at (Jinja maps its frames to template lines)."""
    lines = [f.lineno or 0 for f in traceback.extract_tb(exc.__traceback__) if f.filename == name]
    return lines[-1] if lines else 0


def _json_path(value: Any, expression: str) -> Any:
    from mockbdd.templating.wiremock_helpers import _document, json_path

    found = json_path(_document(value), expression)
    return found


class Jinja(_TemplateTransformer):
    """``jinja``: Jinja2's ImmutableSandboxedEnvironment."""

    engine = "jinja"
    marker = ""  # any text may hold a statement: everything with {{ or {% is compiled

    @cached_property
    def _environment(self) -> Any:
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        class Sandbox(ImmutableSandboxedEnvironment):
            """The immutable sandbox, looking the request model's fields up as items first
            (``request.method``, ``request.query.name``): Jinja tries the attribute first and
            catches the AttributeError, a tenth of a render per field. What the model's class
            defines (``get``, ``items``...) and every other object go the sandbox's way."""

            def getattr(self, obj: Any, attribute: str) -> Any:
                defined = _FIELDS_FIRST.get(type(obj))
                if defined is not None and attribute not in defined and attribute[:1] != "_":
                    try:
                        return obj[attribute]
                    except (TypeError, LookupError):
                        pass
                return super().getattr(obj, attribute)

        env = Sandbox(autoescape=False, keep_trailing_newline=True)
        safe_range = env.globals["range"]  # the sandbox's: refuses more than MAX_RANGE items
        env.globals.clear()
        env.globals["range"] = safe_range
        return env

    @cached_property
    def _faker(self) -> Any:
        from faker import Faker

        return Faker()

    def compile(self, source: str, name: str) -> JinjaTemplate:
        import jinja2
        from jinja2 import meta

        env = self._environment
        try:
            tree = env.parse(source, name=name, filename=name)
            code = env.compile(tree, name=name, filename=name)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(exc.message or "syntax error", exc.lineno, name) from None
        names = frozenset(meta.find_undeclared_variables(tree))
        if "faker" in names:
            self._faker  # noqa: B018 - Faker loads in about a second: at stub creation, not mid-request
        globals_ = dict(env.make_globals(None))  # a plain dict: Jinja's ChainMap costs per render
        return JinjaTemplate(env.template_class.from_code(env, code, globals_), name, names)

    def context(
        self, request: RecordedRequest, parameters: Mapping[str, Any], context: ServeContext
    ) -> Mapping[str, Any]:
        return JinjaModel(self, request, parameters, context)

    def failure(self, exc: TemplateError) -> str:
        return f"mockbdd: jinja template {exc}\n"


class JinjaModel(Mapping[str, Any]):
    """What a Jinja template sees, each name made when a template first reads it (most
    read ``request`` only): the request model, ``parameters``, ``faker``, ``uuid``, ``now``,
    ``jsonPath``, ``random``, ``state`` and ``crud``. The templates of one answer share it,
    so they draw from one seed."""

    __slots__ = ("_context", "_draws", "_jinja", "_made", "_parameters", "_request")

    def __init__(
        self,
        jinja: Jinja,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: ServeContext,
    ) -> None:
        self._jinja = jinja
        self._request = request
        self._parameters = parameters
        self._context = context
        self._made: dict[str, Any] = {}
        self._draws: _Draws | None = None

    def get(self, key: Any, default: Any = None) -> Any:
        made = self._made.get(key, _ABSENT)
        if made is not _ABSENT:
            return made
        build = _NAMES.get(key)
        if build is None:
            return default
        made = self._made[key] = build(self)
        return made

    def __getitem__(self, key: str) -> Any:
        value = self.get(key, _ABSENT)
        if value is _ABSENT:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(_NAMES)

    def __len__(self) -> int:
        return len(_NAMES)

    def draws(self) -> _Draws:
        if self._draws is None:
            self._draws = _Draws(self._context)
        return self._draws

    def request(self) -> JinjaRequest:
        return JinjaRequest(self._request, self._context)

    def parameters(self) -> Any:
        return self._jinja.plain(self._parameters)

    def faker(self) -> _SeededFaker:
        return _SeededFaker(self._jinja, self.draws())

    def uuid(self) -> Callable[[], str]:
        draws = self.draws()

        def uuid() -> str:
            return str(uuid_module.UUID(int=draws.rng().getrandbits(128), version=4))

        return uuid

    def random(self) -> _SeededRandom:
        return _SeededRandom(self.draws())

    def state(self) -> State:
        return State(self._context.values)

    def crud(self) -> Crud:
        return Crud(self._context.collections)


def _now(format: str | None = None, offset: str | None = None) -> str:
    moment: datetime = utc_now()
    if offset:
        moment = shift(moment, offset)
    return moment.strftime(format) if format else moment.isoformat()


_NAMES: dict[str, Callable[[JinjaModel], Any]] = {
    "request": JinjaModel.request,
    "parameters": JinjaModel.parameters,
    "faker": JinjaModel.faker,
    "uuid": JinjaModel.uuid,
    "now": lambda model: _now,
    "jsonPath": lambda model: _json_path,
    "random": JinjaModel.random,
    "state": JinjaModel.state,
    "crud": JinjaModel.crud,
}


class _Draws:
    """One render's seed and ``random.Random``, made when a template first draws (a seed costs
    a hash, or a read of the system's randomness without a server seed: per request)."""

    __slots__ = ("_context", "_rng", "_seed")

    def __init__(self, context: ServeContext) -> None:
        self._context = context
        self._seed: int | None = None
        self._rng: random.Random | None = None

    def seed(self) -> int:
        if self._seed is None:
            self._seed = _seed(self._context)
        return self._seed

    def rng(self) -> random.Random:
        if self._rng is None:
            self._rng = random.Random(self.seed())
        return self._rng


class _SeededRandom:
    """``random`` in a template: this render's seeded ``random.Random``, made at first use."""

    __slots__ = ("_draws",)

    def __init__(self, draws: _Draws) -> None:
        self._draws = draws

    def __str__(self) -> str:  # ``{{ random }}``: a name, not a Python repr
        return "random"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._draws.rng(), name)


class _SeededFaker:
    """``faker`` in a template: the transformer's Faker, seeded for this request when a
    template first reads one of its providers (a render that never names it costs nothing)."""

    __slots__ = ("_draws", "_faker", "_jinja")

    def __init__(self, jinja: Jinja, draws: _Draws) -> None:
        self._jinja = jinja
        self._draws = draws
        self._faker: Any = None

    def __str__(self) -> str:  # ``{{ faker }}``: a name, not a Python repr
        return "faker"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._faker is None:
            self._faker = self._jinja._faker
            self._faker.seed_instance(self._draws.seed())
        return getattr(self._faker, name)


def _seed(context: ServeContext) -> int:
    """The same for the same server seed, namespace and request number; random without a seed."""
    if context.seed is None:
        return random.SystemRandom().getrandbits(64)
    text = f"{context.seed}:{context.namespace}:{context.seq}".encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big")
