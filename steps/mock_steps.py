"""mockbdd's step library, registered for this behave suite."""

from mockbdd.behave.steps import *  # noqa: F403
