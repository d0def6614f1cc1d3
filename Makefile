# Two entry points, from a fresh clone with only Python and make:
#   make demo   create .venv if missing, install, train the MLP on the embedded digits data
#   make test   create .venv if missing, install with the test extras, run the whole test suite
#   make docs   build the course site into docs/_build/html (offline) from full-mode lesson
#               executions, cached by jupyter-cache: only changed lessons run again
#   make docs-fast  the same site from FAST (DLJAX_FAST=1) executions: the quick check
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test test-slow docs docs-fast lessons-header bench bench-gpu lock clean corpus

demo: $(STAMP)
	$(BIN)/dljax train mlp

# JAX's persistent compilation cache under build/ (never in the user's home): the test
# processes, the `dljax` subprocesses they start and the lesson kernels inherit it, so a
# function compiled once is loaded, not compiled again, by the next process.
JAX_CACHE ?= $(CURDIR)/build/jax-cache
JAX_CACHE_ENV = JAX_COMPILATION_CACHE_DIR=$(JAX_CACHE) JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0 \
	JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES=0

# Most tests and the FAST lessons compile more than they run: XLA's backend (LLVM)
# optimizations cost more than they save there (measured: the diffusion tests 198 -> 123 s,
# FAST lesson 3.4 82 -> 50 s), so `make test` turns them off; tests that train for a
# minute (the golden metrics) are marked `optimized` and get them back (tests/conftest.py).
SMOKE_ENV = JAX_DISABLE_MOST_OPTIMIZATIONS=1

# Two pytest workers (pytest-xdist); tests/conftest.py keeps each test file on one worker and
# the lesson runs with the site build on one worker, so every lesson still executes once.
TEST_WORKERS ?= 2
test: $(STAMP)
	mkdir -p $(JAX_CACHE)
	$(SMOKE_ENV) $(JAX_CACHE_ENV) $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope

# The golden quality checks of the generative defaults that train for minutes (marked slow,
# skipped by `make test`).
test-slow: $(STAMP)
	mkdir -p $(JAX_CACHE)
	DLJAX_SLOW=1 $(JAX_CACHE_ENV) $(BIN)/python -m pytest -m slow

# The site, from full-mode lesson executions (what students run; each lesson page says its
# mode, seconds and machine). `make docs-fast` (or DLJAX_FAST=1 make docs) builds it from FAST
# executions, as the tests do, and every FAST page carries a warning. Each mode has its own
# jupyter-cache (docs/_build/.jupyter_cache/{full,fast}) and doctrees; DLJAX_DOCS_LESSONS=GLOB,...
# builds a subset. Records each lesson's seconds, machine and load in
# benchmarks/results/lessons.json (merged: a subset build updates only its lessons).
DLJAX_FAST ?= 0
DOCS_MODE = $(if $(filter-out 0,$(DLJAX_FAST)),fast,full)
docs: $(STAMP)
	DLJAX_FAST=$(DLJAX_FAST) DLJAX_LESSONS_JSON=benchmarks/results/lessons.json \
		$(BIN)/python -m sphinx -b html -a -q -d docs/_build/doctrees/$(DOCS_MODE) \
		docs docs/_build/html
	@echo "Situs ($(DOCS_MODE)): docs/_build/html/index.html (python -m http.server -d docs/_build/html)"

docs-fast:
	$(MAKE) docs DLJAX_FAST=1

# Rewrite every lesson's Colab badge and install cell from [project.urls] in pyproject.toml.
lessons-header: $(STAMP)
	$(BIN)/python docs/_ext/dljax_docs.py lessons-header

# Rebuild the embedded corpus src/dljax/data/corpus/pelajaran.txt from the lessons' prose.
corpus: $(STAMP)
	$(BIN)/python -m dljax.data.lesson_corpus

# Throughput benchmarks; PyTorch is optional (see README) and only needed for its column.
bench: $(STAMP)
	$(BIN)/python benchmarks/train_throughput.py

# Every family's steps/s in float32 and bfloat16, the PyTorch CUDA twins and GPT/DDPM sampling,
# in <= 8 minutes on a GPU machine (pip install -e '.[cuda]'); where JAX sees only the CPU it
# refuses (exit code 2). Writes benchmarks/results/gpu.json.
bench-gpu: $(STAMP)
	$(BIN)/python benchmarks/gpu.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Installs exactly the tested versions pinned in constraints.txt.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test,docs]"
	touch $(STAMP)

# Refresh the lock after changing dependencies in pyproject.toml (then run `make test`).
lock: | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade -e ".[test,docs]"
	$(BIN)/python -m pip freeze --exclude-editable | grep -v -E '^torch(==| @ )' | grep -v ' @ ' > constraints.txt

clean:
	rm -rf $(VENV) runs .pytest_cache docs/_build build
