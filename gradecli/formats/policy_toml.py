"""The policy file: a commented TOML written from the policy model, read back with line numbers."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from gradecli.domain.errors import BadInput, Problem
from gradecli.domain.policy import Policy
from gradecli.i18n import N_, Msg, Reason, _

# The file's opening comment, one paragraph a msgid (written in the run's language; "" is an empty line).
HEADER = [
    N_("gradecli policy — every rule number of the grading system."),
    N_("Change a value, then run `gradecli policy check FILE`, and pass it to any command with\n"
       "`--policy FILE`. A key left out keeps its default; an unknown key is an error."),
    "",
    N_("Choices made where docs/rules.md is silent (see README.md):"),
    N_("- `staff transfer` without --frontline/--no-frontline keeps the current front-line status."),
    N_("- Certificates are read from the roster's optional Certificates column; certificate_requirements\n"
       "  (like title_requirements) apply to tier steps, since a level step stays inside a tier held."),
    N_("- Automatic backups ([backup]) are verified copies of the SQLite file in backups/ beside it,\n"
       "  taken only when closing or --replace is about to write; PostgreSQL is backed up with pg_dump."),
]


def _comment(text: str) -> list[str]:
    """A text in the run's language as comment lines (each line of the translation its own)."""
    return [f"# {line}".rstrip() for line in _(text).splitlines()] if text else ["#"]


def _value(v: Any) -> str:
    if isinstance(v, BaseModel):
        return _value(v.model_dump())
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int,)):
        return str(v)
    if isinstance(v, Decimal):
        return format(v, "f")  # a TOML number, read back exactly (tolerance = 0.5)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items() if x is not None) + " }"
    if v is None:
        return '""'
    raise TypeError(type(v))


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else f'"{k}"'


def render(policy: Policy) -> str:
    """The whole policy as commented TOML (every key, with its description): the comments in the
    run's language, the keys and values as they are."""
    out = [line for text in HEADER for line in _comment(text)]
    for section_name, field in Policy.model_fields.items():
        section: BaseModel = getattr(policy, section_name)
        out.append("")
        doc = [line.strip() for line in _said(type(section).__doc__).strip().splitlines()]
        out.append(f"[{section_name}]  # {doc[0]}" if doc and doc[0] else f"[{section_name}]")
        out += [f"# {line}" if line else "#" for line in doc[1:]]
        tables: list[str] = []
        for key, f in type(section).model_fields.items():
            value = getattr(section, key)
            desc = _said(f.description)
            if isinstance(value, dict) and value and all(isinstance(x, BaseModel) for x in value.values()):
                tables.append(f"\n# {desc}")
                for k, item in value.items():
                    tables.append(f"[{section_name}.{key}.{_key(k)}]")
                    fields = type(item).model_fields
                    tables += [f"{k2} = {_value(v2)}" if v2 is not None else f"# {k2} =   " + _not_set(fields[k2].description)
                               for k2, v2 in item.model_dump().items()]
                continue
            if isinstance(value, list) and value and isinstance(value[0], BaseModel):
                tables.append(f"\n# {desc}")
                tables += _array_of_tables(f"{section_name}.{key}", value)
                continue
            if isinstance(value, dict) and value and all(isinstance(v, BaseModel) for v in value.values()):
                tables.append(f"\n# {desc}")
                tables += _named_tables(f"{section_name}.{key}", value)
                continue
            if desc:
                out.append(f"# {desc}")
            if value is None:
                out.append(f"# {key} =   " + _("(not set)"))
            else:
                out.append(f"{key} = {_value(value.model_dump() if isinstance(value, BaseModel) else value)}")
        out.extend(tables)
    return "\n".join(out) + "\n"


def _array_of_tables(path: str, items: list[BaseModel]) -> list[str]:
    out = []
    for item in items:
        out.append(f"[[{path}]]")
        out += [f"{k} = {_value(v)}" for k, v in item.model_dump().items()]
    return out


def _named_tables(path: str, tables: dict[str, BaseModel]) -> list[str]:
    """One [path."name"] table per entry (a post family's blueprint) with the keys that are set;
    what every key does is said once, above the first table."""
    model_type = type(next(iter(tables.values())))
    out = [f"#   {key}: {_said(f.description)}" for key, f in model_type.model_fields.items()]
    for name, model in tables.items():
        out.append(f"[{path}.{_key(name)}]")
        subtables: list[str] = []
        for key in type(model).model_fields:
            value = getattr(model, key)
            if value is None:
                continue
            if isinstance(value, list) and value and isinstance(value[0], BaseModel):
                subtables += _array_of_tables(f"{path}.{_key(name)}.{key}", value)
            else:
                out.append(f"{key} = {_value(value)}")
        out += subtables
    return out


def _not_set(description: str | None) -> str:
    return Msg("(not set: {description})", description=_said(description)).text()


