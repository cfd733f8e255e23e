import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_staff
from gonghui.core.scoping import scope
from gonghui.kiosk import services
from gonghui.portal.sms import ConsoleBackend


@pytest.fixture(autouse=True)
def outbox():
    ConsoleBackend.outbox.clear()
    yield ConsoleBackend.outbox
    ConsoleBackend.outbox.clear()


@pytest.fixture
def station_worker(city):
    """The user in the right unit: a social worker of 建外街道 (朝阳区)."""
    return make_staff(city.chaoyang_station, "social_worker", username="cy_station_sw")


def in_days(days: int, hour: int = 9) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def publish(by, unit, **over):
    fields = {
        "unit": unit,
        "kind": "legal",
        "starts_at": in_days(2),
        "ends_at": in_days(2, 10),
        "capacity": 2,
        "counsellor": "李律师",
        "location": "建外街道工会服务站调解室",
    }
    fields.update(over)
    with scope(org=by.unit.path):
        return services.slot_publish(by=by, **fields)


@pytest.fixture
def slot(city, station_worker):
    return publish(station_worker, city.chaoyang_station)


@pytest.fixture
def kiosk_cy(city, station_worker):
    with scope(org=station_worker.unit.path):
        kiosk = services.kiosk_create(
            by=station_worker, name="建外枫桥智能舱", unit=city.chaoyang_station, code="cy-kiosk"
        )
        token = services.kiosk_token_create(by=station_worker, kiosk=kiosk)
    kiosk.raw_token = token
    return kiosk
