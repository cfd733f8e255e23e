import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
application = get_wsgi_application()

# Import the URLconf — every view, the API and the services behind them — when the server
# loads the application, not inside the first request each worker serves (0.8 s of CPU,
# measured: a stall in the middle of traffic after every restart). Under gunicorn --preload
# this happens once, in the master, and the forked workers share it.
get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect
