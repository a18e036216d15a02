"""The pure mock engine: no aiohttp, behave, pytest or HTTP client imports (import-linter enforces it)."""
