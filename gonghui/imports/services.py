"""Import jobs: upload, check, confirm, write, cancel.

The rule the whole module keeps: nothing is written from a file with errors unless the user
chose to import only the valid rows, and then exactly the rows they were shown as valid.
Checking writes nothing to the register; writing happens in one transaction, so a failure
half-way leaves nothing behind.
"""

import gc
import json
import logging
import pickle
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import PurePath

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.scoping import scopes_disabled
from gonghui.imports.columns import read_header
from gonghui.imports.employers import EmployerImporter
from gonghui.imports.members import MemberImporter
from gonghui.imports.models import NEXT_STATUSES, ImportJob, ImportKind, ImportStatus
from gonghui.imports.readers import FileProblem, max_rows, open_table
from gonghui.imports.report import Checked, Report, batches, is_marked

log = logging.getLogger(__name__)

IMPORTERS = {ImportKind.MEMBERS: MemberImporter, ImportKind.EMPLOYERS: EmployerImporter}
PROGRESS_TTL = 24 * 3600
PROGRESS_EVERY = 1.0  # seconds between progress updates while checking
# Rows rechecked and written at a time: each batch costs a few round trips (the rechecks,
# the ids, two COPYs), and a bigger one waits less on them.
WRITE_ROWS = 10_000


def progress_key(job_id) -> str:
    return f"import-progress:{job_id}"


def check_import_permission(by, kind) -> None:
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise ValidationError({"kind": _("请选择导入内容。")})
    if by is None or not all(by.can(p) for p in importer.permissions):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _too_many_rows(n) -> FileProblem:
    return FileProblem(
        _("文件的数据行超过单次导入上限 %(max)s 行，请拆分后分批导入。") % {"max": f"{max_rows():,}"}
        if n is None
        else _("文件有 %(n)s 行数据，超过单次导入上限 %(max)s 行，请拆分后分批导入。")
        % {"n": f"{n:,}", "max": f"{max_rows():,}"}
    )


def import_job_create(*, by, kind: str, uploaded_file) -> ImportJob:
    """Store an uploaded file and queue it for checking. The file is looked at at once —
    its type by content, its header, whether it has any data — so the common mistakes are
    answered on the upload form and not after a wait."""
    check_import_permission(by, kind)
    if not by.unit_id:
        raise PermissionDenied(_("您的账号未绑定单位，不能导入数据。"))
    if uploaded_file is None:
        raise ValidationError({"file": _("请选择要上传的文件。")})
    name = PurePath(uploaded_file.name or "").name[:255]
    try:
        with open_table(uploaded_file, name) as table:
            header, _rows = read_header(table.rows(), IMPORTERS[kind].columns)
            estimated = max(table.estimated_rows - header.row, 1) if table.estimated_rows else 0
            # A CSV's line count is its row count; an .xlsx's stated size may include
            # formatted empty rows, so it is counted for real while checking.
            if table.format == "csv" and estimated > max_rows():
                raise _too_many_rows(estimated)
    except FileProblem as e:
        raise ValidationError({"file": e.message}) from None
    job = ImportJob(kind=kind, original_name=name, created_by=by, unit=by.unit, total_rows=estimated)
    uploaded_file.seek(0)
    # The stored name says nothing about the content (file names often carry people's names).
    job.file.save(f"{uuid.uuid4().hex}{PurePath(name).suffix.lower()}", uploaded_file, save=False)
    with transaction.atomic():
        job.save(force_insert=True)
        transaction.on_commit(lambda: _queue_check(job.pk))
    return job


# Background work is queued once the job's row is committed, so the worker finds it.
# (tasks.py imports this module, hence the imports inside.)
def _queue_check(job_id) -> None:
    from gonghui.imports.tasks import validate_job

    validate_job(job_id)


def _queue_write(job_id) -> None:
    from gonghui.imports.tasks import run_job

    run_job(job_id)


