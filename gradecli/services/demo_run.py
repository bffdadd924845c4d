"""The demo use case: a fresh database, the sample organisation, the story, a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from gradecli.domain.policy import Policy
from gradecli.i18n import Msg, N_
from gradecli.services.context import Context
from gradecli.services.results import Listing, Outcome


def run_demo(db_url: str | None, policy: Policy, out: Path,
             on_new_database: Callable[[Path], None] | None = None) -> tuple[Outcome, Listing]:
    from gradecli import demo
    from gradecli.services import ladder
    from gradecli.store.db import resolve_url

    out.mkdir(parents=True, exist_ok=True)
    if db_url is None:
        db_file = out / "demo.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_file) + suffix).unlink(missing_ok=True)
        db_url = f"sqlite:///{db_file}"
    ctx = Context(url=resolve_url(db_url), policy=policy, on_new_database=on_new_database)
    report = demo.run(ctx, out)
    lad = ladder.show(ctx)
    summary = Outcome(Msg("demo finished: {count} sheets, notices and papers in {folder}/ — open {index} (database "
                          "{database})", count=len(set(report.files)), folder=out, index=out / "index.html",
                          database=db_url),
                      {"steps": [{"step": s} for s in report.steps],
                       "files": [{"file": str(f)} for f in sorted(set(report.files), key=str)]},
                      labels={"steps": N_("What happened"), "step": N_("step"), "files": N_("Files written"),
                              "file": N_("file")})
    return summary, lad
