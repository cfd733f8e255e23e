"""Default deadlines (accept in 1 working day, reply in 5, resolve in 15; complex matters
1/10/30; wage arrears replied to within 3) and the early-warning thresholds from the issue
(3 appeals about one employer in 7 days, 10+ workers, collective-action words, 3 appeals
from one worker in 30 days). City staff change them in the workspace."""

from django.db import migrations

POLICIES = [
    ("", "normal", 1, 5, 15, 1),
    ("", "complex", 1, 10, 30, 2),
    ("wage_arrears", "normal", 1, 3, 10, 1),
]

RULES = [
    ("same_employer", 3, 7, "", ""),
    ("many_workers", 10, 1, "", ""),
    (
        "keywords",
        1,
        15,
        "集体上访\n集体讨薪\n停工\n罢工\n堵门\n堵路\n拉横幅\n围堵\n聚集\n跳楼\n爬塔吊\n群体",
        "欠薪\n拖欠工资\n工资没发\n讨薪",
    ),
    ("repeat_worker", 3, 30, "", ""),
]


def load(apps, schema_editor):
    DeadlinePolicy = apps.get_model("appeals", "DeadlinePolicy")
    AlertRule = apps.get_model("appeals", "AlertRule")
    for category, difficulty, accept, reply, resolve, remind in POLICIES:
        DeadlinePolicy.objects.get_or_create(
            category=category,
            difficulty=difficulty,
            defaults={"accept_days": accept, "reply_days": reply, "resolve_days": resolve, "remind_days": remind},
        )
    for kind, threshold, window, words, holiday_words in RULES:
        AlertRule.objects.get_or_create(
            kind=kind,
            defaults={
                "threshold": threshold,
                "window_days": window,
                "keywords": words,
                "holiday_keywords": holiday_words,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
