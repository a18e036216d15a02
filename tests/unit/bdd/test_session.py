"""The BDD session (bdd/session.py): what it hides from the log."""

from __future__ import annotations


def test_admin_log_filter_only_hides_calls_to_our_engine() -> None:
    import logging

    from mockbdd.bdd.session import _AdminCallFilter

    quiet = _AdminCallFilter("http://127.0.0.1:5000")

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("httpx", logging.INFO, __file__, 1, message, None, None)

    assert not quiet.filter(
        record('HTTP Request: POST http://127.0.0.1:5000/__admin/mappings "201"')
    )
    assert quiet.filter(record('HTTP Request: POST http://wiremock:8080/__admin/mappings "201"'))
    assert quiet.filter(record('HTTP Request: GET http://127.0.0.1:5000/__ns/x/payments "200"'))
