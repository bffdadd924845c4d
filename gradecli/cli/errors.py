"""The one place where an error becomes `Error: …` lines on stderr and an exit code."""

from __future__ import annotations

import sys

import typer.core

from gradecli.domain.errors import GradecliError

RETRY_HINT = ("the database is busy: another gradecli is writing to it; nothing was written — "
              "run the command again in a moment")


def print_errors(lines: list[str]) -> None:
    for line in lines:
        sys.stderr.write(f"Error: {line}\n")


class GradecliGroup(typer.core.TyperGroup):
    """Runs a command and turns gradecli's exceptions into messages and exit codes."""

    def invoke(self, ctx):  # noqa: ANN001, ANN201
        try:
            return super().invoke(ctx)
        except GradecliError as exc:
            print_errors(exc.lines())
            ctx.exit(exc.exit_code)
        except Exception as exc:  # database errors arrive as SQLAlchemy exceptions
            if type(exc).__module__.startswith("sqlalchemy"):
                text = str(getattr(exc, "orig", exc))
                if "locked" in text or "could not obtain lock" in text or "deadlock" in text:
                    print_errors([RETRY_HINT])
                    ctx.exit(1)
                if "connect" in text.lower() and "refused" in text.lower():
                    print_errors([f"cannot reach the database: {text.strip()} (check --db / GRADECLI_DATABASE_URL)"])
                    ctx.exit(2)
            raise