def _set_status(job_id, expected, new, **fields) -> bool:
    """Move a job from ``expected`` to ``new`` unless someone moved it first (a conditional
    UPDATE: no lock is held while a long check runs)."""
    assert new in NEXT_STATUSES[expected], (expected, new)
    with scopes_disabled():
        return bool(ImportJob.objects.filter(pk=job_id, status=expected).update(status=new, **fields))


def _discard_file(job: ImportJob) -> None:
    """The upload holds personal data in plain text: once the job is over it goes."""
    if job.file:
        try:
            checked = _checked_name(job)
            if job.file.storage.exists(checked):
                job.file.storage.delete(checked)
            job.file.delete(save=False)
        except OSError:
            log.warning("import job %s: could not delete %s", job.pk, job.file.name)
        with scopes_disabled():
            ImportJob.objects.filter(pk=job.pk).update(file="")


def _fail(job: ImportJob, expected, message: str, **fields) -> None:
    if _set_status(job.pk, expected, ImportStatus.FAILED, failure=message[:500], finished_at=timezone.now(), **fields):
        _discard_file(job)


def _open(job: ImportJob):
    try:
        fileobj = job.file.open("rb")
    except (OSError, ValueError):
        raise FileProblem(_("上传的文件已不存在，请重新上传。")) from None
    return fileobj


# The rows a check found valid, kept beside the upload (and deleted with it) so that writing
# them does not check every row a second time: one line of JSON per batch, each row as
# [row number, the importer's payload]. JSON, not pickle: it is read back from storage.
def _checked_name(job: ImportJob) -> str:
    return f"{job.file.name}.checked"


def _store_checked(job: ImportJob, spool) -> None:
    storage, name = job.file.storage, _checked_name(job)
    if storage.exists(name):
        storage.delete(name)
    storage.save(name, File(spool))


def _checked_batches(job: ImportJob, importer):
    """The checked rows, batch by batch, or None when the check kept none (a job checked
    before this was kept, or an importer that does not keep them)."""
    if not hasattr(importer, "decode_payload") or not job.file:
        return None
    storage, name = job.file.storage, _checked_name(job)
    if not storage.exists(name):
        return None

    def read():
        with storage.open(name, "rb") as fileobj:
            for line in fileobj:
                yield [(row, importer.decode_payload(payload)) for row, payload in json.loads(line)]

    return read()


