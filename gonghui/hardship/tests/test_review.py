"""Correcting a file and the yearly review: the edit page keeps stored ID numbers it never
shows, and the scheduler reminds the station before the review falls due and once more
when it is overdue."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import login
from gonghui.core.scoping import scopes_disabled
from gonghui.hardship import services
from gonghui.hardship.models import FileEvent, FileStatus, HardshipFile
from gonghui.hardship.tasks import hardship_review_sweep
from gonghui.hardship.tests.conftest import approved_file, file_household

pytestmark = pytest.mark.django_db

SPOUSE_ID = "110105198001010016"


def reload(file):
    with scopes_disabled():
        return HardshipFile.objects.get(pk=file.pk)


def reminders(file):
    with scopes_disabled():
        return list(FileEvent.objects.filter(file=file, by__isnull=True).values_list("note", flat=True))


def test_the_edit_page_recomputes_the_category_and_keeps_the_stored_id_number(client, city, station_worker, threshold):
    file = file_household(
        city,
        station_worker,
        member_income="1000",
        household=[
            {"name": "李梅", "relation": "spouse", "status": "ill", "monthly_income": "0", "id_number": SPOUSE_ID}
        ],
    )
    with scopes_disabled():
        spouse = file.household.get()
    login(client, station_worker)
    page = client.get(f"/hardship/{file.pk}/edit/").content.decode()
    assert SPOUSE_ID not in page and spouse.id_number_masked in page

    response = client.post(
        f"/hardship/{file.pk}/edit/",
        {
            "member_income": "9000",
            "medical_expense": "0",
            "education_expense": "0",
            "causes": ["illness"],
            "h-TOTAL_FORMS": "3",
            "h-INITIAL_FORMS": "1",
            "h-0-name": "李梅",
            "h-0-relation": "spouse",
            "h-0-status": "ill",
            "h-0-monthly_income": "0",
            "h-0-id_number": "",
            "h-0-existing": str(spouse.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    file = reload(file)
    assert file.member_income == 9000 and file.monthly_income == 9000
    with scopes_disabled():
        kept = file.household.get()
    assert kept.id_number_masked == spouse.id_number_masked and bytes(kept.id_number_hash) == bytes(
        spouse.id_number_hash
    )
    assert file.category != "deep"  # 4,500 a head is no longer deep hardship


def test_the_edit_page_refuses_negative_income_and_changes_nothing(client, city, station_worker, threshold):
    file = file_household(city, station_worker, member_income="1000")
    login(client, station_worker)
    response = client.post(
        f"/hardship/{file.pk}/edit/",
        {"member_income": "-1", "causes": ["illness"], "h-TOTAL_FORMS": "0", "h-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 200 and "金额不能为负数" in response.content.decode()
    assert reload(file).member_income == 1000


def test_an_approved_file_cannot_be_edited_until_its_review_starts(
    client, city, station_worker, district_approver, threshold
):
    file = approved_file(city, station_worker, district_approver)
    login(client, station_worker)
    response = client.get(f"/hardship/{file.pk}/edit/", follow=True)
    assert "不能修改" in response.content.decode()
    with scopes_disabled():
        services.file_review_start(by=station_worker, file=reload(file))
    assert client.get(f"/hardship/{file.pk}/edit/").status_code == 200
    assert 'id="edit-file"' in client.get(f"/hardship/{file.pk}/").content.decode()


def test_the_scheduler_reminds_once_before_the_review_and_once_when_overdue(
    city, station_worker, district_approver, threshold
):
    file = approved_file(city, station_worker, district_approver)
    due = reload(file).review_due_on
    assert due == services._one_year_after(timezone.localdate())

    assert services.hardship_review_remind(today=due - dt.timedelta(days=45)) == {"reminded": 0, "overdue": 0}
    assert services.hardship_review_remind(today=due - dt.timedelta(days=30)) == {"reminded": 1, "overdue": 0}
    assert services.hardship_review_remind(today=due - dt.timedelta(days=20)) == {"reminded": 0, "overdue": 0}
    assert services.hardship_review_remind(today=due) == {"reminded": 0, "overdue": 0}
    assert services.hardship_review_remind(today=due + dt.timedelta(days=1)) == {"reminded": 0, "overdue": 1}
    assert services.hardship_review_remind(today=due + dt.timedelta(days=9)) == {"reminded": 0, "overdue": 0}
    notes = reminders(file)
    assert len(notes) == 2 and "将于" in notes[0] and "已于" in notes[1]

    # The review starts: no more reminders; approved again, the next year's cycle begins.
    with scopes_disabled():
        services.file_review_start(by=station_worker, file=reload(file))
    assert services.hardship_review_remind(today=due + dt.timedelta(days=20)) == {"reminded": 0, "overdue": 0}
    assert reload(file).status == FileStatus.UNDER_REVIEW


def test_the_periodic_task_runs_the_sweep(city, station_worker, district_approver, threshold):
    file = approved_file(city, station_worker, district_approver)
    with scopes_disabled():
        HardshipFile.objects.filter(pk=file.pk).update(review_due_on=timezone.localdate() + dt.timedelta(days=3))
    hardship_review_sweep.call_local()
    assert len(reminders(file)) == 1


def test_the_file_page_shows_the_system_reminder(client, city, station_worker, district_approver, threshold):
    file = approved_file(city, station_worker, district_approver)
    services.hardship_review_remind(today=reload(file).review_due_on - dt.timedelta(days=10))
    login(client, station_worker)
    body = client.get(f"/hardship/{file.pk}/").content.decode()
    assert "系统提醒" in body and "年度复核将于" in body
