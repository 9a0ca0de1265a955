# Every target bootstraps what it needs: .venv (Python), node_modules (npm), static/vendor, compiled catalogs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench bench-live bench-synthesis lint install vendor translations extract-messages browser clean

run: install
	$(BIN)/deliberation db upgrade
	$(BIN)/deliberation seed-demo
	$(BIN)/deliberation serve --host $(HOST) --port $(PORT)

test: install browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/proposals_pages.py

bench-live: install
	$(BIN)/python bench/live_votes.py --sizes 500 1000 2000 --setups sqlite postgres --processes 3

bench-synthesis: install
	$(BIN)/python bench/synthesis_loop.py --sizes 1000 5000 20000 --setups sqlite postgres

lint: install
	$(BIN)/ruff check deliberation tests bench

install: $(VENV)/.installed vendor translations

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

vendor: node_modules/.installed
	mkdir -p static/vendor
	cp node_modules/socket.io-client/dist/socket.io.min.js static/vendor/

translations: $(VENV)/.installed
	$(BIN)/python scripts/messages.py compile

# After adding or changing user-facing strings: refresh the catalogs, then translate
# translations/<module>/fr/LC_MESSAGES/messages.po (tests/core/test_translations.py checks it is complete).
extract-messages: $(VENV)/.installed
	$(BIN)/python scripts/messages.py extract

# Browser tests drive Debian's Chromium; install it when we can (root with apt), otherwise say so.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: install Debian's chromium package to run the browser tests."; fi; }

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache
