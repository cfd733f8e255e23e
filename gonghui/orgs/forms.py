from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import ALLOWED_CHILDREN, Employer, Industry, Ownership, ServicePoint, Unit, UnitKind
from gonghui.orgs.selectors import district_choices
from gonghui.orgs.services import SERVICE_POINT_FIELDS


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "　" * max(0, obj.depth - 1) + obj.name


def _scoped_units(**filters):
    # Evaluated per request, inside the user's organisation scope.
    return Unit.objects.filter(**filters).order_by("path")


class UnitForm(forms.ModelForm):
    """A unit below ``parent`` (new) or an existing unit (edit; its kind is fixed)."""

    class Meta:
        model = Unit
        fields = ["kind", "name", "short_name", "division_code", "chair_name", "phone", "address", "is_active"]

    def __init__(self, *args, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["kind"]
        else:
            allowed = ALLOWED_CHILDREN.get(parent.kind, set()) if parent is not None else set()
            self.fields["kind"].choices = [(k, label) for k, label in UnitKind.choices if k in allowed]
            del self.fields["is_active"]

    def _post_clean(self):
        pass


class EmployerForm(forms.ModelForm):
    unit = UnitChoiceField(
        label=_("覆盖工会"),
        queryset=Unit.objects.none(),
        help_text=Employer._meta.get_field("unit").help_text,
    )
    district = UnitChoiceField(label=_("所在区"), queryset=Unit.objects.none())

    class Meta:
        model = Employer
        fields = [
            "name",
            "uscc",
            "industry",
            "ownership",
            "size",
            "headcount",
            "district",
            "unit",
            "has_own_union",
            "address",
            "contact_name",
            "contact_phone",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _scoped_units()
        self.fields["district"].queryset = district_choices()

    def _post_clean(self):
        # Validation is the service's job (it also checks scope and uniqueness city-wide).
        pass


class EmployerFilterForm(forms.Form):
    q = forms.CharField(label=_("名称或信用代码"), required=False)
    industry = forms.ChoiceField(label=_("行业"), required=False, choices=[("", _("全部行业"))] + Industry.choices)
    ownership = forms.ChoiceField(label=_("经济类型"), required=False, choices=[("", _("全部"))] + Ownership.choices)
    has_own_union = forms.ChoiceField(
        label=_("建会情况"), required=False, choices=[("", _("全部")), ("yes", _("已建会")), ("no", _("未建会"))]
    )


class ServicePointForm(forms.ModelForm):
    unit = UnitChoiceField(label=_("主办单位"), queryset=Unit.objects.none())

    class Meta:
        model = ServicePoint
        fields = list(SERVICE_POINT_FIELDS)  # the form edits exactly what the service writes
        widgets = {
            f: forms.Textarea(attrs={"rows": 3})
            for f in ("facilities", "sign_and_place", "staff_on_duty", "rules", "service_items", "procedures")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _scoped_units()

    def _post_clean(self):
        pass
