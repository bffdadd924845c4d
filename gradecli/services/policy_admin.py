"""Policy file use cases: write the commented defaults, show, check."""

from __future__ import annotations

from pathlib import Path

from gradecli.domain.errors import BadInput
from gradecli.domain.policy import Policy
from gradecli.formats import policy_toml
from gradecli.services.results import Outcome


def init(path: Path, *, force: bool = False) -> Outcome:
    if path.exists() and not force:
        raise BadInput(f"{path} already exists; choose another name or add --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(policy_toml.render(Policy()), encoding="utf-8")
    return Outcome(f"wrote {path}: every policy default with comments; edit it, then `gradecli policy check {path}`",
                   {"path": str(path)})


def show(policy: Policy) -> Outcome:
    return Outcome("policy in force", {"policy": policy.model_dump(mode="json"), "toml": policy_toml.render(policy)})


def check(path: Path) -> Outcome:
    policy_toml.load(path)
    return Outcome(f"{path}: policy is valid", {"path": str(path), "ok": True})
