# physiofeat developer commands. Two are all a new user needs:
#   make run    set up .venv, extract features from the shipped sample recordings
#   make test   set up .venv, run the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test bench docs lint clean setup

$(PY):
	$(PYTHON) -m venv $(VENV) || { \
	  echo "python3 -m venv failed; installing python3-venv with apt" >&2; \
	  apt-get install -y python3-venv >/dev/null && $(PYTHON) -m venv $(VENV); }

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test,bench,docs]"
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(PY) -m physiofeat.demo

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m benchmarks

docs: $(STAMP)
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

lint: $(STAMP)
	$(PY) -m ruff check physiofeat tests benchmarks examples
	$(PY) -m ruff format --check physiofeat tests benchmarks examples

clean:
	rm -rf docs/_build docs/auto_examples docs/gen_modules .pytest_cache out
