"""Simulation models, pure and synchronous (DESIGN §9): no I/O, no event loop, time passed in."""
