"""Policy file use cases: write the commented defaults, show, check."""

from __future__ import annotations

from pathlib import Path

from gradecli.domain.errors import BadInput
from gradecli.domain.policy import Policy
from gradecli.formats import policy_toml
from gradecli.i18n import Msg
from gradecli.services.results import Outcome


def init(path: Path, *, force: bool = False) -> Outcome:
    """Every default as a commented TOML file; the comments are in the run's language."""
    if path.exists() and not force:
        raise BadInput(Msg("{file} already exists; choose another name or add --force to overwrite it", file=str(path)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(policy_toml.render(Policy()), encoding="utf-8")
    return Outcome(Msg("wrote {file}: every policy default with comments; edit it, then `gradecli policy check {file}`",
                       file=str(path)), {"path": str(path)})


def show(policy: Policy) -> Outcome:
    """The policy in force, for scripts: every key with its value (the same in every language)."""
    return Outcome(Msg("policy in force"), {"policy": policy.model_dump(mode="json")})


def as_toml(policy: Policy) -> str:
    """The policy in force as the commented TOML a person reads (comments in the run's language)."""
    return policy_toml.render(policy)


def check(path: Path) -> Outcome:
    policy_toml.load(path)
    return Outcome(Msg("{file}: policy is valid", file=str(path)), {"path": str(path), "ok": True})
