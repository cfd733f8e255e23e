"""The official holiday schedules for 2025 and 2026 (放假调休安排), as the State Council
published them. Later years are added by staff on the 工作日历 page when the notice for
that year appears (usually in November of the year before); nothing is guessed here.

Sources (the notices' own wording, reproduced by Xinhua/新华社):
- 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 2024-11-12),
  e.g. https://m.gmw.cn/2024-11/12/content_1303894933.htm
- 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04),
  e.g. https://politics.gmw.cn/2025-11/04/content_38391083.htm

Every day of each official span is stored with the holiday's name, weekend days inside a
span included, so the calendar can name them; for working-day counting only the weekdays
in a span and the make-up working days (调休上班) change anything.
"""

import datetime as dt

from django.db import migrations

# (first day, last day, name) of each span off; then the make-up working days.
HOLIDAYS = [
    # 2025 — 一、元旦：1月1日（周三）放假1天，不调休。
    ("2025-01-01", "2025-01-01", "元旦"),
    # 二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。
    ("2025-01-28", "2025-02-04", "春节"),
    # 三、清明节：4月4日（周五）至6日（周日）放假，共3天。
    ("2025-04-04", "2025-04-06", "清明节"),
    # 四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。
    ("2025-05-01", "2025-05-05", "劳动节"),
    # 五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
    ("2025-05-31", "2025-06-02", "端午节"),
    # 六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。
    ("2025-10-01", "2025-10-08", "国庆节、中秋节"),
    # 2026 — 一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。
    ("2026-01-01", "2026-01-03", "元旦"),
    # 二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
    ("2026-02-15", "2026-02-23", "春节"),
    # 三、清明节：4月4日（周六）至6日（周一）放假，共3天。
    ("2026-04-04", "2026-04-06", "清明节"),
    # 四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。
    ("2026-05-01", "2026-05-05", "劳动节"),
    # 五、端午节：6月19日（周五）至21日（周日）放假，共3天。
    ("2026-06-19", "2026-06-21", "端午节"),
    # 六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
    ("2026-09-25", "2026-09-27", "中秋节"),
    # 七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。
    ("2026-10-01", "2026-10-07", "国庆节"),
]

MAKEUP_WORKDAYS = [
    # 2025
    ("2025-01-26", "春节调休上班"),  # 1月26日（周日）上班
    ("2025-02-08", "春节调休上班"),  # 2月8日（周六）上班
    ("2025-04-27", "劳动节调休上班"),  # 4月27日（周日）上班
    ("2025-09-28", "国庆节、中秋节调休上班"),  # 9月28日（周日）上班
    ("2025-10-11", "国庆节、中秋节调休上班"),  # 10月11日（周六）上班
    # 2026
    ("2026-01-04", "元旦调休上班"),  # 1月4日（周日）上班
    ("2026-02-14", "春节调休上班"),  # 2月14日（周六）上班
    ("2026-02-28", "春节调休上班"),  # 2月28日（周六）上班
    ("2026-05-09", "劳动节调休上班"),  # 5月9日（周六）上班
    ("2026-09-20", "国庆节调休上班"),  # 9月20日（周日）上班
    ("2026-10-10", "国庆节调休上班"),  # 10月10日（周六）上班
]


def official_days():
    for first, last, name in HOLIDAYS:
        day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        while day <= end:
            yield day, False, name
            day += dt.timedelta(days=1)
    for day, name in MAKEUP_WORKDAYS:
        yield dt.date.fromisoformat(day), True, name


def load(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=day, is_workday=is_workday, name=name) for day, is_workday, name in official_days()]
    )


def unload(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarDay.objects.filter(date__in=[day for day, _, _ in official_days()]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_calendarday")]

    operations = [migrations.RunPython(load, unload)]
