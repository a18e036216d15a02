"""The imports of a twin: exactly the names its code uses, from where the sources had them.

A name comes from the sources' own imports (renamed by the rules: ``Applier`` imported from
``namespace`` becomes ``AsyncApplier`` from ``namespace``) or, for a module of which only some
classes are copied, from that module itself (``_Handle``).
"""

from __future__ import annotations

import ast
import builtins
import symtable
from collections.abc import Iterator

from mockbdd.codegen.twin import GenerationError, Parsed, Rules, annotation_names, defined_names


def imports(parsed: list[Parsed], rules: Rules, body: str) -> str:
    """The imports ``body`` needs: the sources' own imports (renamed) and what a partly copied
    source defines for the copied classes."""
    tree = ast.parse(body)
    defined = {name for node in tree.body for name in defined_names(node)}
    used = set(_free_names(symtable.symtable(body, "<twin>", "exec"))) | _annotated(tree)
    needed = sorted(used - defined - set(dir(builtins)))
    runtime: dict[str, set[str]] = {}
    checking: dict[str, set[str]] = {}
    for name in needed:
        module, imported, type_checking = _resolve(parsed, rules, name)
        (checking if type_checking else runtime).setdefault(module, set()).add(imported)
    for module in set(runtime) & set(checking):
        runtime[module] |= checking.pop(module)
    lines = ["from __future__ import annotations", ""]
    if checking:
        runtime.setdefault("typing", set()).add("TYPE_CHECKING")
    lines += _import_lines(runtime, "")
    if checking:
        lines += ["", "if TYPE_CHECKING:", *_import_lines(checking, "    ")]
    return "\n".join(lines) + "\n"


def _free_names(table: symtable.SymbolTable) -> Iterator[str]:
    """Names read but bound nowhere on the way out: the module's globals."""
    for sym in table.get_symbols():
        bound = sym.is_assigned() or sym.is_imported() or sym.is_parameter()
        if sym.is_referenced() and not bound and (table.get_type() == "module" or sym.is_global()):
            yield sym.get_name()
    for child in table.get_children():
        yield from _free_names(child)


def _annotated(tree: ast.Module) -> set[str]:
    """Names in annotations, which symtable skips under ``from __future__ import annotations``."""
    notes: list[ast.expr | None] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            notes.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            notes.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            notes.append(node.annotation)
    return {name for note in notes for name in annotation_names(note)}


def _resolve(parsed: list[Parsed], rules: Rules, name: str) -> tuple[str, str, bool]:
    """(module, what to import from it, under TYPE_CHECKING) for a name the body uses."""
    found: list[tuple[str, str, bool]] = []
    for p in parsed:
        if p.source.classes and name in p.defined:
            found.append((p.source.module, name, False))
        for bound, binding in p.bindings.items():
            if rules.renamed(bound) != name:
                continue
            target = binding.name if binding.name is None else rules.renamed(binding.name)
            found.append((binding.module, target or "", binding.type_checking))
    if not found:
        raise GenerationError(f"the async twin uses {name!r}, which no source imports or defines")
    found.sort(key=lambda f: f[2])  # a run-time import wins over a TYPE_CHECKING one
    module, target, type_checking = found[0]
    for p in parsed:
        if p.source.module == module and target and target not in p.defined | set(p.bindings):
            raise GenerationError(f"the async twin imports {target} from {module}, which has none")
    return module, target if target else "", type_checking


def _import_lines(modules: dict[str, set[str]], indent: str) -> list[str]:
    lines = []
    for module in sorted(modules):
        names = sorted(modules[module])
        if names == [""]:
            lines.append(f"{indent}import {module}")
        else:
            lines.append(f"{indent}from {module} import {', '.join(names)}")
    return lines
