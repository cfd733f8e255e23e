import io

import pytest
from django.core.management import call_command

from gonghui.cards.models import Benefit, Card, Venue
from gonghui.cards.services import card_number_valid
from gonghui.core.scoping import scopes_disabled


@pytest.mark.django_db
def test_demo_city_with_members_has_venues_benefits_and_valid_cards():
    call_command("seed_city", scale=0.02, members=300, stdout=io.StringIO())
    call_command("seed_city", scale=0.02, members=300, stdout=io.StringIO())  # again: nothing doubles
    with scopes_disabled():
        assert Venue.objects.count() == 4 and Benefit.objects.count() == 4
        numbers = list(Card.objects.values_list("number", flat=True))
    assert 0 < len(numbers) <= 300 and all(card_number_valid(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
