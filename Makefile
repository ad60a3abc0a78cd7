# The README's commands. Everything installs itself: a fresh machine needs only
# python3 and a Rust toolchain (installed from Debian's packages if missing).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.deps-stamp
EXTRAS ?= test,ml,dev

.PHONY: all demo test test-rust bench bench-signal bench-dataset bench-dask bench-generate quality librosa-suite fuzz build deps lint fmt clean toolchain

all: build

toolchain:
	@command -v cargo >/dev/null 2>&1 || { \
	  echo "cargo not found: installing Rust from Debian's packages"; \
	  apt-get update -qq && apt-get install -y -qq cargo rustc; }
	@python3 -c "import venv, ensurepip" 2>/dev/null || { \
	  apt-get update -qq && apt-get install -y -qq python3-venv; }

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install -q --upgrade pip "maturin>=1.7,<2"
	$(PY) -c 'import sys, tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	  reqs = set(p["dependencies"]) | {r for e in sys.argv[1].split(",") for r in p["optional-dependencies"][e]}; \
	  print("\n".join(sorted(reqs)))' $(EXTRAS) > $(VENV)/requirements.txt
	$(PIP) install -q -r $(VENV)/requirements.txt
	touch $@

deps: toolchain $(STAMP)

build: deps
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH maturin develop --release -q

test: build
	cargo test --release -q
	$(PY) -m pytest -q -p no:cacheprovider tests

test-rust: toolchain
	cargo test --release -q

bench: build
	$(PY) benches/bench_features.py $(ARGS)
	$(PY) benches/bench_signal.py

# reduce_noise / python_speech_features / periodogram-welch vs noisereduce,
# python_speech_features and scipy (30 s clip, one thread) and an SNR table.
bench-signal: build
	$(PY) benches/bench_signal.py $(ARGS)

# Dataset preparation vs the tutorial loop; DATA defaults to ../shared/data/instruments-dev.
bench-dataset: build
	$(PY) benches/bench_dataset.py $(if $(DATA),--data $(DATA)) $(ARGS)

# prepare(engine="dask") on LocalClusters of 1 and 2 worker processes beside the local
# engine, on generated 3 s clips (CLIPS defaults to 2000).
bench-dask: build
	$(PY) benches/bench_dask.py $(if $(CLIPS),--clips $(CLIPS)) $(ARGS)

# Griffin-Lim speed vs librosa and the generators' spectral convergence on held-out
# clips (trains an AE and a VAE, ~5 min each); DATA defaults to ../shared/data/instruments-dev.
bench-generate: build
	$(PY) benches/bench_generate.py $(if $(DATA),--data $(DATA)) $(ARGS)

# 5-fold grouped clip-level accuracy of the presets (slow: trains many models).
quality: build
	$(PY) benches/quality_instruments.py $(if $(DATA),--data $(DATA)) $(ARGS)

# librosa 0.11.0's own test suite with ferrosa serving every name it shares with
# librosa (long; not part of `make test`). pip fetches librosa's sdist into
# target/librosa-suite once; its tests/data is ../shared/librosa-test-data.
librosa-suite: build
	$(PY) benches/librosa_suite/run.py $(ARGS)

demo: build
	$(PY) -m ferrosa.demo $(if $(DATA),--data $(DATA))

lint: build
	cargo fmt --check
	cargo clippy --release --all-targets --features python -- -D warnings
	$(VENV)/bin/ruff check python tests benches
	$(VENV)/bin/mypy
	# _core.pyi against the built extension: every exported name, with its
	# signature (no allowlist).
	MYPYPATH=python $(PY) -m mypy.stubtest --mypy-config-file pyproject.toml ferrosa._core

fmt:
	cargo fmt
	$(VENV)/bin/ruff format python tests benches

clean:
	rm -rf target $(VENV) python/ferrosa/_core*.so

# The crash-proof suite for longer than CI runs it (FUZZ_EXAMPLES calls, fresh random draws).
FUZZ_EXAMPLES ?= 5000
fuzz: build
	FERROSA_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FERROSA_FUZZ_RANDOM=1 $(PY) -m pytest -q -p no:cacheprovider tests/test_fuzz_api.py
