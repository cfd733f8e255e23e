import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_in_process_consumer_knows_every_apps_tasks():
    """`manage.py serve` consumes the queue inside the web process; it must register the
    tasks of every app, not only those some request happened to import."""
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'gonghui.settings'); django.setup();"
        "from gonghui.core.management.commands.serve import in_process_consumer;"
        "from huey.contrib.djhuey import HUEY; in_process_consumer();"
        "print('\\n'.join(HUEY._registry._registry))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "gonghui.imports.tasks.validate_job" in result.stdout
    assert "gonghui.imports.tasks.run_job" in result.stdout
