from django.db import migrations, models
from django.db.models import Count

HELD = ("issued", "active", "lost", "frozen")  # cards.models.HELD when this was written


def count_held_cards(apps, schema_editor):
    """Each unit's held cards, counted once from the cards as they are."""
    Card = apps.get_model("cards", "Card")
    UnitCounts = apps.get_model("orgs", "UnitCounts")
    rows = Card.objects.filter(status__in=HELD).values("member__unit_id").annotate(n=Count("id"))
    for row in rows.order_by("member__unit_id"):
        updated = UnitCounts.objects.filter(unit_id=row["member__unit_id"]).update(cards=row["n"])
        if not updated:
            UnitCounts.objects.create(unit_id=row["member__unit_id"], cards=row["n"])


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
        ("cards", "0002_alter_benefit_eligibility"),
    ]

    operations = [
        migrations.AddField(
            model_name="unitcounts",
            name="cards",
            field=models.BigIntegerField(db_default=0, default=0),
        ),
        migrations.RunPython(count_held_cards, migrations.RunPython.noop),
    ]