def _said(text: str | None) -> str:
    """A description or section comment (an N_-marked msgid) in the run's language."""
    return _(text) if text else ""


def _line_index(text: str) -> dict[tuple[str, ...], int]:
    """Where each key is defined: (section, key) → line number (1-based)."""
    index: dict[tuple[str, ...], int] = {}
    section: tuple[str, ...] = ()
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        m = re.match(r"\[\[?\s*([^\]]+?)\s*\]\]?", s)
        if m:
            section = tuple(p.strip().strip('"') for p in m.group(1).split("."))
            index.setdefault(section, n)
            continue
        m = re.match(r'("[^"]+"|[A-Za-z0-9_-]+)\s*=', s)
        if m:
            index.setdefault(section + (m.group(1).strip('"'),), n)
    return index


def load(path: str | Path) -> Policy:
    """Read and check a policy file; every problem is reported with its line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(Reason("policy_missing", "{file}: no such policy file (write one with `gradecli policy init "
                              "{file}`)", file=str(path))) from None
    except UnicodeDecodeError:
        raise BadInput(Reason("policy_not_utf8", "{file}: not UTF-8 text; save the policy file as UTF-8",
                              file=str(path))) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = f"{path}:{m.group(1)}" if m else str(path)
        raise BadInput(problems=[Problem(where, Reason("not_toml", "not valid TOML: {error}; write key = value, text in "
                                                              "quotes", error=str(exc)))]) from None
    return from_data(data, source=str(path), text=text)


def from_data(data: dict, *, source: str = "policy", text: str = "") -> Policy:
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        index = _line_index(text)
        problems = []
        for err in exc.errors():
            loc = tuple(str(p) for p in err["loc"])
            line = None
            for k in range(len(loc), 0, -1):
                if loc[:k] in index:
                    line = index[loc[:k]]
                    break
            where = f"{source}:{line}" if line else source
            key = ".".join(loc) or "policy"
            problems.append(Problem(where, Msg("{key}: {problem}", key=key, problem=problem(err))))
        raise BadInput(problems=problems) from None


def problem(err: dict) -> Reason:
    """One of pydantic's validation errors as a Reason of gradecli's: a rule of the policy that a
    value breaks (domain.policy.PolicyError), or what is wrong with the value and how to write it."""
    kind, ctx = err["type"], err.get("ctx") or {}
    cause = ctx.get("error")
    if getattr(cause, "reason", None) is not None:
        return cause.reason
    value = _shown(err.get("input"))
    if kind == "extra_forbidden":
        return Reason("unknown_key", "unknown key; check the spelling against `gradecli policy init`")
    if kind == "missing":
        return Reason("missing", "missing; write a value")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return Reason("not_whole_number", "{value} is not a whole number; write one such as 12", value=value)
    if kind == "decimal_max_places":  # e.g. blueprint.tolerance = 0.125
        return Reason("too_many_decimals", "{value} has more decimals than allowed; write at most {places}, e.g. 0.25",
                      value=value, places=ctx.get("decimal_places"))
    if kind in ("decimal_type", "decimal_parsing", "float_type", "float_parsing", "decimal_max_places",
                "decimal_max_digits", "finite_number"):
        return Reason("not_a_number", "{value} is not a number; write one such as 12 or \"12.5\"", value=value)
    if kind in ("bool_type", "bool_parsing"):
        return Reason("not_true_false", "{value} is not true or false; write true or false", value=value)
    if kind == "string_type":
        return Reason("not_text", "{value} is not text; write it in double quotes", value=value)
    if kind in ("list_type", "tuple_type"):
        return Reason("not_a_list", "{value} is not a list; write it in square brackets", value=value)
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return Reason("not_a_table", "{value} is not a table; write a [section] or an inline table in curly braces",
                      value=value)
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return Reason("not_a_choice", "{value} is not one of {choices}; write one of them", value=value,
                      choices=[f'"{c}"' for c in choices])
    if kind == "greater_than_equal":
        return Reason("too_small", "{value} is less than {limit}, the lowest allowed", value=value, limit=ctx.get("ge"))
    if kind == "less_than_equal":
        return Reason("too_large", "{value} is more than {limit}, the highest allowed", value=value, limit=ctx.get("le"))
    if kind == "greater_than":
        return Reason("too_small", "{value} must be more than {limit}", value=value, limit=ctx.get("gt"))
    if kind == "less_than":
        return Reason("too_large", "{value} must be less than {limit}", value=value, limit=ctx.get("lt"))
    return Reason("invalid_value", "{value} is not allowed here ({detail}); see this key's comment in "
                  "`gradecli policy init`", value=value, detail=err.get("msg", kind).removeprefix("Value error, "))


def _shown(value: Any) -> str:
    """A value as the file has it, shortened."""
    try:
        shown = _value(value)
    except TypeError:  # a float, a date: as Python writes it
        shown = str(value)
    return shown if len(shown) <= 60 else shown[:59] + "…"
