# `make run` and `make test` are all a fresh machine with Python 3.11+ needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# the compiled catalogues, rebuilt whenever a translation changes
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard bot/locale/*/LC_MESSAGES/pythia.po))

.PHONY: run test lint bench reliability migrate chat clean catalogues fuzz

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Pythia needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/python -m bot.i18n.tooling compile

run: $(STAMP) $(CATALOGUES)
	$(BIN)/pythia run

# the suite mostly waits (on the emulator, the databases, real seconds of back-off), so it runs in
# TEST_WORKERS processes, a test file to each at a time; TEST_WORKERS=0 runs it in this one
TEST_WORKERS ?= 4
test: $(STAMP) $(CATALOGUES)
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# after changing what the bot says: the template and every language's catalogue, then translate
catalogues: $(STAMP)
	$(BIN)/python -m bot.i18n.tooling update

# the alert storm, SIGKILLs and a Postgres restart: real processes on Postgres + Redis, minutes long
reliability: $(STAMP) $(CATALOGUES)
	$(BIN)/pytest -q -s -m reliability --timeout 1800 tests/reliability

# random and hostile input from many people against the whole bot; the same seed, the same run
FUZZ_SEED    ?= 1
FUZZ_ACTIONS ?= 2000
fuzz: $(STAMP) $(CATALOGUES)
	$(BIN)/python -m tests.fuzz --seed $(FUZZ_SEED) --messages $(FUZZ_ACTIONS)

migrate: $(STAMP)
	$(BIN)/pythia migrate

chat: $(STAMP)
	$(BIN)/pythia chat

bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache $(CATALOGUES)
