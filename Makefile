# Two entry points, from a fresh clone with only Python and make:
#   make demo   create .venv if missing, install, train the MLP on the embedded digits data
#   make test   create .venv if missing, install with the test extras, run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test bench lock clean

demo: $(STAMP)
	$(BIN)/dljax train mlp

test: $(STAMP)
	$(BIN)/python -m pytest

# Throughput benchmarks; PyTorch is optional (see README) and only needed for its column.
bench: $(STAMP)
	$(BIN)/python benchmarks/train_throughput.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Installs exactly the tested versions pinned in constraints.txt.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	touch $(STAMP)

# Refresh the lock after changing dependencies in pyproject.toml (then run `make test`).
lock: | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade -e ".[test]"
	$(BIN)/python -m pip freeze --exclude-editable | grep -v -E '^torch(==| @ )' | grep -v ' @ ' > constraints.txt

clean:
	rm -rf $(VENV) runs .pytest_cache
