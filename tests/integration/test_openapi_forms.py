"""Validating mode on form bodies over real sockets: httpx sends multipart files and fields and
URL-encoded forms to an imported document; openapi-core checks them. A body that breaks the
spec gets 400 naming the field (its pointer), one that conforms gets the stub's answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Uploads", "version": "1"},
    "servers": [{"url": "https://uploads.example.com/api"}],
    "paths": {
        "/avatars": {
            "post": {
                "operationId": "uploadAvatar",
                "requestBody": {"$ref": "#/components/requestBodies/Avatar"},
                "responses": {
                    "201": {
                        "description": "stored",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["id"],
                                    "properties": {"id": {"type": "integer"}},
                                },
                            }
                        },
                    }
                },
            }
        },
        "/login": {
            "post": {
                "operationId": "login",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["user", "age"],
                                "properties": {
                                    "user": {"type": "string", "minLength": 2},
                                    "age": {"type": "integer", "minimum": 18},
                                    "remember": {"type": "boolean"},
                                    "tags": {"type": "array", "items": {"type": "string"}},
                                },
                            }
                        }
                    },
                },
                "responses": {"204": {"description": "in"}},
            }
        },
    },
    "components": {
        "schemas": {"UserId": {"type": "integer", "minimum": 1}},
        "requestBodies": {
            "Avatar": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["userId", "file"],
                            "properties": {
                                "userId": {"$ref": "#/components/schemas/UserId"},
                                "public": {"type": "boolean"},
                                "caption": {"type": "string", "maxLength": 10},
                                "sizes": {"type": "array", "items": {"type": "integer"}},
                                "file": {"type": "string", "format": "binary"},
                            },
                        }
                    }
                },
            }
        },
    },
}
PNG = b"\x89PNG\r\n\x1a\n\x00\xff binary"


@pytest.fixture
def uploads(http: httpx.Client) -> httpx.Client:
    imported = http.post("/__admin/openapi", json={"spec": SPEC, "validate": True})
    assert imported.status_code == 201, imported.text
    return http


def _upload(http: httpx.Client, fields: dict[str, Any], file: bool = True) -> httpx.Response:
    files = {"file": ("me.png", PNG, "image/png")} if file else {"other": ("x.txt", b"x")}
    return http.post("/api/avatars", data=fields, files=files)


def test_a_multipart_upload_that_conforms_gets_the_generated_answer(uploads: httpx.Client) -> None:
    answer = _upload(uploads, {"userId": "5", "public": "true", "sizes": ["16", "32"]})
    assert answer.status_code == 201, answer.text
    assert isinstance(answer.json()["id"], int)


@pytest.mark.parametrize(
    ("fields", "file", "pointer", "reason"),
    [
        ({"userId": "five"}, True, "/userId", "integer"),
        ({"userId": "0"}, True, "/userId", "less than the minimum of 1"),
        ({"userId": "5", "public": "maybe"}, True, "/public", "boolean"),
        ({"userId": "5", "sizes": ["16", "big"]}, True, "/sizes", "integer"),
        ({"userId": "5", "caption": "far too long"}, True, "/caption", "too long"),
        ({"userId": "5"}, False, "/file", "'file' is a required property"),
        ({}, True, "/userId", "'userId' is a required property"),
    ],
)
def test_a_multipart_body_that_breaks_the_spec_is_400_naming_the_field(
    uploads: httpx.Client, fields: dict[str, Any], file: bool, pointer: str, reason: str
) -> None:
    answer = _upload(uploads, fields, file)
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert problem["error"] == "the request breaks the OpenAPI document 'Uploads'"
    assert problem["pointer"] == pointer
    assert reason in problem["reason"]


def test_a_browsers_mixed_case_boundary_is_read_as_sent(uploads: httpx.Client) -> None:
    boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="userId"\r\n\r\n7\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
            f"Content-Type: image/png\r\n\r\n"
        ).encode()
        + PNG
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    answer = uploads.post("/api/avatars", content=body, headers=headers)
    assert answer.status_code == 201, answer.text
    broken = body.replace(b"\r\n\r\n7\r\n", b"\r\n\r\nseven\r\n")
    refused = uploads.post("/api/avatars", content=broken, headers=headers)
    assert (refused.status_code, refused.json()["pointer"]) == (400, "/userId")


def test_a_url_encoded_form_is_checked_field_by_field(uploads: httpx.Client) -> None:
    ok = uploads.post("/api/login", data={"user": "ada", "age": "30", "tags": ["a", "b"]})
    assert ok.status_code == 204, ok.text
    for fields, pointer, reason in [
        ({"user": "ada", "age": "thirty"}, "/age", "integer"),
        ({"user": "ada", "age": "12"}, "/age", "less than the minimum of 18"),
        ({"user": "a", "age": "30"}, "/user", "too short"),
        ({"user": "ada", "age": "30", "remember": "perhaps"}, "/remember", "boolean"),
        ({"user": "ada"}, "/age", "'age' is a required property"),
    ]:
        answer = uploads.post("/api/login", data=fields)
        assert answer.status_code == 400, (fields, answer.text)
        assert (answer.json()["pointer"], fields) == (pointer, fields)
        assert reason in answer.json()["reason"]


def test_a_body_of_a_media_type_the_operation_does_not_take_is_400(uploads: httpx.Client) -> None:
    answer = uploads.post("/api/avatars", json={"userId": 5})
    assert answer.status_code == 400
    assert "application/json" in answer.json()["reason"]


def test_without_validation_the_multipart_operation_is_served_as_generated(
    http: httpx.Client,
) -> None:
    imported = http.post("/__admin/openapi", json={"spec": SPEC, "mode": "generated"})
    assert imported.status_code == 201, imported.text
    assert _upload(http, {"userId": "five"}).status_code == 201  # not validating: answered
    assert http.post("/api/login", data={"user": "a"}).status_code == 204
