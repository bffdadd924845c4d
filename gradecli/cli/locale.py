"""The command line in the chosen language: which language a run uses, and Typer's and click's
own words (Usage, Options, Commands, Missing argument, …) taken from the same catalogue.

Typer renders help and usage errors itself, with English words built in. Its help reads the
help texts at the moment it prints them, so they are translated there (the code keeps the English
msgids); its panel titles are module constants, set to the current language before each
rendering; click's error messages are matched against the English templates and rendered again
from the catalogue."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable

from gradecli.i18n import ENV, N_, _, language_from, normalise, set_language

# Typer's and click's words, marked here so that the catalogue has them.
PANEL_TITLES = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
    "DEFAULT_STRING": N_("[default: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "DEPRECATED_STRING": N_("(deprecated) "),
}
TYPE_LABELS = {"str": N_("text"), "int": N_("integer"), "float": N_("number"), "path": N_("path"),
               "file": N_("file"), "dir": N_("folder"), "directory": N_("folder"), "datetime": N_("date")}
USAGE_WORDS = [N_("Usage:"), N_("[OPTIONS]"), N_("COMMAND [ARGS]...")]
TYPER_WORDS = [N_("No such command {name!r}."), N_("Show this message and exit.")]

# click's messages (English, hard-wired in Typer's copy of click) → their msgid with parameters
CLICK_MESSAGES = [
    (re.compile(r"^No such command '(?P<name>.+)'\.$"), N_("No such command '{name}'.")),
    (re.compile(r"^No such option: (?P<name>\S+)\s+Did you mean (?P<alt>.+)\?$"),
     N_("No such option: {name}. Did you mean {alt}?")),
    (re.compile(r"^No such option: (?P<name>\S+)$"), N_("No such option: {name}")),
    (re.compile(r"^Missing argument '(?P<name>.+)'\.$"), N_("Missing argument '{name}'.")),
    (re.compile(r"^Missing option '(?P<name>.+)'\.$"), N_("Missing option '{name}'.")),
    (re.compile(r"^Missing parameter: (?P<name>.+)$"), N_("Missing parameter: {name}")),
    (re.compile(r"^Option '(?P<name>.+)' requires an argument\.$"), N_("Option '{name}' requires an argument.")),
    (re.compile(r"^Got unexpected extra arguments? \((?P<args>.+)\)$"), N_("Got unexpected extra arguments ({args})")),
    (re.compile(r"^Invalid value for (?P<hint>.+?): (?P<message>.+)$"), N_("Invalid value for {hint}: {message}")),
    (re.compile(r"^Invalid value: (?P<message>.+)$"), N_("Invalid value: {message}")),
    (re.compile(r"^'(?P<value>.+)' is not a valid integer\.$"), N_("'{value}' is not a valid integer.")),
    (re.compile(r"^'(?P<value>.+)' is not a valid float\.$"), N_("'{value}' is not a valid number.")),
    (re.compile(r"^'(?P<value>.+)' is not one of (?P<choices>.+)\.$"), N_("'{value}' is not one of {choices}.")),
    (re.compile(r"^(?P<name>.+) is not a valid boolean\.?$"), N_("{name} is not a valid boolean.")),
    (re.compile(r"^(?:File|Directory|Path) '(?P<path>.+)' does not exist\.$", re.I), N_("Path '{path}' does not exist.")),
    (re.compile(r"^(?:File|Directory|Path) '(?P<path>.+)' is a directory\.$", re.I), N_("'{path}' is a folder.")),
    (re.compile(r"^(?:File|Directory|Path) '(?P<path>.+)' is a file\.$", re.I), N_("'{path}' is a file, not a folder.")),
    (re.compile(r"^(?:File|Directory|Path) '(?P<path>.+)' is not readable\.$", re.I),
     N_("'{path}' cannot be read: check that you may read it.")),
    (re.compile(r"^(?:File|Directory|Path) '(?P<path>.+)' is not writable\.$", re.I),
     N_("'{path}' cannot be written: check that you may write there.")),
]


def translate_click(message: str) -> str:
    """click's English message in the current language (unknown messages pass through)."""
    for pattern, msgid in CLICK_MESSAGES:
        m = pattern.match(message.strip())
        if m:
            parts = {k: translate_click(v) if k == "message" else v for k, v in m.groupdict().items()}
            return _(msgid).format(**parts)
    return _(message)


def translate_usage(text: str) -> str:
    for word in USAGE_WORDS:
        text = text.replace(word, _(word))
    return text


