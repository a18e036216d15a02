"""The admin route table (admin/routes.py): the tasks imported on first call all exist."""

from __future__ import annotations

import inspect

from mockbdd.admin.routes import ROUTES, LazyTask


def test_every_lazily_imported_task_names_a_task_that_exists() -> None:
    lazy = [route for route in ROUTES if isinstance(route.task, LazyTask)]
    assert {task.module for task in (r.task for r in lazy) if isinstance(task, LazyTask)} == {
        "collection_tasks",
        "docs_tasks",
        "export_tasks",
        "load_tasks",
        "namespace_tasks",
        "observe_tasks",
        "openapi_tasks",
        "plugin_tasks",
        "pressure_tasks",
        "recording_tasks",
        "tag_map_tasks",
        "verify_tasks",
        "websocket_tasks",
    }
    for route in lazy:
        assert isinstance(route.task, LazyTask)
        assert inspect.iscoroutinefunction(route.task.resolve()), route.name
