"""The BDD face of mockbdd: tag parsing, tag maps, per-scenario resolution, lint and schemas."""
