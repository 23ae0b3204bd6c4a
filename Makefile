# The two commands of the README:
#   make serve   install what is needed and run the gateway (SQLite, nothing else to start)
#   make test    install what is needed and run the whole test suite (.ci/run calls it)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: serve test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --editable '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	@test -f tagway.toml || $(BIN)/tagway init
	$(BIN)/tagway serve

test: $(STAMP)
	$(BIN)/pytest
	$(BIN)/ruff check .
	$(BIN)/mypy

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/webhook.py
	$(BIN)/python bench/collect.py
	$(BIN)/python bench/pixel.py
	$(BIN)/python bench/delivery.py
	$(BIN)/python bench/tracking_api.py
	$(BIN)/python bench/sdk_size.py
	$(BIN)/python bench/projection.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
