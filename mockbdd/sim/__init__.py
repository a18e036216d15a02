"""Simulation (DESIGN §9, §11), pure and synchronous: delay distributions beyond WireMock's,
token buckets, chaos decisions, timelines (the settings in force at a moment) and degradation.
No I/O, no event loop, time passed in: the server's stages carry the decisions out."""
