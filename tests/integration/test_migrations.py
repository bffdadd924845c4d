from gradecli.services import admin
from gradecli.store import migrate
from gradecli.store.db import make_engine


def test_empty_database_upgrades_to_head_without_drift(db_url):
    engine = make_engine(db_url)
    assert migrate.current_revision(engine) is None
    before, after = migrate.upgrade(engine)
    assert before is None and after == migrate.head_revision()
    assert migrate.drift(engine) == []
    engine.dispose()


def test_db_check_reports_an_empty_database_then_passes(ctx):
    ctx.auto_upgrade = False
    result = admin.check(ctx)
    assert result.exit_code == 1 and "run `gradecli db upgrade`" in result.notes[0]
    assert admin.upgrade(ctx).data["after"] == migrate.head_revision()
    assert admin.check(ctx).exit_code == 0
    assert "already at" in admin.upgrade(ctx).summary


def test_first_use_upgrades_automatically(ctx):
    from gradecli.services import staff

    assert staff.list_staff(ctx).rows == []
    assert migrate.current_revision(ctx.engine) == migrate.head_revision()
