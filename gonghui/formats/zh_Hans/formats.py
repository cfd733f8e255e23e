# Django's zh-Hans locale has no digit grouping; statistics pages need 1,234,567.
from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
