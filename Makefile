PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# a second venv with every runtime dependency at the lowest version pyproject.toml admits
OLDEST := .venv-oldest
OLDEST_STAMP := $(OLDEST)/.installed

.PHONY: venv demo test test-matrix lint bench client-async wiremock-diff wiremock-diff-responses wiremock-diff-admin wiremock-diff-recording wiremock-diff-webhooks wiremock-jar clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m examples.demo

lint: $(STAMP)
	$(BIN)/ruff check mockbdd tests bench scripts examples features steps environment.py
	$(BIN)/ruff format --check mockbdd tests bench scripts examples features steps environment.py README.md
	$(BIN)/mypy
	$(BIN)/mypy bench/wiremock_diff.py bench/wiremock_diff_cases.py
	$(BIN)/mypy bench/wiremock_diff_responses.py
	$(BIN)/mypy bench/wiremock_diff_admin.py
	$(BIN)/mypy bench/wiremock_diff_recording.py
	$(BIN)/mypy bench/wiremock_diff_webhooks.py
	$(BIN)/mypy --strict scripts/coverage_gate.py
	$(BIN)/lint-imports

# coverage run (not pytest-cov's --cov): coverage must start before pytest loads mockbdd's own
# pytest11 plugin, which imports most of mockbdd. patch = subprocess (pyproject) counts the xdist
# workers and the CLI, behave and pytester subprocesses too.
test: $(STAMP)
	$(MAKE) lint
	rm -f .coverage .coverage.*
	$(BIN)/python -m coverage run -m pytest -n 2 --json-report --json-report-file=pytest_results.json
	$(BIN)/python -m coverage combine -q
	$(BIN)/python -m coverage json -q -o coverage.json
	$(BIN)/python scripts/coverage_gate.py coverage.json --summary coverage_packages.json

# mockbdd/client/aio.py is generated from sync.py and namespace.py: rerun after changing them
client-async: $(STAMP)
	$(BIN)/python -m mockbdd.codegen.async_client

$(OLDEST_STAMP): pyproject.toml .ci/oldest.py
	test -x $(OLDEST)/bin/python || $(PY) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install -q --upgrade pip
	$(OLDEST)/bin/python .ci/oldest.py pyproject.toml > $(OLDEST)/constraints.txt
	$(OLDEST)/bin/python -m pip install -q -c $(OLDEST)/constraints.txt -e '.[dev]'
	touch $(OLDEST_STAMP)

# the whole suite again, against the oldest versions pyproject.toml admits (`make test` runs
# it against the newest); the versions it ran with are printed first
test-matrix: $(OLDEST_STAMP)
	@$(OLDEST)/bin/python -m pip list --format=freeze 2>/dev/null \
	  | grep -iE "^($$(cut -d= -f1 $(OLDEST)/constraints.txt | paste -sd'|'))==" | paste -sd' '
	$(OLDEST)/bin/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/bdd_overhead.py

# the real WireMock the differential runs compare with: its standalone jar, from the npm package
# that ships it (needs npm, and Java to run it); WIREMOCK_JAR=path uses another jar instead
WIREMOCK_VERSION := 3.13.2
WIREMOCK_DIR := .wiremock
WIREMOCK_JAR ?= $(CURDIR)/$(WIREMOCK_DIR)/node_modules/wiremock/build/wiremock-standalone-$(WIREMOCK_VERSION).jar
export WIREMOCK_JAR

$(WIREMOCK_JAR):
	@command -v java >/dev/null || { echo "the differential runs need Java (a JRE 11+) on PATH" >&2; exit 1; }
	npm install --prefix $(WIREMOCK_DIR) --no-audit --no-fund --no-save wiremock@$(WIREMOCK_VERSION)

wiremock-jar: $(WIREMOCK_JAR)

# differential run against a real WireMock (needs Java; WIREMOCK_JAR overrides the jar)
wiremock-diff: $(STAMP) $(WIREMOCK_JAR)
	$(BIN)/python bench/wiremock_diff.py

# the same, for stub answers: status line, headers, body, framing, delays, faults
wiremock-diff-responses: $(STAMP) $(WIREMOCK_JAR)
	$(BIN)/python bench/wiremock_diff_responses.py

# the admin API's JSON shapes against a real WireMock (needs Java; WIREMOCK_JAR overrides the jar)
wiremock-diff-admin: $(STAMP) $(WIREMOCK_JAR)
	$(BIN)/python bench/wiremock_diff_admin.py

# recording sessions (RecordSpec options, snapshot, persisted files, load-back) through a real
# WireMock and mockbdd; ARGS=--write-golden refreshes tests/data/wiremock_3_13_2/recordings.json
wiremock-diff-recording: $(STAMP) $(WIREMOCK_JAR)
	$(BIN)/python bench/wiremock_diff_recording.py $(ARGS)

# webhook stubs (serveEventListeners, postServeActions) on a real WireMock and mockbdd, the
# callbacks received locally; ARGS=--write-golden refreshes tests/data/wiremock_3_13_2/webhooks.json
wiremock-diff-webhooks: $(STAMP) $(WIREMOCK_JAR)
	$(BIN)/python bench/wiremock_diff_webhooks.py $(ARGS)

clean:
	rm -rf $(VENV) $(OLDEST) $(WIREMOCK_DIR) pytest_results.json .mypy_cache .ruff_cache .coverage .coverage.* coverage.json coverage_packages.json
