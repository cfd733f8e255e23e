from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.members.models import MemberStatus, Platform
from gonghui.orgs.forms import UnitChoiceField
from gonghui.orgs.models import Unit


class MemberSearchForm(forms.Form):
    q = forms.CharField(
        label=_("查找"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("身份证号、手机号、姓名或拼音首字母（如 zs）"), "type": "search"}
        ),
    )
    status = forms.ChoiceField(label=_("会籍状态"), required=False, choices=[("", _("全部"))] + MemberStatus.choices)
    new_form = forms.ChoiceField(
        label=_("新就业形态"), required=False, choices=[("", _("全部")), ("yes", _("是")), ("no", _("否"))]
    )


class MemberForm(forms.Form):
    """Registration and correction. On edit, empty ID number / phone fields keep the stored
    values (which are never sent back to the browser)."""

    name = forms.CharField(label=_("姓名"), max_length=40)
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("手机号码"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})
    )
    unit = UnitChoiceField(label=_("所属工会"), queryset=Unit.objects.none())
    employer_uscc = forms.CharField(
        label=_("工作单位统一社会信用代码"), max_length=30, required=False, help_text=_("新就业形态劳动者可不填")
    )
    is_new_form_worker = forms.BooleanField(label=_("新就业形态劳动者"), required=False)
    platform = forms.ChoiceField(label=_("平台类型"), required=False, choices=[("", "—")] + Platform.choices)
    is_model_worker = forms.BooleanField(label=_("劳动模范"), required=False)
    in_hardship = forms.BooleanField(label=_("困难职工"), required=False)
    joined_on = forms.DateField(
        label=_("入会日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("默认为今天")
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.all().order_by("path")
        if not editing:  # markers are set on an existing record
            del self.fields["is_model_worker"]
            del self.fields["in_hardship"]
        if editing:
            del self.fields["unit"]
            del self.fields["joined_on"]
            for name in ("id_number", "phone"):
                self.fields[name].required = False
                self.fields[name].help_text = _("不修改请留空（已保存的号码不会显示在此）")


class TransferForm(forms.Form):
    to_unit = forms.IntegerField(label=_("转入工会"), widget=forms.HiddenInput)
    reason = forms.CharField(label=_("转接原因"), max_length=200)
    on = forms.DateField(label=_("转接日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)
