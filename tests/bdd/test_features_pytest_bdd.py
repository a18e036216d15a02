"""The project's feature files, run by pytest-bdd (the same files behave runs)."""

from pytest_bdd import scenarios

scenarios("../../features")
