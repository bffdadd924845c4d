# The README's commands. Each target creates the virtualenv (.venv) when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench clean i18n

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/gradecli demo --out out

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# The message catalogue: extract every msgid from the code (gradecli/locale/gradecli.pot), merge it
# into the Chinese catalogue (translate the new entries in gradecli/locale/zh_CN/LC_MESSAGES/
# gradecli.po, e.g. with Poedit), and compile the .mo that gradecli reads (kept in the repository).
I18N_KEYWORDS := -k Msg -k Reason:2 -k N_
i18n: $(STAMP)
	$(BIN)/pybabel extract -F gradecli/locale/babel.cfg $(I18N_KEYWORDS) --no-location --sort-output --omit-header \
		-o gradecli/locale/gradecli.pot .
	test -f gradecli/locale/zh_CN/LC_MESSAGES/gradecli.po || $(BIN)/pybabel init -i gradecli/locale/gradecli.pot \
		-d gradecli/locale -D gradecli -l zh_CN
	$(BIN)/pybabel update -i gradecli/locale/gradecli.pot -d gradecli/locale -D gradecli -l zh_CN \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/python gradecli/locale/absorb.py
	$(BIN)/pybabel compile -d gradecli/locale -D gradecli -l zh_CN --statistics

clean:
	rm -rf $(VENV) out build *.egg-info gradecli.db gradecli.db-wal gradecli.db-shm
