"""``mockbdd load``: an open-model load generator (DESIGN §11) free of coordinated omission."""
