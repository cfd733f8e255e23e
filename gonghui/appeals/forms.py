from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.appeals.categories import AppealCategory
from gonghui.appeals.models import Channel, Difficulty

STAFF_CHANNELS = [(c.value, c.label) for c in (Channel.HOTLINE, Channel.WALK_IN, Channel.SMS)]


class AppealIntakeForm(forms.Form):
    """The hotline operator's form, in the order a call goes: who is calling, where they
    work, what happened. The services validate everything again; this form only parses."""

    phone = forms.CharField(
        label=_("来电号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "autofocus": True}),
    )
    worker_name = forms.CharField(label=_("职工姓名"), max_length=40, help_text=_("可只填姓氏，如“张先生”"))
    channel = forms.ChoiceField(label=_("来源渠道"), choices=STAFF_CHANNELS, initial=Channel.HOTLINE)
    employer_name = forms.CharField(
        label=_("用人单位"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "employer-options", "autocomplete": "off"}),
        help_text=_("输入名称可从已登记单位中选择"),
    )
    workplace = forms.CharField(label=_("工作地点"), max_length=200, required=False)
    description = forms.CharField(
        label=_("诉求内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6, "data-suggest": "category"})
    )
    workers_involved = forms.IntegerField(label=_("涉及人数"), min_value=1, max_value=100000, initial=1)
    amount = forms.DecimalField(label=_("涉及金额（元）"), min_value=0, max_digits=14, decimal_places=2, required=False)
    category = forms.ChoiceField(
        label=_("诉求类别"),
        choices=[("", _("按内容自动识别"))] + AppealCategory.choices,
        required=False,
    )
    difficulty = forms.ChoiceField(label=_("难度"), choices=Difficulty.choices, initial=Difficulty.NORMAL)


class TrackForm(forms.Form):
    ticket = forms.CharField(
        label=_("受理编号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("登记的手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
