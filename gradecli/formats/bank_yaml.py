"""Question bank files in YAML (question_bank/<family>/tier-<n>.yaml), read with line numbers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from gradecli.domain.bank import Question, RawQuestion
from gradecli.domain.errors import BadInput, Problem
from gradecli.i18n import Reason

FILE_NAME = re.compile(r"tier-(\d+)\.ya?ml$")


def _loader():  # noqa: ANN202
    import yaml

    # libyaml's parser when PyYAML has it: the shipped banks (about 30,000 lines) parse ten times faster
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):
        """Keeps the line of every mapping so a problem can name it."""

    def construct_mapping(loader, node, deep=False):  # noqa: ANN001, ANN202
        mapping = base.construct_mapping(loader, node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return LineLoader


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files named on the command line, folders searched for *.yaml / *.yml / *.xlsx."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.suffix.lower() in (".yaml", ".yml", ".xlsx") and f.is_file())
        elif p.exists():
            out.append(p)
        else:
            raise BadInput(Reason("no_such_path", "{path}: no such file or folder; check the name and the folder",
                                  path=str(p)))
    return out


def _at(path: Path, line: int = 1) -> str:
    """Where in a YAML file: file:line, as editors and compilers write it (the same in every language)."""
    return f"{path}:{line}"


def read(path: Path) -> tuple[list[RawQuestion], list[Problem]]:
    """The questions of one YAML file, and the file-level problems (each at file:line)."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return [], [Problem(_at(path), Reason("not_utf8", "not UTF-8 text; save the file as UTF-8"))]
    try:
        doc = yaml.load(text, Loader=_loader())  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return [], [Problem(_at(path, line), Reason(
            "yaml_invalid", "not valid YAML ({cause}); check indentation and quote text containing ': '",
            cause=str(getattr(exc, "problem", None) or exc)))]
    if not isinstance(doc, dict) or not isinstance(doc.get("questions"), list):
        return [], [Problem(_at(path), Reason("bank_file_shape", "a bank file has tier, family and a list of questions "
                                              "(see question_bank/README.md)"))]
    problems = []
    m = FILE_NAME.search(path.name)
    tier = doc.get("tier")
    family = str(doc.get("family") or "").strip()
    if m and tier is None:
        problems.append(Problem(_at(path), Reason("tier_not_file_name", "tier is missing; write tier: {number}, as the "
                                                  "file name {name} says", number=int(m.group(1)), name=path.name)))
    elif m and tier != int(m.group(1)):
        problems.append(Problem(_at(path), Reason("tier_not_file_name", "tier {tier} does not match the file name {name}",
                                                  tier=tier, name=path.name)))
    if family and path.parent.name not in (family, "", ".") and FILE_NAME.search(path.name):
        problems.append(Problem(_at(path), Reason("family_not_folder", "family '{family}' does not match the folder "
                                                  "'{folder}'", family=family, folder=path.parent.name)))
    raws = []
    for item in doc["questions"]:
        if not isinstance(item, dict):
            problems.append(Problem(_at(path), Reason("entry_not_mapping", "every entry under questions is a mapping "
                                                      "of fields (id, type, stem, …)")))
            continue
        line = item.pop("__line__", 1)
        raws.append(RawQuestion(data=item, where=_at(path, line),
                                file_tier=tier if isinstance(tier, int) else None, file_family=family or None))
    return raws, problems


def dump(questions: list[Question], tier: int | None, family: str | None) -> str:
    """A bank file with the given questions (the current version of each)."""
    import yaml

    items = []
    for q in questions:
        item = {"id": q.qid, "type": q.type, "stem": q.stem}
        if q.options:
            item["options"] = list(q.options)
        item["answer"] = list(q.answer) if isinstance(q.answer, tuple) else q.answer
        item.update({"points": q.points, "difficulty": q.difficulty, "areas": list(q.areas)})
        if q.explanation:
            item["explanation"] = q.explanation
        if q.status != "active":
            item["status"] = q.status
        if tier is None:
            item["tier"] = q.tier
        if family is None:
            item["family"] = q.family
        items.append(item)
    doc: dict = {}
    if tier is not None:
        doc["tier"] = tier
    if family is not None:
        doc["family"] = family
    doc["questions"] = items
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)
