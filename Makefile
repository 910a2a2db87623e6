# netallow.apple: two entry points for a newcomer on Debian 12 (as root):
#   make run    set up and run the main job (playbooks/site.yml on localhost, outputs in out/)
#   make test   set up and run every test (what CI runs)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)
# ansible-core 2.21 needs Python 3.12+; 2.19 is the newest core for Python 3.11.
PY312 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.12*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
PY311 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.11*/bin/python3.11) $(shell command -v python3.11 2>/dev/null) $(shell command -v python3 2>/dev/null))
PY39 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.9*/bin/python3.9) $(shell command -v python3.9 2>/dev/null))
# The main job runs on the newest core available here.
PYRUN ?= $(or $(PY312),$(PY311))

VENV := .venv
VENV219 := .venv-2.19
VENV39 := .venv-3.9
VENDOR := .venv-vendor
BUILD := .build
COLLECTIONS := $(abspath $(BUILD)/collections)
COLL_LINK := $(COLLECTIONS)/ansible_collections/netallow/apple
TESTROOT ?= $(abspath $(BUILD)/test)
COLL_COPY := $(TESTROOT)/ansible_collections/netallow/apple
# cisco.asa and junipernetworks.junos last shipped in the ansible 11.x package.
VENDOR_COLLECTIONS := $(abspath $(VENDOR))/ansible11/ansible_collections

export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS):$(abspath $(VENDOR))/ansible11
export ANSIBLE_NOCOLOR := 1
export ANSIBLE_FORCE_COLOR := 0
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: help run test setup setup-run system-deps system-deps-run link copy sanity units units-219 units-39 integration integration-219 molecule \
        examples \
        lint build docs bench clean render-doc

help:
	@echo "make run     set up and run the main job on localhost (outputs in out/)"
	@echo "make test    set up and run every test (sanity, units on 2.21 and 2.19, examples, integration, molecule, lint, build)"
	@echo "make bench   run the benchmarks (figures in benchmarks/results/)"

# ---------------------------------------------------------------- setup
# bindep.txt: the base profile (what `make run` needs) and the "test" profile (real nftables, squid, dnsmasq, ...).
system-deps-run: $(BUILD)/system-deps-run.stamp
$(BUILD)/system-deps-run.stamp: bindep.txt
	@mkdir -p $(BUILD)
	tests/utils/install-system-packages.sh
	@touch $@

system-deps: $(BUILD)/system-deps.stamp
$(BUILD)/system-deps.stamp: bindep.txt
	@mkdir -p $(BUILD)
	tests/utils/install-system-packages.sh test
	@touch $@

$(VENV)/run.stamp: requirements.txt requirements-run.txt
	test -n "$(PYRUN)" || { echo "No Python 3.11+ found" >&2; exit 1; }
	test -x $(VENV)/bin/python || $(PYRUN) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	$(VENV)/bin/python -m pip install -q -r requirements-run.txt
	@touch $@

$(VENV)/test.stamp: $(VENV)/run.stamp requirements-test.txt
	test -n "$(PY312)" || { echo "make test needs Python 3.12 (ansible-core 2.21); see README" >&2; exit 1; }
	$(VENV)/bin/python -m pip install -q -r requirements-test.txt
	@touch $@

$(VENV219)/stamp: requirements-test-2.19.txt
	test -x $(VENV219)/bin/python || $(PY311) -m venv $(VENV219)
	$(VENV219)/bin/python -m pip install -q --upgrade pip
	$(VENV219)/bin/python -m pip install -q -r requirements-test-2.19.txt
	@touch $@

$(VENV39)/stamp: requirements-test-3.9.txt
	test -n "$(PY39)" || { echo "make test needs Python 3.9 for the managed-host code's unit tests" >&2; exit 1; }
	test -x $(VENV39)/bin/python || $(PY39) -m venv $(VENV39)
	$(VENV39)/bin/python -m pip install -q -r requirements-test-3.9.txt
	@touch $@

$(VENDOR)/stamp: $(VENV)/run.stamp
	mkdir -p $(VENDOR)
	$(VENV)/bin/python -m pip download -q --no-deps -d $(VENDOR)/dl 'ansible==11.*'
	rm -rf $(VENDOR)/ansible11 && mkdir -p $(VENDOR)/ansible11
	cd $(VENDOR)/ansible11 && $(abspath $(VENV))/bin/python -c "import sys, zipfile; \
	  z = zipfile.ZipFile(sys.argv[1]); \
	  [z.extract(n) for n in z.namelist() if n.startswith(('ansible_collections/cisco/asa/', 'ansible_collections/junipernetworks/junos/'))]" \
	  $$(ls $(abspath $(VENDOR))/dl/ansible-11*.whl)
	@touch $@

# ansible-core 2.19 runs on Python 3.11, where the ansible 14.x package (fortios, check_point, vyos, netcommon) cannot
# be installed: the 2.19 unit tests read those vendors' argument specs from the ansible 11.x wheel, kept apart so the
# newer collections of the 2.21 venv stay the ones the roles run with.
$(VENDOR)/units.stamp: $(VENDOR)/stamp
	rm -rf $(VENDOR)/ansible11-units && mkdir -p $(VENDOR)/ansible11-units
	cd $(VENDOR)/ansible11-units && $(abspath $(VENV))/bin/python -c "import sys, zipfile; \
	  z = zipfile.ZipFile(sys.argv[1]); \
	  [z.extract(n) for n in z.namelist() if n.startswith(tuple('ansible_collections/' + c + '/' for c in \
	    ('fortinet/fortios', 'check_point/mgmt', 'vyos/vyos', 'ansible/netcommon', 'ansible/utils')))]" \
	  $$(ls $(abspath $(VENDOR))/dl/ansible-11*.whl)
	@touch $@

