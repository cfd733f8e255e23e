import pytest

from gonghui.portal.sms import ConsoleBackend


@pytest.fixture(autouse=True)
def outbox():
    ConsoleBackend.outbox.clear()
    yield ConsoleBackend.outbox
    ConsoleBackend.outbox.clear()
