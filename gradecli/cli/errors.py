"""The one place where an error becomes `Error: …` lines on stderr and an exit code. Whatever
goes wrong, a person sees one plain line per problem, never a Python traceback."""

from __future__ import annotations

import errno
import os
import sys

import typer
import typer.core

from gradecli.domain.errors import GradecliError
from gradecli.i18n import N_, Msg, Reason

try:  # Typer ≥ 0.20 carries its own click
    from typer.exceptions import TyperException as UsageProblem
except ImportError:  # pragma: no cover - older Typer on click
    from click import ClickException as UsageProblem

DEBUG_ENV = "GRADECLI_DEBUG"  # set to 1 to see the traceback of an unexpected failure


def print_errors(lines: list) -> None:
    from gradecli.i18n import _, render

    for line in lines:
        sys.stderr.write(_("Error: {problem}").format(problem=render(line)) + "\n")


class GradecliGroup(typer.core.TyperGroup):
    """Runs a command and turns gradecli's exceptions into messages and exit codes; before anything
    is printed, the run's language is chosen and Typer's own words are routed to the catalogue."""

    def main(self, args=None, *a, **kw):  # noqa: ANN001, ANN002, ANN003, ANN201
        from gradecli.cli import locale

        locale.choose(sys.argv[1:] if args is None else args)
        locale.install()
        return super().main(args, *a, **kw)

    def invoke(self, ctx):  # noqa: ANN001, ANN201
        try:
            return super().invoke(ctx)
        except GradecliError as exc:
            print_errors(exc.lines())
            ctx.exit(exc.exit_code)
        except (typer.Exit, typer.Abort, UsageProblem):
            raise  # exit codes, Ctrl-C and usage errors: click reports them
        except Exception as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            line, code = _explain(exc, ctx)
            print_errors([line])
            ctx.exit(code)


def _explain(exc: Exception, ctx) -> tuple[Msg, int]:  # noqa: ANN001
    """A database error, a file the system refused, or (last) a fault of gradecli itself."""
    if type(exc).__module__.startswith("sqlalchemy"):
        from gradecli.store.db import busy_hint, database_problem, is_busy, resolve_url

        if is_busy(exc):
            return busy_hint(), 1
        return database_problem(exc, resolve_url(getattr(ctx.obj, "db", None))), 2
    if isinstance(exc, OSError) and exc.filename:
        return Reason("file_refused", "{file}: {reason}; close the file if Excel has it open, check the name and that "
                      "you may read and write there, then try again", file=str(exc.filename),
                      reason=_system_reason(exc)), 2
    # the exception's own text is a programmer's, in English: it is shown as it is, for the report
    return Reason("unexpected", "unexpected {kind}: {error} — a fault in gradecli, not in your input; please report it "
                  "with the command you ran ({variable}=1 shows the details)", kind=type(exc).__name__,
                  error=str(exc), variable=DEBUG_ENV), 1


# what the system says about a file, by errno, in the run's language (other errors: the system's words)
SYSTEM_REASONS = {
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("operation not permitted"),
    errno.ENOENT: N_("no such file or folder"),
    errno.ENOTDIR: N_("a part of the path is a file, not a folder"),
    errno.EISDIR: N_("it is a folder, not a file"),
    errno.ENOSPC: N_("no space left on the disk"),
    errno.EROFS: N_("the disk is read-only"),
    errno.EEXIST: N_("a file or folder of this name is in the way"),
    errno.ENAMETOOLONG: N_("the name is too long"),
}


def _system_reason(exc: OSError) -> Msg | str:
    msgid = SYSTEM_REASONS.get(exc.errno)  # type: ignore[arg-type]
    return Msg(msgid) if msgid else (exc.strerror or str(exc)).lower()
