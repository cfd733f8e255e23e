from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from gonghui.core.paging import paginate
from gonghui.core.permissions import staff_required
from gonghui.imports import exports, selectors, services
from gonghui.imports.forms import EmployerExportForm, MemberExportForm, UploadForm
from gonghui.imports.models import ImportKind, ImportStatus
from gonghui.imports.readers import max_bytes, max_rows

ERRORS_PER_PAGE = 100


def _download(sheet: exports.Spreadsheet) -> FileResponse:
    response = FileResponse(sheet.file, as_attachment=True, filename=sheet.filename, content_type=exports.XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


@staff_required("members.import")
def job_list(request):
    page = paginate(request, selectors.import_job_list())
    return render(request, "imports/job_list.html", {"page": page})


@staff_required("members.import")
def job_create(request):
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(
                by=request.user, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"]
            )
        except ValidationError as e:
            _form_errors(form, e)
        else:
            messages.success(request, _("文件已上传。"))
            return redirect("imports:job_detail", pk=job.pk)
    kinds = [(kind, label, services.IMPORTERS[kind].columns) for kind, label in form.fields["kind"].choices]
    return render(
        request,
        "imports/job_create.html",
        {"form": form, "kinds": kinds, "max_mb": max_bytes() // 1024 // 1024, "max_rows": max_rows()},
    )


@staff_required("members.import")
def job_detail(request, pk):
    job = selectors.import_job_get(pk)
    errors = paginate(request, job.errors, per_page=ERRORS_PER_PAGE) if job.errors else None
    return render(
        request,
        "imports/job_detail.html",
        {
            "job": job,
            "errors": errors,
            "progress": services.import_job_progress(job),
            "may_confirm": job.status == ImportStatus.VALIDATED and job.created_by_id == request.user.pk,
        },
    )


@never_cache
@staff_required("members.import")
def job_progress(request, pk):
    job = selectors.import_job_get(pk)
    return JsonResponse(services.import_job_progress(job))


@staff_required("members.import")
def job_confirm(request, pk):
    job = selectors.import_job_get(pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.import_job_confirm(by=request.user, job=job, only_valid=request.POST.get("only_valid") == "1")
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("已开始导入。"))
    return redirect("imports:job_detail", pk=job.pk)


@staff_required("members.import")
def job_cancel(request, pk):
    job = selectors.import_job_get(pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.import_job_cancel(by=request.user, job=job)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("已取消，上传的文件已删除。"))
    return redirect("imports:job_detail", pk=job.pk)


@staff_required("members.import")
def job_error_report(request, pk):
    job = selectors.import_job_get(pk)
    return _download(exports.error_report(job))


@staff_required("members.import")
def template_download(request, kind):
    if kind not in ImportKind.values:
        raise Http404
    return _download(exports.import_template(by=request.user, kind=kind))


@staff_required("members.export")
def member_export(request):
    """GET shows the export form (filters carried over from the member list); POST builds
    the file. POST, because an export is an audited act, not a page view."""
    reveal = (request.POST.get("reveal") or request.GET.get("reveal")) == "1"
    if reveal and not request.user.can("members.reveal"):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = MemberExportForm(data)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            sheet = exports.member_export(by=request.user, q=d["q"], status=d["status"], unit=d["unit"], reveal=reveal)
        except ValidationError as e:
            _form_errors(form, e)
        else:
            return _download(sheet)
    return render(
        request,
        "imports/member_export.html",
        {"form": form, "may_reveal": request.user.can("members.reveal"), "max_rows": exports.export_max_rows()},
    )


@staff_required("members.export")
def employer_export(request):
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = EmployerExportForm(data)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            sheet = exports.employer_export(
                by=request.user,
                q=d["q"],
                industry=d["industry"],
                ownership=d["ownership"],
                has_own_union={"yes": True, "no": False}.get(d["has_own_union"]),
                unit=d["unit"],
            )
        except ValidationError as e:
            _form_errors(form, e)
        else:
            return _download(sheet)
    return render(request, "imports/employer_export.html", {"form": form, "max_rows": exports.export_max_rows()})
