import datetime as dt
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_service_errors, message_service_error
from gonghui.core.permissions import staff_required
from gonghui.fund import selectors, services
from gonghui.fund.models import Account, AccountKind
from gonghui.orgs.models import Unit, UnitKind


@staff_required("fund.view")
def account_list(request):
    return render(request, "fund/account_list.html", {"accounts": selectors.account_list()})


def _period(request):
    today = timezone.localdate()
    start = parse_date(request.GET.get("start", "") or "") or today.replace(day=1)
    end = parse_date(request.GET.get("end", "") or "") or today
    if (end - start).days > 3660:
        start = end - dt.timedelta(days=3660)
    return start, end


@staff_required("fund.view")
def account_detail(request, pk):
    account = selectors.account_get(pk)
    start, end = _period(request)
    statement = selectors.account_statement(account=account, start=start, end=end)
    return render(request, "fund/account_detail.html", {"account": account, "st": statement})


@staff_required("fund.view")
def account_export(request, pk):
    account = selectors.account_get(pk)
    start, end = _period(request)
    sheet = selectors.statement_export(by=request.user, account=account, start=start, end=end)
    response = FileResponse(sheet.file, as_attachment=True, filename=sheet.filename, content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@staff_required("fund.view")
def balance_check(request):
    return render(
        request, "fund/balance_check.html", {"report": services.balance_check(), "checked": Account.objects.count()}
    )


class TransferForm(forms.Form):
    source = forms.ModelChoiceField(label=gettext_lazy("转出科目"), queryset=None)
    target = forms.ModelChoiceField(label=gettext_lazy("转入科目"), queryset=None)
    amount = forms.CharField(label=gettext_lazy("金额（元）"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    memo = forms.CharField(
        label=gettext_lazy("摘要"), max_length=200, help_text=gettext_lazy("如：收到某企业捐赠；拨付春节送温暖资金。")
    )
    key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = selectors.account_list()
        self.fields["source"].queryset = accounts
        self.fields["target"].queryset = accounts


@staff_required("fund.manage")
def transfer(request):
    """Record a donation received or an allocation between accounts. The hidden key makes
    a double-submitted form post once."""
    form = TransferForm(request.POST or None, initial={"key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            txn = services.transfer(
                by=request.user,
                source=data["source"],
                target=data["target"],
                amount=data["amount"],
                memo=data["memo"],
                idempotency_key=f"transfer-{request.user.pk}-{data['key']}",
            )
            messages.success(request, _("已记账，凭证 #%(n)s。") % {"n": txn.pk})
            return redirect("fund:account_detail", pk=data["target"].pk)
        except ValidationError as e:
            apply_service_errors(form, e)
        except PermissionDenied as e:
            form.add_error(None, str(e))
    return render(request, "fund/transfer.html", {"form": form})


class AccountForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("科目代码"), max_length=40, help_text=gettext_lazy("全市唯一，如 CY-SPRING-2027。")
    )
    name = forms.CharField(label=gettext_lazy("科目名称"), max_length=120)
    kind = forms.ChoiceField(label=gettext_lazy("科目类型"), choices=AccountKind.choices)
    unit = forms.ModelChoiceField(label=gettext_lazy("所属工会"), queryset=None)
    allow_negative = forms.BooleanField(
        label=gettext_lazy("允许负余额"),
        required=False,
        help_text=gettext_lazy("仅“捐赠收入”科目：它记录收到的捐赠，余额为负（贷方）。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Units in the user's subtree (Unit's manager is scoped): the books are kept by
        # city and district unions; a programme may belong to a street station.
        self.fields["unit"].queryset = Unit.objects.filter(
            is_active=True,
            kind__in=[UnitKind.CITY_FEDERATION, UnitKind.DISTRICT_UNION, UnitKind.STREET_STATION],
        ).order_by("path")


@staff_required("fund.manage")
def account_create(request):
    form = AccountForm(request.POST or None, initial={"unit": request.user.unit_id})
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_open(by=request.user, **form.cleaned_data)
            messages.success(request, _("已开立科目 %(c)s。") % {"c": account.code})
            return redirect("fund:account_detail", pk=account.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
        except PermissionDenied as e:
            form.add_error(None, str(e))
    return render(request, "fund/account_form.html", {"form": form})


@staff_required("fund.view")
def transaction_detail(request, pk):
    txn = selectors.transaction_get(pk)
    return render(
        request,
        "fund/transaction_detail.html",
        {
            "txn": txn,
            "entries": list(txn.entries.all()),
            "reversal": selectors.transaction_reversal(txn),
            "ref_url": selectors.transaction_ref_url(txn),
        },
    )


@require_POST
@staff_required("fund.manage")
def transaction_reverse(request, pk):
    txn = selectors.transaction_get(pk)
    try:
        reversal = services.transaction_reverse(by=request.user, txn=txn, reason=request.POST.get("reason", ""))
        messages.success(request, _("已冲正，冲正凭证 #%(n)s。") % {"n": reversal.pk})
        return redirect("fund:transaction_detail", pk=reversal.pk)
    except (ValidationError, PermissionDenied) as e:
        message_service_error(request, e)
    return redirect("fund:transaction_detail", pk=txn.pk)
