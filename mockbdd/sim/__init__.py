"""Simulation (DESIGN §11), pure: delay distributions beyond WireMock's, chaos decisions,
timelines (the settings in force at a moment) and degradation. No I/O, no event loop: the
server's stages carry the decisions out."""
