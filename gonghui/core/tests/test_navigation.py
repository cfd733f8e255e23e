"""The workspace navigation shows what the user may open and marks exactly one item as
the current page."""

import re

import pytest

from conftest import login

pytestmark = pytest.mark.django_db


def current_items(body):
    return re.findall(r'class="sidenav-link sidenav-link--(\w+)" aria-current="page"', body)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("/", "home"),
        ("/appeals/", "appeals"),
        ("/appeals/alerts/", "appeal_alerts"),
        ("/appeals/analysis/", "appeal_analysis"),
        ("/hardship/programmes/", "hardship"),
        ("/fund/check/", "fund"),
    ],
)
def test_one_item_is_current(client, district_officer, url, key):
    login(client, district_officer)
    response = client.get(url)
    assert response.status_code == 200
    assert current_items(response.content.decode()) == [key]


def test_items_follow_permissions(client, city):
    from conftest import make_staff

    lawyer = make_staff(city.chaoyang, "lawyer", username="cy_nav_lawyer")
    login(client, lawyer)
    body = client.get("/mediation/").content.decode()
    assert "sidenav-link--mediation_own" in body and "sidenav-link--fund" not in body
