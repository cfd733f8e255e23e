from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.core.forms import apply_service_errors
from gonghui.core.paging import paginate
from gonghui.core.permissions import staff_required
from gonghui.orgs import selectors, services
from gonghui.orgs.forms import EmployerFilterForm, EmployerForm, ServicePointForm, UnitForm
from gonghui.orgs.models import ServicePointKind


def _unit_filter(request):
    """``?unit=<id>`` narrows a list to that unit's subtree (404 when not in scope)."""
    raw = request.GET.get("unit", "")
    return selectors.unit_get(raw) if raw.isdigit() else None


@staff_required("orgs.view")
def unit_tree(request, pk=None):
    unit = selectors.unit_get(pk) if pk else request.user.unit
    if unit is None:
        return render(request, "orgs/unit_tree.html", {"unit": None})
    with_ancestors = list(selectors.unit_list().filter(path__in=unit.ancestor_paths()))
    return render(
        request,
        "orgs/unit_tree.html",
        {
            "unit": unit,
            "breadcrumbs": with_ancestors,
            "totals": selectors.subtree_totals(unit),
            "children": selectors.children_with_totals(unit),
            "service_points": selectors.service_point_list().filter(unit=unit)[:20],
            "employers": selectors.employer_list().filter(unit=unit)[:20],
        },
    )


@staff_required("orgs.manage_units")
def unit_create(request, parent_pk):
    parent = selectors.unit_get(parent_pk)
    form = UnitForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(by=request.user, parent=parent, **form.cleaned_data)
            messages.success(request, _("已新增下级组织“%(n)s”。") % {"n": unit.name})
            return redirect("orgs:unit_detail", pk=unit.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "orgs/unit_form.html", {"form": form, "parent": parent, "unit": None})


@staff_required("orgs.manage_units")
def unit_edit(request, pk):
    unit = selectors.unit_get(pk)
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_update(by=request.user, unit=unit, **form.cleaned_data)
            messages.success(request, _("已保存。"))
            return redirect("orgs:unit_detail", pk=unit.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "orgs/unit_form.html", {"form": form, "parent": None, "unit": unit})


@staff_required("orgs.view")
def employer_list(request):
    form = EmployerFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        d = form.cleaned_data
        filters = {
            "q": d["q"],
            "industry": d["industry"],
            "ownership": d["ownership"],
            "has_own_union": {"yes": True, "no": False}.get(d["has_own_union"]),
        }
    unit = _unit_filter(request)
    page = paginate(request, selectors.employer_list(**filters, unit=unit))
    return render(request, "orgs/employer_list.html", {"page": page, "form": form, "unit": unit})


@staff_required("orgs.view")
def employer_detail(request, pk):
    employer = selectors.employer_get(pk)
    return render(request, "orgs/employer_detail.html", {"employer": employer})


@staff_required("orgs.manage_employers")
def employer_edit(request, pk=None):
    employer = selectors.employer_get(pk) if pk else None
    form = EmployerForm(request.POST or None, instance=employer)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if employer is None:
                employer = services.employer_create(by=request.user, **data)
                messages.success(request, _("已登记用人单位“%(n)s”。") % {"n": employer.name})
            else:
                employer = services.employer_update(by=request.user, employer=employer, **data)
                messages.success(request, _("已保存。"))
            return redirect("orgs:employer_detail", pk=employer.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "orgs/employer_form.html", {"form": form, "employer": employer})


@staff_required("orgs.view")
def service_point_list(request):
    kind = request.GET.get("kind") or None
    unit = _unit_filter(request)
    page = paginate(request, selectors.service_point_list(q=request.GET.get("q"), kind=kind, unit=unit))
    return render(
        request,
        "orgs/service_point_list.html",
        {"page": page, "kinds": ServicePointKind.choices, "kind": kind, "unit": unit},
    )


@staff_required("orgs.view")
def service_point_detail(request, pk):
    point = selectors.service_point_get(pk)
    return render(request, "orgs/service_point_detail.html", {"point": point})


@staff_required("orgs.manage_service_points")
def service_point_edit(request, pk=None):
    point = selectors.service_point_get(pk) if pk else None
    form = ServicePointForm(request.POST or None, instance=point)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if point is None:
                point = services.service_point_create(by=request.user, **data)
            else:
                point = services.service_point_update(by=request.user, point=point, **data)
            messages.success(request, _("已保存。"))
            return redirect("orgs:service_point_detail", pk=point.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "orgs/service_point_form.html", {"form": form, "point": point})


def service_point_public(request, code):
    """The public page of a service point (五亮), for anyone, on any phone."""
    point = selectors.service_point_public(code)
    return render(request, "orgs/service_point_public.html", {"point": point})
