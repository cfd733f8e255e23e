"""What checking a file produces: per row, either something to write or a list of problems
(column, reason); for the job, a capped list of problems and a map of the rows that failed."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings

BATCH_ROWS = 2000  # rows checked against the database, written and reported at a time
MAX_REPORTED_ERRORS = 2000


def max_reported_errors() -> int:
    return getattr(settings, "GONGHUI_IMPORT_MAX_REPORTED_ERRORS", MAX_REPORTED_ERRORS)


@dataclass
class Checked:
    row: int
    payload: object = None
    problems: list = field(default_factory=list)  # [(column label, reason)]

    def problem(self, column: str, reason) -> None:
        self.problems.append((column, str(reason)))


def batches(rows: Iterable, size: int = BATCH_ROWS) -> Iterator[list]:
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def mark(bitmap: bytearray, row: int) -> None:
    byte = row >> 3
    if byte >= len(bitmap):
        bitmap.extend(b"\0" * (byte + 1 - len(bitmap)))
    bitmap[byte] |= 1 << (row & 7)


def is_marked(bitmap: bytes, row: int) -> bool:
    byte = row >> 3
    return byte < len(bitmap) and bool(bitmap[byte] & (1 << (row & 7)))


class Report:
    def __init__(self, cap: int | None = None):
        self.cap = max_reported_errors() if cap is None else cap
        self.errors: list[dict] = []
        self.truncated = False
        self.total_rows = self.valid_rows = self.error_rows = 0
        self.error_map = bytearray()

    def add(self, results: Iterable[Checked]) -> None:
        for result in results:
            self.total_rows += 1
            if not result.problems:
                self.valid_rows += 1
                continue
            self.error_rows += 1
            mark(self.error_map, result.row)
            self.note(result)

    def note(self, result: Checked, template: str = "%(reason)s") -> None:
        for column, reason in result.problems:
            if len(self.errors) >= self.cap:
                self.truncated = True
                return
            self.errors.append({"row": result.row, "column": column, "reason": template % {"reason": reason}})
