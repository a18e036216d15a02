"""OpenAPI 3.0 and 3.1 (DESIGN §13): stubs for every operation of a document (examples first,
else values made from the schemas) and a validating mode, checked with openapi-core. The
``openapi`` extra installs it: ``pip install 'mockbdd[openapi]'``."""
