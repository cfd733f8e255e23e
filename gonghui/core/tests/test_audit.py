import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from gonghui.core.audit import audit_record, audit_verify
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.core.scoping import scopes_disabled


@pytest.fixture
def chain(db):
    with scopes_disabled():
        for i in range(5):
            audit_record(actor=None, action=AuditAction.UPDATE, actor_name=f"u{i}", changes={"n": [i, i + 1]})
    return 5


def test_entries_are_chained_and_the_chain_verifies(chain):
    with scopes_disabled():
        entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    for prev, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev_hash == prev.hash
    report = audit_verify()
    assert report.ok and report.checked == 5


def test_verify_command_reports_intact_chain(chain, capsys):
    call_command("audit_verify")
    assert "5" in capsys.readouterr().out


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _tamper(sql, params=()):
    """Rewrite history the way an attacker with the database owner's rights would: on
    PostgreSQL by switching the append-only trigger off first."""
    if connection.vendor == "postgresql":
        _raw("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
    _raw(sql, params)


def test_an_edited_entry_breaks_the_chain(chain):
    _tamper("UPDATE core_auditentry SET changes = %s WHERE seq = 3", ['{"n": [0, 99]}'])
    report = audit_verify()
    assert not report.ok and report.first_bad_seq == 3
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="#3"):
        call_command("audit_verify")


def test_a_deleted_entry_breaks_the_chain(chain):
    _tamper("DELETE FROM core_auditentry WHERE seq = 2")
    report = audit_verify()
    assert not report.ok and report.first_bad_seq == 2


def test_entries_removed_from_the_end_are_noticed(chain):
    _tamper("DELETE FROM core_auditentry WHERE seq = 5")
    report = audit_verify()
    assert not report.ok and report.problem == "entries removed from the end"


@pytest.mark.postgres
@pytest.mark.parametrize("sql", ["UPDATE core_auditentry SET note = 'x' WHERE seq = 1", "DELETE FROM core_auditentry"])
def test_postgres_refuses_to_rewrite_the_audit_trail(chain, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw(sql)
    assert audit_verify().ok


def test_audit_entry_records_origin_and_scope(client, city, district_officer):
    from conftest import login

    login(client, district_officer)
    client.post("/accounts/logout/", HTTP_USER_AGENT="pytest-agent", REMOTE_ADDR="10.1.2.3")
    with scopes_disabled():
        entry = AuditEntry.objects.filter(action=AuditAction.LOGOUT).get()
    assert entry.actor_id == district_officer.pk
    assert entry.ip == "10.1.2.3"
    assert entry.user_agent == "pytest-agent"
    assert entry.scope_path == city.chaoyang.path
    assert entry.at.tzinfo is not None


def test_audit_log_reads_in_field_labels(client, city):
    from conftest import login, make_staff
    from gonghui.core.scoping import scope
    from gonghui.orgs import services

    admin = make_staff(city.chaoyang, "unit_admin")
    with scope(org=city.chaoyang.path):
        services.employer_update(by=admin, employer=city.employer_cy, headcount=41, industry="F")
    auditor = make_staff(city.chaoyang, "auditor")
    login(client, auditor)
    body = client.get("/audit/?object_type=orgs.employer").content.decode()
    assert "职工人数" in body and "41" in body
    assert "批发和零售业" in body  # the choice label, not "F"
    assert "北京中关村软件有限公司" not in body  # another district's events stay out