@contextmanager
def _heap_frozen():
    """Keep the objects that exist before a long check or write out of the garbage
    collector's full passes. A check makes a few objects per row that live for a batch; the
    collector's full passes then walk the whole heap (the framework, the upload) again and
    again: a sixth of a 100,000-row check, measured. ``gc.freeze`` moves what exists now to
    a generation no pass visits; ``gc.unfreeze`` hands it back. A process that froze its
    heap for its own reasons (a pre-forking server) is left as it is."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _report_progress(job: ImportJob, processed: int) -> bool:
    """Record how far the check has got; False if the job is no longer being checked."""
    with scopes_disabled():
        return bool(
            ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATING).update(processed_rows=processed)
        )


def import_job_validate(*, job: ImportJob) -> None:
    """Check every row of the file and keep the report. Writes nothing to the register.

    Runs in the background in the uploader's organisation scope (see tasks.py)."""
    if not _set_status(job.pk, ImportStatus.UPLOADED, ImportStatus.VALIDATING, processed_rows=0):
        return
    report = Report()
    importer_class = IMPORTERS[job.kind]
    keeps_checked = hasattr(importer_class, "encode_payload")
    try:
        with (
            _heap_frozen(),
            _open(job) as fileobj,
            open_table(fileobj, job.original_name) as table,
            tempfile.TemporaryFile() as checked,
        ):
            header, rows = read_header(table.rows(), importer_class.columns)
            importer = importer_class(by=job.created_by, header=header, epoch=table.epoch, job=job)
            encode = importer.encode_payload if keeps_checked else None
            reported_at = time.monotonic()
            for batch in batches(rows):
                results = importer.check(batch)
                report.add(results)
                if report.total_rows > max_rows():
                    raise _too_many_rows(None)
                if keeps_checked:
                    valid = [[r.row, encode(r.payload)] for r in results if not r.problems]
                    checked.write(json.dumps(valid, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
                # The progress bar (and whether the job was cancelled) once a second, not
                # once a batch: each update is a commit, and a commit waits for the disk.
                if time.monotonic() - reported_at >= PROGRESS_EVERY:
                    if not _report_progress(job, report.total_rows):
                        return  # cancelled meanwhile
                    reported_at = time.monotonic()
            # Once more before keeping the checked rows: a job cancelled meanwhile has had
            # its upload deleted, and must not leave its rows behind.
            if not _report_progress(job, report.total_rows):
                return
            if keeps_checked:
                checked.seek(0)
                _store_checked(job, checked)
    except FileProblem as e:
        _fail(job, ImportStatus.VALIDATING, e.message)
        return
    except Exception:
        log.exception("import job %s: checking failed", job.pk)
        _fail(job, ImportStatus.VALIDATING, _("校验时出现系统错误，未写入任何数据。请稍后重试或联系系统管理员。"))
        raise
    _set_status(
        job.pk,
        ImportStatus.VALIDATING,
        ImportStatus.VALIDATED,
        total_rows=report.total_rows,
        valid_rows=report.valid_rows,
        error_rows=report.error_rows,
        processed_rows=report.total_rows,
        errors=report.errors,
        errors_truncated=report.truncated,
        error_row_map=bytes(report.error_map),
        validated_at=timezone.now(),
    )


def import_job_confirm(*, by, job: ImportJob, only_valid: bool) -> ImportJob:
    """The uploader confirms: all rows of a file without errors, or — the only choice for a
    file with errors — just its valid rows."""
    check_import_permission(by, job.kind)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update(of=("self",)).get(pk=job.pk)
        if locked.created_by_id != by.pk:
            raise PermissionDenied(_("只有上传该文件的人可以确认导入。"))
        if locked.status != ImportStatus.VALIDATED:
            raise ValidationError(_("该任务当前为“%(status)s”，不能导入。") % {"status": locked.get_status_display()})
        if locked.valid_rows == 0:
            raise ValidationError(_("文件中没有可导入的有效行。"))
        if locked.error_rows and not only_valid:
            raise ValidationError(
                _("文件中有 %(n)d 行有误：请选择“只导入有效行”，或修改文件后重新上传。") % {"n": locked.error_rows}
            )
        locked.status = ImportStatus.IMPORTING
        locked.only_valid = bool(only_valid)
        locked.confirmed_at = timezone.now()
        locked.processed_rows = 0
        locked.save(update_fields=["status", "only_valid", "confirmed_at", "processed_rows", "updated_at"])
        transaction.on_commit(lambda: _queue_write(locked.pk))
    return locked


def import_job_cancel(*, by, job: ImportJob) -> ImportJob:
    check_import_permission(by, job.kind)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update(of=("self",)).get(pk=job.pk)
        if ImportStatus.CANCELLED not in NEXT_STATUSES[locked.status]:
            raise ValidationError(_("该任务当前为“%(status)s”，不能取消。") % {"status": locked.get_status_display()})
        locked.status = ImportStatus.CANCELLED
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at", "updated_at"])
    _discard_file(locked)
    return locked


def import_job_expire(*, job: ImportJob) -> None:
    """Housekeeping (a system action): a checked file nobody confirmed is cancelled; a job
    whose worker stopped half-way (its transaction rolled back) is marked failed. Either
    way its file is deleted."""
    if job.status == ImportStatus.VALIDATED:
        if _set_status(
            job.pk,
            ImportStatus.VALIDATED,
            ImportStatus.CANCELLED,
            failure=_("超过7天未确认导入，已自动取消。"),
            finished_at=timezone.now(),
        ):
            _discard_file(job)
    elif job.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.IMPORTING):
        _fail(job, job.status, _("处理中断，未写入任何数据。请重新上传文件。"))


class RowsChanged(Exception):
    """Rows shown as valid no longer are (someone registered the same person meanwhile)."""

    def __init__(self, results: list[Checked]):
        super().__init__(len(results))
        self.results = results


def import_job_run(*, job: ImportJob) -> None:
    """Write the rows the user was shown as valid, all in one transaction.

    The rows come as the check left them (``_checked_batches``: checking is the slow part,
    and doing it twice made the import twice as slow). For a job checked before the check
    kept its rows, every row is checked again here, outside the transaction. Then, in one
    transaction, each batch is rechecked for what can have changed meanwhile — the person
    registered by another clerk, the union or employer closed or out of the uploader's
    scope — and written. A row that no longer passes is skipped and reported when the user
    chose only the valid rows; otherwise the job fails and nothing is written. (Members: the
    person registered meanwhile is first left to the unique index, and looked up row by row
    only when the index finds one — see below.)"""
    with scopes_disabled():
        job = ImportJob.objects.select_related("unit", "created_by").get(pk=job.pk)
    if job.status != ImportStatus.IMPORTING:
        return
    by = job.created_by
    importer_class = IMPORTERS[job.kind]
    if not all(by.can(p) for p in importer_class.permissions):
        _fail(job, ImportStatus.IMPORTING, _("上传人已没有导入权限，未写入任何数据。"))
        return
    shown_invalid = bytes(job.error_row_map or b"")
    key = progress_key(job.pk)
    try:
        with _heap_frozen(), tempfile.TemporaryFile() as spool:
            changed, skipped_early, to_write, processed = [], [], 0, 0
            with _open(job) as fileobj, open_table(fileobj, job.original_name) as table:
                header, rows = read_header(table.rows(), importer_class.columns)
                epoch = table.epoch
                importer = importer_class(by=by, header=header, epoch=epoch, job=job)
                kept = _checked_batches(job, importer) is not None
                if kept:
                    # The rows the check found valid, as it found them: what can have changed
                    # since is rechecked below, in the transaction.
                    processed, to_write = job.total_rows, job.valid_rows
                else:
                    for batch in batches(rows):
                        keep = []
                        for result in importer.check(batch):
                            if is_marked(shown_invalid, result.row):
                                continue  # shown as an error: never written
                            if not result.problems:
                                keep.append((result.row, result.payload))
                            elif job.only_valid:
                                skipped_early.append(result)
                            else:
                                changed.append(result)
                        pickle.dump(keep, spool, protocol=pickle.HIGHEST_PROTOCOL)
                        to_write += len(keep)
                        processed += len(batch)
                        cache.set(key, {"phase": "check", "done": processed, "total": job.total_rows}, PROGRESS_TTL)
            if changed:
                raise RowsChanged(changed)

            def write(importer, *, look_up_all: bool) -> None:
                if kept:
                    checked = _checked_batches(job, importer)
                else:
                    spool.seek(0)
                    checked = _unspool(spool)
                _write_checked(
                    job,
                    importer,
                    checked,
                    skipped_early,
                    to_write=to_write,
                    processed=processed,
                    key=key,
                    look_up_all=look_up_all,
                )

            # An importer whose table has a unique index on what its recheck looks up (members:
            # the ID number's hash) may leave that look-up to the index: a person registered
            # meanwhile then stops the write with an IntegrityError, the transaction is rolled
            # back whole, and the write is done once more with every look-up made — so such a
            # row is reported, or skipped, as if it had been looked up the first time.
            index_first = getattr(importer_class, "index_rechecks_registered", False)
            try:
                write(importer, look_up_all=not index_first)
            except IntegrityError:
                if not index_first:
                    raise
                log.info("import job %s: a row clashed while writing; writing again with every recheck", job.pk)
                write(importer_class(by=by, header=header, epoch=epoch, job=job), look_up_all=True)
        _discard_file(job)
    except RowsChanged as e:
        report = Report()
        for result in e.results:
            report.note(result, template=_("导入前复核：%(reason)s"))
        _fail(
            job,
            ImportStatus.IMPORTING,
            _("导入前复核发现 %(n)d 行已不再有效（例如已被他人登记），未写入任何数据。请重新上传文件。")
            % {"n": len(e.results)},
            errors=list(job.errors) + report.errors,
        )
    except FileProblem as e:
        _fail(job, ImportStatus.IMPORTING, e.message)
    except IntegrityError:
        _fail(
            job,
            ImportStatus.IMPORTING,
            _("写入时发现重复记录（可能有人同时登记了相同的人员或单位），未写入任何数据。请重新上传文件。"),
        )
    except Exception:
        log.exception("import job %s: writing failed", job.pk)
        _fail(job, ImportStatus.IMPORTING, _("导入时出现系统错误，未写入任何数据。请稍后重试或联系系统管理员。"))
        raise
    finally:
        cache.delete(key)


def _write_checked(job, importer, checked, skipped_early, *, to_write, processed, key, look_up_all) -> None:
    """Recheck and write the checked rows, batch by batch, and finish the job: all in one
    transaction. ``look_up_all=False`` leaves to the importer's unique index what its
    recheck would look up row by row (see ``import_job_run``)."""
    skipped = Report()
    skipped.add(skipped_early)
    written = 0
    with transaction.atomic():
        for items in _regroup(checked, WRITE_ROWS):
            fresh, clashes = importer.recheck(items) if look_up_all else importer.recheck(items, registered=False)
            if clashes:
                if not job.only_valid:
                    raise RowsChanged(clashes)
                skipped.add(clashes)
            importer.write(fresh)
            written += len(items)
            cache.set(key, {"phase": "write", "done": written, "total": to_write}, PROGRESS_TTL)
        imported = importer.finish()
        audit_record(
            actor=job.created_by,
            action=AuditAction.CREATE,
            obj=job,
            changes={"imported_rows": [0, imported], "skipped_rows": [0, skipped.error_rows]},
            # One entry for the whole import rather than one per row: the rows
            # carry the job's number in their history (MembershipEvent.reason).
            note=_("%(summary)s（文件：%(file)s）") % {"summary": importer.summary(), "file": job.original_name},
        )
        with scopes_disabled():
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.DONE,
                imported_rows=imported,
                skipped_rows=skipped.error_rows,
                processed_rows=processed,
                errors=list(job.errors) + _recheck_entries(skipped),
                finished_at=timezone.now(),
            )