def choose(args: Iterable[str], environ: dict | None = None) -> str:
    """The language of this run: --lang, else GRADECLI_LANG, else the policy file's [ui] language,
    else Chinese; set for the rest of the process."""
    args = [str(a) for a in args]
    lang = language_from(args, environ)
    if lang is None:
        lang = _policy_language(args)
    return set_language(lang)


def _policy_language(args: list[str]) -> str | None:
    for i, a in enumerate(args):
        path = args[i + 1] if a == "--policy" and i + 1 < len(args) else a.split("=", 1)[1] if a.startswith("--policy=") else None
        if path:
            try:
                import tomllib

                return normalise(str(tomllib.loads(Path(path).read_text(encoding="utf-8")).get("ui", {}).get("language", "")))
            except Exception:  # an unreadable policy file is reported by the command itself
                return None
    return None


_installed = False


def install() -> None:
    """Route Typer's and click's words through the catalogue (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    import typer.core
    import typer.rich_utils as ru
    from typer._click import core as click_core

    typer.core._ = _  # type: ignore[attr-defined]
    ru._ = _  # type: ignore[attr-defined]
    format_help, format_error = ru.rich_format_help, ru.rich_format_error

    def panels() -> None:
        for name, msgid in PANEL_TITLES.items():
            setattr(ru, name, _(msgid))

    def rich_format_help(*, obj, ctx, markup_mode):  # noqa: ANN001, ANN202
        panels()
        with _translated_help(obj, ctx):
            return format_help(obj=obj, ctx=ctx, markup_mode=markup_mode)

    def rich_format_error(self):  # noqa: ANN001, ANN202
        panels()
        message = self.format_message()
        self.format_message = lambda: translate_click(message)  # type: ignore[method-assign]
        return format_error(self)

    ru.rich_format_help = rich_format_help
    ru.rich_format_error = rich_format_error
    get_usage = click_core.Command.get_usage

    def translated_usage(self, ctx):  # noqa: ANN001, ANN202
        return translate_usage(get_usage(self, ctx))

    click_core.Command.get_usage = translated_usage  # type: ignore[method-assign]
    context_usage = click_core.Context.get_usage

    def translated_context_usage(self):  # noqa: ANN001, ANN202
        return translate_usage(context_usage(self))

    click_core.Context.get_usage = translated_context_usage  # type: ignore[method-assign]
    display_type = typer.core.TyperOption.display_type_rich

    def no_type_for_flags(self, ctx):  # noqa: ANN001, ANN202
        # a flag takes no value: Typer would print "<bool>", a word the reader has nothing to do with
        if getattr(self, "is_flag", False):
            return None
        shown = display_type(self, ctx)
        label = shown[1:-1] if shown and shown.startswith("<") and shown.endswith(">") else None
        return f"<{_(TYPE_LABELS[label])}>" if label in TYPE_LABELS else shown

    typer.core.TyperOption.display_type_rich = no_type_for_flags  # type: ignore[method-assign]
    argument_type = typer.core.TyperArgument.display_type_rich

    def translated_argument_type(self, ctx):  # noqa: ANN001, ANN202
        # an argument's value type (<file>, <text>) in the run's language, as for options
        shown = argument_type(self, ctx)
        label = shown[1:-1] if shown and shown.startswith("<") and shown.endswith(">") else None
        return f"<{_(TYPE_LABELS[label])}>" if label in TYPE_LABELS else shown

    typer.core.TyperArgument.display_type_rich = translated_argument_type  # type: ignore[method-assign]
    make_rich_text = ru._make_rich_text

    def folding_rich_text(**kw):  # noqa: ANN003, ANN202
        # Chinese has no spaces to wrap at: rich would cut a help text's long run with "…"; fold it
        from rich.text import Text

        out = make_rich_text(**kw)
        if isinstance(out, Text):
            out.overflow = "fold"
        return out

    ru._make_rich_text = folding_rich_text


class _translated_help:
    """Help texts of a command, its parameters and its subcommands in the current language while
    Typer prints them; the English msgids are put back afterwards."""

    def __init__(self, obj, ctx) -> None:  # noqa: ANN001
        self.items = [obj, *obj.get_params(ctx)]
        commands = getattr(obj, "commands", None) or {}
        self.items += list(commands.values())
        self.saved: list[tuple[object, str, object]] = []

    def __enter__(self) -> None:
        for item in self.items:
            for attr in ("help", "short_help"):
                text = getattr(item, attr, None)
                if isinstance(text, str) and text:
                    self.saved.append((item, attr, text))
                    setattr(item, attr, _(text))

    def __exit__(self, *exc: object) -> None:
        for item, attr, text in self.saved:
            setattr(item, attr, text)


def environment_language() -> str | None:
    return normalise(os.environ.get(ENV))