link:
	@mkdir -p $(dir $(COLL_LINK))
	@ln -sfn $(CURDIR) $(COLL_LINK)

setup-run: system-deps-run $(VENV)/run.stamp $(VENDOR)/stamp link
setup: system-deps $(VENV)/test.stamp $(VENV219)/stamp $(VENV39)/stamp $(VENDOR)/stamp $(VENDOR)/units.stamp link

# ---------------------------------------------------------------- main job
run: setup-run
	cd playbooks && ansible-playbook site.yml

# ---------------------------------------------------------------- tests
# ansible-test needs a real (not symlinked) ansible_collections/netallow/apple tree: copy the working tree there.
copy:
	rm -rf $(COLL_COPY) && mkdir -p $(COLL_COPY) $(BUILD)/logs
	git ls-files -co --exclude-standard -z | rsync -a --from0 --files-from=- ./ $(COLL_COPY)/
	cd $(COLL_COPY) && git init -q && git add -A >/dev/null

test: setup
	tests/utils/run-all.sh

lint:
	ruff check .
	yamllint -s .
	ansible-lint --profile production --offline -q
	antsibull-changelog lint
	python tests/utils/check_changelog_fragments.py

# Unit tests on ansible-core 2.21 (Python 3.12) and 2.19 (Python 3.11); managed-host code also on Python 3.9.
# Each test stage then lists its skips with their reasons and fails on one that tests/skips-allowed.yml does not
# explain (tests/utils/check_skips.py; the summaries land in .build/logs/*.skips for tests/utils/run-all.sh).
CHECK_SKIPS = python tests/utils/check_skips.py

units: copy
	cd $(COLL_COPY) && ansible-test units --local --python 3.12 --color no
	$(CHECK_SKIPS) units --junit $(COLL_COPY)/tests/output/junit/*-units.xml --summary $(BUILD)/logs/units.skips

units-219: copy $(VENDOR)/units.stamp
	cd $(COLL_COPY) && PATH=$(abspath $(VENV219))/bin:$$PATH ansible-test units --local --python 3.11 --color no
	$(CHECK_SKIPS) units-219 --junit $(COLL_COPY)/tests/output/junit/*-units.xml --summary $(BUILD)/logs/units-219.skips

units-39: copy
	cd $(TESTROOT) && PYTHONPATH=$(TESTROOT) $(abspath $(VENV39))/bin/python -m pytest -q -p no:cacheprovider -rs \
	  --junit-xml=$(abspath $(BUILD))/logs/units-39.xml ansible_collections/netallow/apple/tests/unit/plugins/module_utils
	$(CHECK_SKIPS) units-39 --junit $(BUILD)/logs/units-39.xml --summary $(BUILD)/logs/units-39.skips

# ansible-doc and antsibull-docs lint, then the documentation site (.build/docsite/build/html/index.html).
# The render filter's option documentation, generated from the renderers' declarations.
render-doc: copy
	cd $(COLL_COPY) && PYTHONPATH=$(abspath $(TESTROOT)) python tests/utils/render-doc.py $(CURDIR)/plugins/filter/render.yml

docs:
	tests/utils/check-docs.sh
	tests/utils/build-docsite.sh

# Every YAML example of README.md, docs/, the roles' READMEs and the plugins' EXAMPLES, run as written (as root: the
# examples run in network and mount namespaces of their own).
examples: link
	python tests/utils/run_examples.py

sanity: copy
	tests/utils/get-pip-standin.sh
	@# ansible-test skips its shellcheck test, with only a warning, when the program is missing.
	@command -v shellcheck >/dev/null || { echo "shellcheck missing (bindep.txt, profile test)" >&2; exit 1; }
	cd $(COLL_COPY) && ansible-test sanity --local --python 3.12 --color no

integration: copy
	cd $(COLL_COPY) && ansible-test integration --local --python 3.12 --color no --allow-destructive --allow-root \
	  2>&1 | tee $(abspath $(BUILD))/logs/integration.out
	$(CHECK_SKIPS) integration --log $(BUILD)/logs/integration.out --summary $(BUILD)/logs/integration.skips

# The filters target under ansible-core 2.19 too: options from variables and loop items arrive tagged there as well.
integration-219: copy
	cd $(COLL_COPY) && PATH=$(abspath $(VENV219))/bin:$$PATH ansible-test integration --local --python 3.11 --color no \
	  --allow-destructive --allow-root filters

molecule:
	mkdir -p $(BUILD)/logs
	tests/utils/run-molecule.sh 2>&1 | tee $(BUILD)/logs/molecule.out
	$(CHECK_SKIPS) molecule --log $(BUILD)/logs/molecule.out --summary $(BUILD)/logs/molecule.skips

build:
	tests/utils/build-and-install.sh

bench: setup
	python benchmarks/run.py

clean:
	rm -rf $(BUILD) out netallow-apple-*.tar.gz
