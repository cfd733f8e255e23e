from gonghui.cards.tests.test_services import card, clerk, venue  # noqa: F401 - shared fixtures
