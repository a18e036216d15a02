"""Tag-map files: models, YAML line index, extends, params, precedence and resolution.

Below the client and the server, so both the BDD hooks (which resolve maps locally) and the
server (``/tag-maps``, ``POST /namespaces {"tagMaps"}``) use it without an upward import.
"""
