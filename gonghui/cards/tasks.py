from django.core.cache import cache
from huey.contrib.djhuey import db_task

from gonghui.accounts.models import Staff
from gonghui.cards.services import card_issue_bulk
from gonghui.core.scoping import scopes_disabled, user_scope
from gonghui.orgs.models import Unit


def progress_key(unit_id: int) -> str:
    return f"card-bulk:{unit_id}"


@db_task()
def issue_cards_for_unit(staff_id: int, unit_id: int):
    with scopes_disabled():
        staff = Staff.objects.select_related("unit").get(pk=staff_id)
    with user_scope(staff):
        unit = Unit.objects.get(pk=unit_id)  # in the starter's scope, or not at all
        cache.set(progress_key(unit_id), {"state": "running", "issued": 0}, 3600)
        issued = card_issue_bulk(
            by=staff,
            unit=unit,
            progress=lambda n: cache.set(progress_key(unit_id), {"state": "running", "issued": n}, 3600),
        )
        cache.set(progress_key(unit_id), {"state": "done", "issued": issued}, 3600)
