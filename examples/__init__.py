"""Examples: a small system under test (``examples.shop``) and ``python -m examples.demo``."""
