from django.conf.locale.en.formats import *  # noqa: F403
