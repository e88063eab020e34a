# zhengban: `make demo` runs the office, `make test` runs the whole suite.
SHELL := /bin/bash
# Django 6 needs Python 3.12+: the first interpreter that runs and is new enough, from PATH
# or from the pyenv versions this machine image ships.
PYTHON ?= $(shell for p in python3.12 python3.13 python3 $$(ls -d /root/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000
export ZHENGBAN_VAR_DIR ?= $(CURDIR)/var

.PHONY: demo test lint bench install assets system-test-deps serve clean

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is required (Django 6)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/.installed

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed

# Debian packages the suite needs: Chromium for browser tests, CJK fonts for rendering.
system-test-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' \
	    || [ ! -f /usr/share/fonts/truetype/arphic/ukai.ttc ] || [ ! -x /usr/bin/pdftoppm ]; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk fonts-wqy-microhei \
	    fonts-arphic-ukai poppler-utils >/dev/null; \
	fi

# DEBUG stays off (ZHENGBAN_DEBUG=1 only when asked for); WhiteNoise serves the static files.
# `demo setup` prints each new account's random password, and the leaders' and
# administrators' authenticator keys, once.
demo: install assets
	mkdir -p var
	$(BIN)/zhengban migrate --noinput -v 0
	$(BIN)/zhengban demo setup
	$(BIN)/zhengban runserver --noreload $(HOST):$(PORT)

test: install assets system-test-deps
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install assets
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules var
