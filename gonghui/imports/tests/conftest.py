"""The steps of an import as a clerk takes them: upload (checked at once by the background
task, which runs immediately in tests), confirm."""

import pytest

from conftest import make_staff
from gonghui.core.scoping import user_scope
from gonghui.imports import services
from gonghui.imports.tests.sheets import job_of


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def worker(city):
    """A social worker of the 朝阳 street station (may import, may not reveal)."""
    return make_staff(city.chaoyang_station, "social_worker", username="cy_sw")


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Upload a file as ``by``; the check runs (tasks are immediate in tests) on commit."""

    def _upload(by, file, kind="members"):
        with django_capture_on_commit_callbacks(execute=True), user_scope(by):
            job = services.import_job_create(by=by, kind=kind, uploaded_file=file)
        return job_of(job)

    return _upload


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    def _confirm(by, job, only_valid=False):
        with django_capture_on_commit_callbacks(execute=True), user_scope(by):
            services.import_job_confirm(by=by, job=job, only_valid=only_valid)
        return job_of(job)

    return _confirm
