"""Forms for the benefit catalogue. They parse input only: the rules (kind-specific
fields, dates, scope, capacity) are the services' job and come back through
``apply_service_errors``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.cards.models import Benefit, BenefitKind, Venue
from gonghui.cards.selectors import venue_choices
from gonghui.cards.services import BENEFIT_FIELDS, VENUE_FIELDS
from gonghui.orgs.forms import UnitChoiceField
from gonghui.orgs.models import ServicePoint, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
COUNT = forms.NumberInput(attrs={"inputmode": "numeric", "min": 1})


class VenueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.unit.name}）"


class VenueForm(forms.ModelForm):
    unit = UnitChoiceField(label=_("签约单位"), queryset=Unit.objects.none())
    service_point = forms.ModelChoiceField(
        label=_("服务阵地"),
        queryset=ServicePoint.objects.none(),
        required=False,
        help_text=_("场馆设在工会自己的服务阵地时选择。"),
    )

    class Meta:
        model = Venue
        fields = list(VENUE_FIELDS)  # the form edits exactly what the service writes

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Evaluated per request, inside the user's organisation scope.
        self.fields["unit"].queryset = Unit.objects.order_by("path")
        self.fields["service_point"].queryset = ServicePoint.objects.order_by("unit__path", "name")
        if not self.instance.pk:
            del self.fields["is_active"]

    def _post_clean(self):
        pass


class BenefitForm(forms.ModelForm):
    venue = VenueChoiceField(label=_("场馆"), queryset=Venue.objects.none())
    eligible_unit = UnitChoiceField(
        label=_("适用工会"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("仅当适用对象为“指定工会及下级的会员”时选择。"),
    )

    class Meta:
        model = Benefit
        fields = ["venue", *(f for f in BENEFIT_FIELDS if f != "is_active")]
        widgets = {
            "valid_from": DATE,
            "valid_to": DATE,
            "per_member_day": COUNT,
            "per_member_month": COUNT,
            "per_member_year": COUNT,
            "capacity": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "discount_percent": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 99}),
            "member_price": forms.NumberInput(attrs={"inputmode": "decimal", "min": 0, "step": "0.01"}),
        }
        help_texts = {
            "discount_percent": _("仅“折扣”方式填写：按原价的百分比，八折填 80。"),
            "member_price": _("仅“会员价”方式填写。"),
            "per_member_day": _("不限请留空。"),
            "per_member_month": _("不限请留空。"),
            "per_member_year": _("不限请留空。"),
            "capacity": _("全部会员合计可使用的次数；不限请留空。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["venue"]  # fixed once created: past redemptions name it
        else:
            self.fields["venue"].queryset = venue_choices()
        self.fields["eligible_unit"].queryset = Unit.objects.order_by("path")

    def _post_clean(self):
        pass


YES_NO = [("", _("全部")), ("yes", _("启用")), ("no", _("停用"))]


class VenueFilterForm(forms.Form):
    q = forms.CharField(label=_("名称或地址"), required=False)
    active = forms.ChoiceField(label=_("状态"), required=False, choices=YES_NO)


class BenefitFilterForm(forms.Form):
    q = forms.CharField(label=_("项目或场馆名称"), required=False)
    venue = VenueChoiceField(label=_("场馆"), queryset=Venue.objects.none(), required=False, empty_label=_("全部场馆"))
    kind = forms.ChoiceField(label=_("优惠方式"), required=False, choices=[("", _("全部"))] + BenefitKind.choices)
    active = forms.ChoiceField(label=_("状态"), required=False, choices=YES_NO)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = Venue.objects.select_related("unit").order_by("unit__path", "name")


def active_value(choice: str) -> bool | None:
    return {"yes": True, "no": False}.get(choice)
