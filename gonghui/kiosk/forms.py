"""Forms for the staff pages. They parse input only: the rules are the services' job and
come back through ``apply_service_errors``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.kiosk.models import Kiosk, MediationStatus, SlotKind
from gonghui.kiosk.services import SLOT_CAPACITY_MAX
from gonghui.orgs.forms import UnitChoiceField
from gonghui.orgs.models import ServicePoint, Unit

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def minute_field(label, **kwargs):
    return forms.DateTimeField(
        label=label,
        input_formats=[LOCAL_MINUTE, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
        **kwargs,
    )


class SlotForm(forms.Form):
    unit = UnitChoiceField(label=_("发布单位"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("类型"), choices=SlotKind.choices)
    starts_at = minute_field(_("开始时间"))
    ends_at = minute_field(_("结束时间"))
    capacity = forms.IntegerField(
        label=_("名额"),
        min_value=1,
        max_value=SLOT_CAPACITY_MAX,
        initial=4,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    counsellor = forms.CharField(label=_("咨询师/律师"), max_length=60)
    location = forms.CharField(label=_("地点"), max_length=200, help_text=_("如：街道工会服务站二楼调解室"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Evaluated per request, inside the user's organisation scope.
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True).order_by("path")


class KioskForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=120, help_text=_("如：某某街道枫桥智能舱"))
    unit = UnitChoiceField(label=_("运营单位"), queryset=Unit.objects.none())
    service_point = forms.ModelChoiceField(label=_("服务阵地"), queryset=ServicePoint.objects.none(), required=False)
    code = forms.SlugField(
        label=Kiosk._meta.get_field("code").verbose_name,
        max_length=40,
        help_text=Kiosk._meta.get_field("code").help_text,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True).order_by("path")
        self.fields["service_point"].queryset = ServicePoint.objects.order_by("unit__path", "name")


class SlotFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=[("", _("全部"))] + SlotKind.choices, required=False)
    past = forms.BooleanField(label=_("已结束的时段"), required=False)


class MediationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部"))] + MediationStatus.choices, required=False)


class MediationScheduleForm(forms.Form):
    scheduled_at = minute_field(_("调解时间"))
    note = forms.CharField(label=_("办理说明"), max_length=500, required=False)


class MediationCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("结果"),
        choices=[(MediationStatus.DONE, _("调解已完成")), (MediationStatus.CANCELLED, _("取消申请"))],
        widget=forms.RadioSelect,
        initial=MediationStatus.DONE,
    )
    note = forms.CharField(label=_("办理说明"), max_length=500, required=False, help_text=_("取消时必填：说明原因。"))
