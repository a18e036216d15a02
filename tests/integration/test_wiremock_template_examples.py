"""WireMock's documented templating examples, with the answers a real WireMock 3.13.2 gives
(checked by bench/wiremock_diff_templates.py, where each of these is a case), over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mockbdd.server.embedded import MockServer

ITEMS = '{"items":[{"id":1,"name":"a"},{"id":2,"name":"b"}],"user":{"name":"Ada","age":42}}'

EXAMPLES = [
    (
        "{{#each (jsonPath request.body '$.items') as |item|}}{{item.id}}:{{item.name}};{{/each}}",
        "1:a;2:b;",
    ),
    ("{{#with (parseJson request.body)}}{{user.age}}{{/with}}", "42"),
    ("{{{jsonPath request.body '$.user'}}}", '{\n  "name" : "Ada",\n  "age" : 42\n}'),
    ("{{{toJson (array 1 'two' true)}}}", '[ 1, "two", true ]'),
    ('{{{formatJson \'{"a":1,"b":[1,2]}\'}}}', '{\n  "a" : 1,\n  "b" : [ 1, 2 ]\n}'),
    ("{{val request.query.nope or='fallback'}}", "fallback"),
    ("{{#assign 'name'}}Ada{{/assign}}Hi {{name}}", "Hi Ada"),
    (
        "{{#eq request.query.a 'v'}}same{{else}}diff{{/eq}}|{{eq 1 1}}|{{eq 'a' 'b'}}",
        "diff|true|false",
    ),
    ("{{arrayJoin ',' (array 'One' 'Two' 'Three')}}", "One,Two,Three"),
    ("{{size 'abcde'}}|{{size (array 1 2 3)}}", "5|3"),
    (
        "{{base64 'hello world'}}|{{base64 'aGVsbG8=' decode=true}}|{{base64 'a' padding=false}}",
        "aGVsbG8gd29ybGQ=|hello|YQ",
    ),
    ("{{urlEncode 'a b&c=d/é'}}", "a+b%26c%3Dd%2F%C3%A9"),
    (
        "{{arrayAdd (array 1 2) 3}}|{{arrayAdd (array 1 2) 0 position='start'}}",
        "[1, 2, 3]|[0, 1, 2]",
    ),
    ("{{range 1 5}}", "[1, 2, 3, 4, 5]"),
    (
        "{{math 1 '+' 2}}|{{math 10 '/' 4}}|{{math 10.0 '/' 4}}|{{math 7 '%' 3}}|{{math 3 '*' 1.5}}|{{math 5 '-' 8}}",
        "3|3|2.5|1|4.5|-3",
    ),
    (
        "{{date (parseDate '2024-01-31T00:00:00Z') offset='1 months' format='yyyy-MM-dd'}}",
        "2024-02-29",
    ),
    (
        "{{truncateDate (parseDate '2024-03-15T10:20:30Z') 'first day of month'}}",
        "2024-03-01T00:00:00Z",
    ),
    ("{{regexExtract 'abc' '[0-9]+'}}", "[ERROR: Nothing matched [0-9]+]"),
]


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with MockServer() as server, httpx.Client(base_url=server.url, timeout=10) as client:
        for i, (template, _) in enumerate(EXAMPLES):
            stub = {
                "request": {"urlPath": f"/ex/{i}"},
                "response": {"body": template, "transformers": ["response-template"]},
            }
            assert client.post("/__admin/mappings", json=stub).status_code == 201
        yield client


@pytest.mark.parametrize(("index", "expected"), [(i, e) for i, (_, e) in enumerate(EXAMPLES)])
def test_example_renders_as_wiremock_does(http: httpx.Client, index: int, expected: str) -> None:
    answer = http.post(
        f"/ex/{index}?a=v", content=ITEMS, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 200
    assert answer.text == expected
