# 伴走支援 report pipeline. `make` lists the targets.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BATCH  ?= corpora/sample
OUT    ?= outputs/$(notdir $(patsubst %/,%,$(BATCH)))
GOLD   ?= $(BATCH)/gold.json
# Sample municipalities whose sources were written after the coding rules and the classifier's
# setting were fixed, by an author who had not seen them (issue 15's second fresh blind set):
# evaluate-themes scores them apart (docs/corpus.md).
HELD_OUT ?= 雪代町,潮凪村,欅ヶ台市,稲穂川市,湯之瀬町,柏葉市

.DEFAULT_GOAL := help
.PHONY: help setup tune-themes gaps-check install-size pipeline test test-fast test-portable lint evaluate evaluate-run evaluate-themes years catalog trends measure bench generate office extracts agreement clean distclean

help: ## list the targets
	@echo "Targets (variables: BATCH=$(BATCH) OUT=$(OUT)):"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-16s %s\n", $$1, $$2}'

setup: $(VENV)/.installed ## create .venv and install the package (again only when pyproject.toml changed)

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed; set PYTHON=python3.11")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@# the distribution was called `pipeline` before issue 17; its editable install would shadow this one
	$(PY) -m pip uninstall --quiet --yes pipeline 2>/dev/null || true
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

pipeline: setup ## run BATCH (default corpora/sample): tables, figures/ and report.html in OUT
	$(PY) -m pipeline run $(BATCH) --out $(OUT)
	$(PY) -m pipeline figures $(OUT)
	$(PY) -m pipeline report $(OUT)

# Two worker processes, a test file's tests in one of them (module fixtures built once);
# each worker loads GiNZA once for its session. TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= 2

test: setup lint ## lint, then run the whole test suite (TEST_WORKERS processes, default 2)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

# Tests that need neither GiNZA, a child process, the notebooks, a browser nor a whole corpus
# (the tiers are described in tests/conftest.py).
FAST_TIER := not ginza and not subprocess and not notebooks and not browser and not slow

test-fast: setup lint ## lint, then the tests that load no GiNZA and start no process (< 1 min)
	PIPELINE_TEST_TIER=fast $(PY) -m pytest -m "$(FAST_TIER)" -p no:cacheprovider -q

# The runner as on Windows, on this machine: workers spawned, the time limit without SIGALRM,
# outputs published without symlinks (README "Workers and the time limit").
PORTABLE_ENV   := PIPELINE_START_METHOD=spawn PIPELINE_NO_SYMLINKS=1 PIPELINE_NO_SIGALRM=1
PORTABLE_TESTS := tests/test_pool.py tests/test_portable.py tests/test_batch.py tests/test_run.py tests/test_bad_input.py tests/test_catalog.py

test-portable: setup ## the runner, publish, lock, run, bad-input and catalog tests with workers spawned, no SIGALRM, no symlinks
	$(PORTABLE_ENV) $(PY) -m pytest $(PORTABLE_TESTS) -p no:cacheprovider -q

lint: setup ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

evaluate: setup ## how well each input kind is read (PDFs, .pptx, .docx, every extractor's text), held-out part apart
	$(PY) -m pipeline evaluate-inputs

evaluate-run: setup ## score the run in OUT against BATCH's gold.json, themes too (run `make pipeline` first)
	$(PY) -m pipeline evaluate $(OUT) --gold $(GOLD)

evaluate-themes: setup ## theme scores: the blind municipalities (HELD_OUT) first, beside annotator agreement; grouped CV on the rest; review gains
	$(PY) corpora/agreement.py --json outputs/agreement.json
	$(PY) -m pipeline evaluate-themes --gold corpora/sample/gold.json --subset $(HELD_OUT) --agreement outputs/agreement.json --write-confidence configs/theme_confidence.yaml --review

# The classifier's settings are chosen by grouped cross-validation over every municipality
# but the blind ones (HELD_OUT), which the script drops first.
tune-themes: setup ## choose the classifier's C, rule weights and threshold by grouped CV, HELD_OUT left out
	$(PY) scripts/tune_themes.py --exclude $(HELD_OUT) --folds 5 --seed 0 --per-theme --variants

# Two batches of different fiscal years from the generator (README "Across batches and years").
years: setup ## two sample batches of fiscal years 2021 and 2022 (generator) → run, catalog, trends in outputs/
	$(PY) -m corpora.reportgen --fiscal-year 2021 --limit 2 --out corpora_years/r03
	$(PY) -m corpora.reportgen --fiscal-year 2022 --limit 2 --out corpora_years/r04
	$(PY) -m pipeline run corpora_years/r03 --out outputs/r03
	$(PY) -m pipeline run corpora_years/r04 --out outputs/r04
	$(PY) -m pipeline catalog outputs
	$(PY) -m pipeline trends outputs

catalog: setup ## every batch's last run under outputs/ into outputs/catalog.duckdb, and outputs/review.csv
	$(PY) -m pipeline catalog outputs

trends: setup ## themes by fiscal year across the catalog → outputs/trends/trends.html
	$(PY) -m pipeline trends outputs

gaps-check: setup ## would discover have flagged the three themes issue 15 added? BATCH run without them → outputs/gaps_without_themes/
	$(PY) scripts/gaps_without_themes.py --batch $(BATCH)

install-size: setup ## size of a fresh install of the wheel: the base, and with the fast and generator extras
	$(PY) scripts/install_size.py

measure: setup ## time a cold run of BATCH against an unchanged re-run (cached)
	$(PY) scripts/measure_rerun.py $(BATCH)

bench: setup ## time every stage and scale batches against plain GiNZA → outputs/bench/
	$(PY) -m tools.bench

generate: setup ## re-create the reportlab sample (PDFs, gold) from corpora/sources with corpora/reportgen
	$(PY) -m corpora.reportgen

office: setup ## rebuild the office sample (.pptx, .docx, their LibreOffice PDFs, gold) and corpora/relabelled; needs soffice
	$(PY) -m corpora.officegen build
	$(PY) -m corpora.officegen relabel

extracts: setup ## rewrite every sample and relabelled PDF's text as seven real extractors give it; needs pdftotext
	$(PY) -m corpora.officegen extract

agreement: setup ## how far the theme annotators of the sample agree (corpora/annotations/)
	$(PY) corpora/agreement.py

clean: ## remove outputs and caches (keeps .venv)
	rm -rf outputs corpora_years .pytest_cache .ruff_cache .cache
	test ! -x $(PY) || $(PY) -m pipeline cache --clear
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean ## also remove the virtual environment
	rm -rf $(VENV)
