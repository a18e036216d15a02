"""WireMock JSON and YAML ⇄ domain objects (pydantic at the edge)."""
