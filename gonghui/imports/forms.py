from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.imports.models import ImportKind
from gonghui.imports.services import IMPORTERS
from gonghui.members.models import MemberStatus
from gonghui.orgs.forms import UnitChoiceField
from gonghui.orgs.models import Industry, Ownership, Unit


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"), widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("Excel（.xlsx）或 CSV（.csv），读取第一个工作表；第一行为列名。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"empty": _("文件是空的，没有任何内容。"), "required": _("请选择要上传的文件。")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = [
            (kind, label) for kind, label in ImportKind.choices if all(user.can(p) for p in IMPORTERS[kind].permissions)
        ]
        self.fields["kind"].choices = allowed
        if allowed:
            self.fields["kind"].initial = allowed[0][0]


def _units():
    # Evaluated per request, inside the user's organisation scope.
    return Unit.objects.order_by("path")


class MemberExportForm(forms.Form):
    q = forms.CharField(label=_("姓名、拼音、身份证号码或手机号码"), required=False, max_length=60)
    status = forms.ChoiceField(label=_("会籍状态"), required=False, choices=[("", _("全部"))] + MemberStatus.choices)
    unit = UnitChoiceField(
        label=_("所属工会（含下级）"), queryset=Unit.objects.none(), required=False, empty_label=_("全部")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()


class EmployerExportForm(forms.Form):
    q = forms.CharField(label=_("名称或信用代码"), required=False, max_length=60)
    industry = forms.ChoiceField(label=_("行业"), required=False, choices=[("", _("全部行业"))] + Industry.choices)
    ownership = forms.ChoiceField(label=_("经济类型"), required=False, choices=[("", _("全部"))] + Ownership.choices)
    has_own_union = forms.ChoiceField(
        label=_("建会情况"), required=False, choices=[("", _("全部")), ("yes", _("已建会")), ("no", _("未建会"))]
    )
    unit = UnitChoiceField(
        label=_("覆盖工会（含下级）"), queryset=Unit.objects.none(), required=False, empty_label=_("全部")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()