def _regroup(batches, size: int):
    """The checked batches joined into batches of at least ``size`` rows."""
    group = []
    for items in batches:
        group.extend(items)
        if len(group) >= size:
            yield group
            group = []
    if group:
        yield group


def _unspool(spool):
    # Our own temporary file, written above: unpickling it is safe.
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


def _recheck_entries(skipped: Report) -> list[dict]:
    return [{**e, "reason": _("导入时跳过：%(reason)s") % {"reason": e["reason"]}} for e in skipped.errors]


def import_job_progress(job: ImportJob) -> dict:
    """What the job page's progress bar shows. While writing, the numbers come from the
    cache: the job's row is not updated inside the write transaction."""
    done, total, percent = job.processed_rows, job.total_rows, 0
    if job.status in (ImportStatus.VALIDATED, ImportStatus.DONE):
        percent = 100
    elif job.status == ImportStatus.IMPORTING:
        state = cache.get(progress_key(job.pk)) or {"phase": "check", "done": 0, "total": job.total_rows}
        done, total = state["done"], state["total"]
        # checking again is the first half of the bar, writing the second
        share = min(1, done / total) if total else 0
        percent = min(99, int(50 * share + (50 if state["phase"] == "write" else 0)))
        text = (
            _("正在写入：%(done)s / %(total)s 行")
            if state["phase"] == "write"
            else _("正在复核：%(done)s / %(total)s 行")
        ) % {
            "done": f"{done:,}",
            "total": f"{total:,}",
        }
    elif total and job.is_working:
        percent = min(99, int(done * 100 / total))
    if job.status != ImportStatus.IMPORTING:
        if total and job.is_working:
            text = _("已校验 %(done)s / 约 %(total)s 行") % {"done": f"{done:,}", "total": f"{total:,}"}
        else:
            text = _("已校验 %(done)s 行") % {"done": f"{done:,}"}
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "text": text,
        "processed": done,
        "total": total,
        "percent": percent,
        "working": job.is_working,
    }
