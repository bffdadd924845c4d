"""Finding English words in text meant to be Chinese (help, output, notices, sheets, HTML).

Allowed: codes and names that are not words of a sentence — option names (--db), upper-case
codes, metavariables and environment variables (URL, GRADECLI_LANG), the command names HR
offices script against, file names and paths, grades and numbers, and the short list of product
and format names below. Whatever else is made of Latin letters is an untranslated word."""

from __future__ import annotations

import re

PRODUCT_NAMES = {"gradecli", "excel", "json", "toml", "yaml", "html", "sqlite", "postgresql", "alembic", "xlsx",
                 "csv", "pg_dump", "pg_restore", "url", "id", "wps", "zh", "en", "yyyy", "mm", "dd", "utf",
                 "python", "make", "demo", "sql", "hash", "pdf", "png", "svg", "http", "https", "www"}

_STRIP = [
    re.compile(r"(?<=[\u4e00-\u9fff]) / [A-Za-z][A-Za-z .'%-]*"),  # a bilingual import header's English half
    re.compile(r"`[^`]*`"),                              # a command quoted for the reader to run
    re.compile(r"\bgradecli(?: [a-z][\w-]*){1,2}"),       # a command named: gradecli allowance show
    re.compile(r"(?<![\w])--?[A-Za-z][\w-]*"),          # options
    re.compile(r"\$?\b[A-Z][A-Z0-9_]{1,}\b"),            # codes, metavariables, environment variables
    re.compile(r"[\w./\\-]*[/\\][\w./\\-]*"),            # paths
    re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.(?:xlsx|html|db|toml|yaml|yml|json|py|md|txt|csv)(?:[.-][\w-]+)*\b",
               re.I),                                    # file names: roster.xlsx, gradecli.db.before-restore-…
    re.compile(r"\b[A-Za-z]*\d[\w-]*\b"),               # codes with digits: K0008, P3-0003-001, 2026H2
    re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"),            # snake_case codes
    re.compile(r"\[/?[a-z ]*\]"),                        # rich markup
    re.compile(r"\b[a-z]+(?:\.[a-z_]+)+\b"),             # policy keys: ui.language, blueprint.tolerance
]
WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(text: str, allow: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The Latin-letter words of ``text`` that are not codes, names or allowed words."""
    for pattern in _STRIP:
        text = pattern.sub(" ", text)
    allowed = {a.lower() for a in allow} | PRODUCT_NAMES | {_user()}
    return [w for w in WORD.findall(text) if w.lower() not in allowed]


def _user() -> str:
    """Who runs the commands: the officer recorded as the actor of ledger events and logs (data)."""
    import getpass

    try:
        return getpass.getuser().lower()
    except Exception:  # no user name to be had
        return ""


# the values an option takes (`--kind annual`, `--accept share`): typed as they are, in any language
OPTION_VALUES = {"annual", "semiannual", "first", "skill", "theory", "share", "pyramid"}


def cli_words(app) -> set[str]:  # noqa: ANN001
    """Command names and option values: a text may tell the reader what to type next."""
    return command_names(app) | OPTION_VALUES


def command_names(app) -> set[str]:  # noqa: ANN001
    """Every command and group name of the Typer app (they are a contract, not prose)."""
    import typer.main

    names: set[str] = set()

    def walk(cmd) -> None:  # noqa: ANN001
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            names.update(name.split("-"))
            names.add(name)
            walk(sub)

    walk(typer.main.get_command(app))
    return names


DISPLAY_KEYS = {"text", "title", "summary", "notes"}  # the only --json keys whose values depend on the language


def without_texts(value):  # noqa: ANN001, ANN201
    """JSON without its display texts, wherever they are: what must be the same in every language."""
    if isinstance(value, dict):
        return {k: without_texts(v) for k, v in value.items() if k not in DISPLAY_KEYS}
    if isinstance(value, list):
        return [without_texts(v) for v in value]
    return value
