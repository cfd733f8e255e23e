"""Card verification at a venue alone: ``bench/run.py --only verify --reuse`` under its old name.

    .venv/bin/python bench/card_verify.py --members 100000 --clients 8 --seconds 15

The measurement itself (POST /api/v1/venue/verify to gunicorn against the same transaction
as bare SQL over psycopg) lives in run.py with the other hot paths.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import run

if __name__ == "__main__":
    run.main(["--only", "verify", "--reuse", *sys.argv[1:]])
