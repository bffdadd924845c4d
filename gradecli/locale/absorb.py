"""Take translations from gradecli/locale/parts/*.po into the Chinese catalogue (run by `make i18n`
after `pybabel update`): an entry of the catalogue that is empty or fuzzy gets the part's
translation. Parts let several people translate at once without touching one file; once absorbed
they can be deleted. Also reports the entries still untranslated."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).parent
CATALOGUE = HERE / "zh_CN" / "LC_MESSAGES" / "gradecli.po"


def main() -> int:
    with CATALOGUE.open("rb") as f:
        cat = read_po(f, locale="zh_CN")
    taken = 0
    for part in sorted((HERE / "parts").glob("*.po")):
        with part.open("rb") as f:
            for m in read_po(f, locale="zh_CN"):
                if not m.id or not m.string:
                    continue
                mine = cat.get(m.id)
                if mine is not None and (not mine.string or mine.fuzzy):
                    mine.string = m.string
                    mine.flags.discard("fuzzy")
                    taken += 1
    cat.fuzzy = False  # the header of a new catalogue is marked fuzzy; its entries are what count
    with CATALOGUE.open("wb") as f:
        write_po(f, cat, sort_output=True, no_location=True, ignore_obsolete=True, width=100)
    missing = [m.id for m in cat if m.id and (not m.string or m.fuzzy)]
    print(f"absorbed {taken} translation(s); {len(missing)} msgid(s) still untranslated")
    for mid in missing[:40]:
        print("  untranslated:", mid if isinstance(mid, str) else mid[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
