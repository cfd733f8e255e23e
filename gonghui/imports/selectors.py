"""Scoped reads of import jobs: a job outside the user's part of the tree is not found."""

from django.shortcuts import get_object_or_404

from gonghui.imports.models import ImportJob


def import_job_list():
    return ImportJob.objects.select_related("created_by", "unit").defer("errors", "error_row_map")


def import_job_get(pk) -> ImportJob:
    return get_object_or_404(ImportJob.objects.select_related("created_by", "unit"), pk=pk)
