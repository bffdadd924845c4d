"""The Chinese catalogue is complete and consistent: every message of the code is in it with a
translation (none empty, none fuzzy), each translation keeps its msgid's placeholders, and the
compiled .mo that gradecli reads is the .po as it stands."""

from __future__ import annotations

import gettext
import string
from pathlib import Path

import pytest

babel = pytest.importorskip("babel")
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "gradecli" / "locale" / "zh_CN" / "LC_MESSAGES"
KEYWORDS = {**DEFAULT_KEYWORDS, "Msg": None, "Reason": (2,), "N_": None}  # as `make i18n` extracts


@pytest.fixture(scope="module")
def po():
    with (LOCALE / "gradecli.po").open("rb") as f:
        return read_po(f, locale="zh_CN")


def _entries(po):
    return [m for m in po if m.id]


def _fields(text: str) -> list[tuple[str, str | None]]:
    return sorted((name, conv) for _, name, _, conv in string.Formatter().parse(text) if name is not None)


def test_every_message_in_the_code_is_in_the_catalogue(po):
    in_code = {m[2] for m in extract_from_dir(str(ROOT / "gradecli"), method_map=[("**.py", "python")],
                                              keywords=KEYWORDS) if isinstance(m[2], str) and m[2]}
    missing = sorted(in_code - {m.id for m in _entries(po)})
    assert not missing, f"run `make i18n` and translate: {missing[:20]}"


def test_every_entry_is_translated_and_none_is_fuzzy(po):
    bad = [m.id for m in _entries(po) if not m.string or m.fuzzy]
    assert not bad, f"{len(bad)} untranslated or fuzzy entries, e.g. {bad[:10]}"


def test_translations_keep_the_placeholders_of_their_msgid(po):
    bad = [(m.id, m.string) for m in _entries(po) if m.string and _fields(m.id) != _fields(m.string)]
    assert not bad, bad[:10]


def test_the_compiled_catalogue_is_the_po(po):
    with (LOCALE / "gradecli.mo").open("rb") as f:
        mo = gettext.GNUTranslations(f)
    wanted = {m.id: m.string for m in _entries(po) if m.string and not m.fuzzy}
    compiled = {k: v for k, v in mo._catalog.items() if k}  # type: ignore[attr-defined]
    assert compiled == wanted, "run `make i18n` to compile the .mo"


def test_chinese_is_the_default_and_english_is_the_msgid():
    from gradecli.i18n import Msg, set_language

    try:
        set_language(None)
        assert Msg("row {row}", row=3).text() == "第 3 行"
        set_language("en")
        assert Msg("row {row}", row=3).text() == "row 3"
    finally:
        set_language("en")
