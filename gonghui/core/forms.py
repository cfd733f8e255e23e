from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def apply_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the form has that
    field, otherwise at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def message_service_error(request, error) -> None:
    """Show a service's refusal (ValidationError or PermissionDenied) as an error message
    on the next page, for actions posted from a button rather than a form."""
    from django.contrib import messages

    messages.error(request, " ".join(error.messages) if isinstance(error, ValidationError) else str(error))


class CalendarDayForm(forms.Form):
    """One day of the working-day calendar: set it as a day off or a working day, or clear
    it back to the default week."""

    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    is_workday = forms.TypedChoiceField(
        label=_("安排"),
        choices=[("0", _("放假")), ("1", _("上班（调休）"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="0",
        required=False,
        empty_value=False,
    )
    name = forms.CharField(
        label=_("名称"),
        max_length=40,
        required=False,
        help_text=_("如：春节、国庆节、春节调休上班。清除时无需填写。"),
    )
