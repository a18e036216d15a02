"""``POST /__admin/openapi {"spec", "files"?, "mode"?, "validate"?, "service"?}``: a stub for
every operation of the document, and in validating mode requests checked against it. ``files``
are the documents its ``$ref`` name (``{"schemas/pet.yaml": <object or text>}``), the only ones
references resolve among. Everything is checked before anything is added."""

from __future__ import annotations

from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse
from mockbdd.domain.errors import InvalidInput, unknown_field
from mockbdd.services import check_service, prefix_mapping
from mockbdd.wire.mappings import parse_stub_mapping

FIELDS = ("spec", "files", "mode", "validate", "service")


async def import_openapi(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    body = req.json_object()
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise InvalidInput(f"/{unknown[0]}", unknown_field(unknown[0], FIELDS))
    if "spec" not in body:
        raise InvalidInput("/spec", "required: the OpenAPI document (an object, or its text)")
    validate = body.get("validate", False)
    if not isinstance(validate, bool):
        raise InvalidInput("/validate", "must be true or false")
    service = body.get("service")
    if service is not None:
        try:
            check_service(service if isinstance(service, str) else "")
        except ValueError as exc:
            raise InvalidInput("/service", str(exc)) from None
    try:
        from mockbdd.openapi.document import Document
        from mockbdd.openapi.refs import Uploaded
        from mockbdd.openapi.stubs import stubs_for
        from mockbdd.openapi.validation import OpenApiValidator
    except ImportError:  # pragma: no cover - openapi-core is in every test environment
        from mockbdd.openapi.document import INSTALL_HINT

        raise InvalidInput("/spec", INSTALL_HINT) from None
    files = Uploaded(body["files"]) if body.get("files") is not None else None
    document = Document(body["spec"], files=files)
    mappings = stubs_for(document, body.get("mode", "examples"))
    if service:
        mappings = [prefix_mapping(m, service) for m in mappings]
    extensions = ctx.runtime.extensions
    stubs = [
        parse_stub_mapping(m, f"/spec/{i}", extensions=extensions) for i, m in enumerate(mappings)
    ]
    for stub in stubs:
        ctx.ns.add_stub(stub)
    if validate:
        ctx.ns.add_validator(OpenApiValidator(document, f"/{service}" if service else ""))
    return AdminResponse(201, {"mappings": [dict(s.source) for s in stubs], "validating": validate})
