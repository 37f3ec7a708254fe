# thetahat: `make demo` and `make test` work on a fresh machine with Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck unit docs bench clean

$(STAMP): pyproject.toml setup.py src/thetahat/_kernels*.c src/thetahat/_kernels.h src/thetahat/_vecmath.h
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/thetahat demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools docs/gallery
	$(BIN)/ruff format --check src tests benchmarks tools docs/gallery

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test: lint typecheck unit

# the documentation site into site/ (strict; `make test` runs the same build in
# tests/docs/test_site.py); read it with `python -m http.server -d site`
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict

bench: $(STAMP)
	for f in benchmarks/*.py; do $(BIN)/python $$f; done

clean:
	rm -rf $(VENV) build dist site src/*.egg-info src/thetahat/*.so .pytest_cache .mypy_cache .ruff_cache
