"""Text for people, in one message catalogue: Chinese (zh_CN) by default, English on request.

Every message is written in English in the code (the gettext msgid) and translated through the
catalogue gradecli/locale/zh_CN/LC_MESSAGES/gradecli.po (compiled to .mo beside it, kept in the
repository; `make i18n` extracts, updates and compiles with Babel). Messages stay data until
they are shown: ``Msg`` keeps its template and parameters and renders itself in the language of
the moment, so the domain and the services return messages, never sentences, and ``--json``
carries the code and parameters beside the text. Importing this module costs almost nothing.
"""

from __future__ import annotations

import gettext as _gettext
import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
ENV = "GRADECLI_LANG"
DOMAIN = "gradecli"
LOCALE_DIR = Path(__file__).parent / "locale"
_ALIASES = {"zh": "zh", "zh_cn": "zh", "zh-cn": "zh", "cn": "zh", "chinese": "zh", "中文": "zh",
            "en": "en", "en_us": "en", "en-us": "en", "en_gb": "en", "english": "en"}

_current = DEFAULT
_catalogues: dict[str, _gettext.NullTranslations] = {}


def normalise(lang: str | None) -> str | None:
    """'zh', 'zh_CN', 'en-US', … → 'zh' or 'en'; None for anything else."""
    return _ALIASES.get(lang.strip().lower()) if lang else None


def set_language(lang: str | None) -> str:
    """Use ``lang`` (zh or en) from now on; returns the language in force."""
    global _current
    _current = normalise(lang) or DEFAULT
    return _current


def language() -> str:
    return _current


def language_from(argv: Iterable[str], environ: dict | None = None) -> str | None:
    """The language asked for on the command line (--lang X / --lang=X) or in GRADECLI_LANG."""
    args = list(argv)
    for i, a in enumerate(args):
        if a == "--lang" and i + 1 < len(args):
            return normalise(args[i + 1])
        if a.startswith("--lang="):
            return normalise(a.split("=", 1)[1])
    return normalise((environ if environ is not None else os.environ).get(ENV))


def catalogue(lang: str | None = None) -> _gettext.NullTranslations:
    lang = lang or _current
    cat = _catalogues.get(lang)
    if cat is None:
        if lang == "zh":
            try:
                with open(LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as f:
                    cat = _gettext.GNUTranslations(f)
            except OSError:
                cat = _gettext.NullTranslations()
        else:
            cat = _gettext.NullTranslations()
        _catalogues[lang] = cat
    return cat


def _(message: str) -> str:
    """Translate now (for text rendered at once, at the edge)."""
    return catalogue().gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalogue().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for the catalogue without translating it yet (column headers, labels)."""
    return message


def render(value: Any) -> str:
    """A value as text in the current language: messages rendered, lists joined, None as —."""
    if value is None:
        return "—"
    if isinstance(value, Msg):
        return value.text()
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return _(", ").join(render(v) for v in items)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    code = getattr(value, "code", None)
    if code is not None and value.__class__.__name__ == "AbsentMark":
        return _("absent")
    return str(value)


def plain(value: Any) -> Any:
    """A parameter as JSON wants it: numbers stay numbers, dates ISO text, messages their JSON."""
    if isinstance(value, Msg):
        return value.to_json()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in (sorted(value) if isinstance(value, (set, frozenset)) else value)]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class Code(str):
    """A code (single, blocking, common, …) that --json carries as itself and a table or a sheet
    shows in the run's language: equal to the code (JSON writes it as it is); str() gives its label
    from ``LABELS`` (N_-marked msgids), or the code itself when it has none."""

    LABELS: dict[str, str] = {}

    def __str__(self) -> str:
        code = str.__str__(self)
        label = self.LABELS.get(code)
        return _(label) if label else code


class Msg:
    """A message: an English template (the msgid) with named parameters, rendered in the current
    language when shown. ``code`` names a reason or outcome for scripts (stable, snake_case)."""

    __slots__ = ("template", "params", "code")

    def __init__(self, template: str, /, **params: Any) -> None:
        self.template = template
        self.params = params
        self.code: str | None = None

    def text(self) -> str:
        t = _(self.template)
        if not self.params:
            return t
        return t.format(**{k: render(v) for k, v in self.params.items()})

    __str__ = text

    def __contains__(self, part: str) -> bool:
        return part in self.text()

    def __repr__(self) -> str:
        return f"Msg({self.template!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Msg) and (self.code, self.template, self.params)
                == (other.code, other.template, other.params))

    def __hash__(self) -> int:
        return hash((self.code, self.template))

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": {k: plain(v) for k, v in self.params.items()}, "text": self.text()}


class Reason(Msg):
    """A message that names a reason, an outcome or a derivation by a stable code, so scripts can
    act on it whatever the language: Reason("theory_below_pass", "theory {score} < {mark}", …)."""

    __slots__ = ()

    def __init__(self, code: str, template: str, /, **params: Any) -> None:
        super().__init__(template, **params)
        self.code = code


def dumps(message: "Msg | str") -> str:
    """A message as stored in the database (JSON: template, parameters, code), so that what was
    decided reads in whatever language it is later shown in. Plain text is stored as it is."""
    import json

    if not isinstance(message, Msg):
        return message
    data = {"t": message.template, "p": {k: _storable(v) for k, v in message.params.items()}}
    if message.code:
        data["c"] = message.code
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _storable(value: Any) -> Any:
    if isinstance(value, Msg):
        return {"$msg": json_loads_safe(dumps(value))}
    if isinstance(value, (list, tuple)):
        return [_storable(v) for v in value]
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, (date, datetime)):
        return {"$date": value.isoformat()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def json_loads_safe(text: str) -> Any:
    import json

    return json.loads(text)


def loads(text: "str | None") -> "Msg | str | None":
    """A stored message back as a Msg; text stored before messages were data stays text."""
    if not text or not text.startswith('{"'):
        return text
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return text
    if not isinstance(data, dict) or "t" not in data:
        return text
    return _revive(data)


def _revive(data: dict) -> "Msg":
    params = {k: _revive_param(v) for k, v in data.get("p", {}).items()}
    return Reason(data["c"], data["t"], **params) if data.get("c") else Msg(data["t"], **params)


def _revive_param(v: Any) -> Any:
    if isinstance(v, dict) and "$msg" in v:
        return _revive(v["$msg"])
    if isinstance(v, dict) and "$dec" in v:
        return Decimal(v["$dec"])
    if isinstance(v, dict) and "$date" in v:
        return date.fromisoformat(v["$date"])
    if isinstance(v, list):
        return [_revive_param(x) for x in v]
    return v
