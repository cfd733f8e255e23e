"""Forms parse what staff type; the services decide whether it is acceptable (amounts,
dates and limits are checked there, so every entry point gets the same answer)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.mutualaid.models import PlanKind

MONEY_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


class PlanForm(forms.Form):
    name = forms.CharField(label=_("计划名称"), max_length=80)
    kind = forms.ChoiceField(label=_("保障类型"), choices=PlanKind.choices)
    unit = forms.ModelChoiceField(label=_("主办单位"), queryset=None)
    year = forms.IntegerField(label=_("保障年度"), min_value=2000, max_value=2100)
    premium = forms.CharField(label=_("每人年度互助金（元）"), widget=forms.TextInput(attrs=MONEY_ATTRS))
    claim_limit = forms.CharField(label=_("单次给付限额（元）"), widget=forms.TextInput(attrs=MONEY_ATTRS))
    yearly_limit = forms.CharField(label=_("每人年度给付限额（元）"), widget=forms.TextInput(attrs=MONEY_ATTRS))
    waiting_days = forms.IntegerField(label=_("等待期（天）"), min_value=0, max_value=365, initial=90)
    daily_allowance = forms.CharField(
        label=_("住院日津贴（元/天）"),
        required=False,
        help_text=_("仅住院医疗互助：按住院天数给付。"),
        widget=forms.TextInput(attrs=MONEY_ATTRS),
    )
    reimbursement_ratio = forms.CharField(
        label=_("给付比例"),
        required=False,
        initial="1.00",
        help_text=_("重大疾病、意外伤害互助：按费用的该比例给付，如0.80。"),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class BatchForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("参保单位"), queryset=None, help_text=_("该单位及下级所有尚未参保的在会会员一并参保。")
    )
    source = forms.ModelChoiceField(label=_("缴费来源科目"), queryset=None)

    def __init__(self, *args, units=None, sources=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["source"].queryset = sources


class ClaimForm(forms.Form):
    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    event_date = forms.CharField(
        label=_("出险日期"), widget=forms.DateInput(attrs={"type": "date"}), help_text=_("住院、确诊或事故发生的日期。")
    )
    hospital_days = forms.CharField(
        label=_("住院天数"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    expenses = forms.CharField(
        label=_("医疗费用（元）"),
        required=False,
        help_text=_("重大疾病、意外伤害互助按费用和给付比例计算。"),
        widget=forms.TextInput(attrs=MONEY_ATTRS),
    )
    description = forms.CharField(
        label=_("事由"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    document = forms.FileField(
        label=_("证明材料（图片或PDF，选填）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the figure the plan's rule uses is asked for.
        if plan is not None:
            self.fields.pop("expenses" if plan.per_day else "hospital_days")
