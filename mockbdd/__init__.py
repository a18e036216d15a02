"""mockbdd."""
