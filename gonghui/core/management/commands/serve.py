from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules
from huey.consumer import Consumer
from huey.contrib.djhuey import HUEY


class InProcessConsumer(Consumer):
    """Huey's consumer as threads inside this process: the web server keeps the main
    thread and its signal handling."""

    def _set_signal_handlers(self):
        pass


def in_process_consumer(workers: int = 2) -> InProcessConsumer:
    """A consumer for this process, with every app's tasks registered (as `run_huey` does)."""
    autodiscover_modules("tasks")
    return InProcessConsumer(HUEY, workers=workers, worker_type="thread", periodic=True)


class Command(BaseCommand):
    help = (
        "Serve the embedded default: Django's server plus the background task consumer in the same "
        "process. 内嵌模式：同一进程内运行网站和后台任务。Production uses gunicorn and `run_huey` instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, addrport, workers, **options):
        if not HUEY.immediate:
            in_process_consumer(workers).start()
            self.stdout.write(f"Background tasks: {workers} in-process worker threads. 后台任务已在本进程中运行。")
        call_command("runserver", addrport, use_reloader=False)
