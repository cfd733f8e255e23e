from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.hardship.models import AmountRule, HardshipCategory, HardshipCause, PersonStatus, ProgrammeKind, Relation

MONEY_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


class FileForm(forms.Form):
    member_id_number = forms.CharField(
        label=_("会员身份证号码"), max_length=18, help_text=_("按身份证号码查找本单位及下级的在会会员。")
    )
    member_income = forms.CharField(label=_("本人月收入（元）"), widget=forms.TextInput(attrs=MONEY_ATTRS))
    medical_expense = forms.CharField(
        label=_("月医疗支出（元）"), required=False, initial="0", widget=forms.TextInput(attrs=MONEY_ATTRS)
    )
    education_expense = forms.CharField(
        label=_("月教育支出（元）"), required=False, initial="0", widget=forms.TextInput(attrs=MONEY_ATTRS)
    )
    causes = forms.MultipleChoiceField(
        label=_("致困原因"), choices=HardshipCause.choices, widget=forms.CheckboxSelectMultiple
    )
    situation = forms.CharField(label=_("家庭情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class HouseholdRowForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=40, required=False)
    relation = forms.ChoiceField(label=_("关系"), choices=Relation.choices, required=False)
    status = forms.ChoiceField(label=_("状况"), choices=PersonStatus.choices, required=False)
    monthly_income = forms.CharField(
        label=_("月收入（元）"), required=False, initial="0", widget=forms.TextInput(attrs=MONEY_ATTRS)
    )
    id_number = forms.CharField(label=_("身份证号码（选填）"), max_length=18, required=False)
    # Editing a file: the household member this row was; a blank ID number keeps theirs.
    existing = forms.IntegerField(widget=forms.HiddenInput, required=False)


HouseholdFormSet = forms.formset_factory(HouseholdRowForm, extra=4, max_num=11)
HouseholdEditFormSet = forms.formset_factory(HouseholdRowForm, extra=2, max_num=11)


class FileEditForm(FileForm):
    """The figures of a file being corrected or reviewed; the member does not change."""

    member_id_number = None


class ThresholdForm(forms.Form):
    district = forms.ModelChoiceField(label=_("区总工会"), queryset=None)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    min_living = forms.CharField(label=_("最低生活保障标准（元/人·月）"), widget=forms.TextInput(attrs=MONEY_ATTRS))
    relative_multiplier = forms.CharField(label=_("相对困难倍数"), initial="2")

    def __init__(self, *args, districts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=80)
    kind = forms.ChoiceField(label=_("项目类型"), choices=ProgrammeKind.choices)
    unit = forms.ModelChoiceField(label=_("主办单位"), queryset=None)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    eligible_categories = forms.MultipleChoiceField(
        label=_("适用困难类别"),
        choices=[c for c in HardshipCategory.choices if c[0] != HardshipCategory.NONE],
        widget=forms.CheckboxSelectMultiple,
    )
    amount_rule = forms.ChoiceField(label=_("金额规则"), choices=AmountRule.choices)
    amount = forms.CharField(label=_("标准金额（元）"), widget=forms.TextInput(attrs=MONEY_ATTRS))
    yearly_cap = forms.CharField(label=_("每户年度上限（元）"), widget=forms.TextInput(attrs=MONEY_ATTRS))
    account = forms.ModelChoiceField(label=_("支出科目"), queryset=None)

    def __init__(self, *args, units=None, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["account"].queryset = accounts
