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

HEADER = """\
# gradecli policy — every rule number of the grading system (岗位等级制度).
# Change a value, then run `gradecli policy check FILE`, and pass it to any command with
# `--policy FILE`. A key left out keeps its default; an unknown key is an error.
#
# Choices made where docs/rules.md is silent (see README.md):
# - `staff transfer` without --frontline/--no-frontline keeps the current front-line status.
# - Certificates are read from the roster's optional 证书 column; certificate_requirements
#   (like title_requirements) apply to tier steps, since a level step stays inside a tier held.
# - Automatic backups ([backup]) are verified copies of the SQLite file in backups/ beside it,
#   taken only when closing or --replace is about to write; PostgreSQL is backed up with pg_dump.
"""


def _value(v: Any) -> str:
    if isinstance(v, BaseModel):
        return _value(v.model_dump())
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int,)):
        return str(v)
    if isinstance(v, Decimal):
        return f'"{v}"'
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
    """The whole policy as commented TOML (every key, with its description)."""
    out = [HEADER]
    for section_name, field in Policy.model_fields.items():
        section: BaseModel = getattr(policy, section_name)
        out.append("")
        doc = [line.strip() for line in (type(section).__doc__ or "").strip().splitlines()]
        out.append(f"[{section_name}]  # {doc[0]}" if doc and doc[0] else f"[{section_name}]")
        out += [f"# {line}" if line else "#" for line in doc[1:]]
        tables: list[str] = []
        for key, f in type(section).model_fields.items():
            value = getattr(section, key)
            desc = f.description or ""
            if isinstance(value, dict) and value and all(isinstance(x, BaseModel) for x in value.values()):
                tables.append(f"\n# {desc}")
                for k, item in value.items():
                    tables.append(f"[{section_name}.{key}.{_key(k)}]")
                    fields = type(item).model_fields
                    tables += [f"{k2} = {_value(v2)}" if v2 is not None else f"# {k2} =   (not set: {fields[k2].description})"
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
                out.append(f"# {key} =   (not set)")
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
    out = [f"#   {key}: {f.description}" for key, f in model_type.model_fields.items()]
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
        raise BadInput(f"{path}: no such policy file (write one with `gradecli policy init {path}`)") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not UTF-8 text; save the policy file as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = f"{path}:{m.group(1)}" if m else str(path)
        raise BadInput(problems=[Problem(where, f"not valid TOML: {exc}")]) from None
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
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key; check the spelling against `gradecli policy init`"
            problems.append(Problem(where, f"{key}: {msg}"))
        raise BadInput(problems=problems) from None
