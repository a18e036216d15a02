"""Development tools that write source files of mockbdd (``make client-async``).

They read the modules they work from as text and never import them, so they run even when the
file they are about to rewrite is broken. Nothing imports this package at run time.
"""
