import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from conftest import login
from gonghui.core.models import AuditEntry
from gonghui.core.scoping import scopes_disabled
from gonghui.mediation import documents, services


@pytest.fixture
def agreed_case(case_in_mediation, handler):
    with scopes_disabled():
        wages, overtime = case_in_mediation.claims.order_by("id")
    services.case_agree(
        by=handler,
        case=case_in_mediation,
        amounts={wages.pk: ("18000", ""), overtime.pk: ("4500.50", "")},
        schedule=[(timezone.localdate(), "22500.50")],
    )
    case_in_mediation.refresh_from_db()
    return case_in_mediation


def test_agreement_pdf_shows_case_number_parties_and_amounts(agreed_case, handler):
    name, data = documents.agreement_pdf(by=handler, case=agreed_case)
    assert data.startswith(b"%PDF-") and len(data) < 200_000  # the font is subset, not embedded whole
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert agreed_case.number in text and agreed_case.number in name
    assert "北京国贸餐饮有限公司" in text and "建外街道劳动争议调解室" in text
    with scopes_disabled():
        names = list(agreed_case.workers.values_list("name", flat=True))
    assert all(n in text for n in names)
    assert "18,000.00" in text and "22,500.50" in text
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="export", object_id=str(agreed_case.pk)).exists()


def test_no_pdf_before_an_agreement(case_in_mediation, handler):
    with pytest.raises(ValidationError):
        documents.agreement_pdf(by=handler, case=case_in_mediation)


def test_case_file_for_arbitration_only_after_mediation_failed(case_in_mediation, handler):
    with pytest.raises(ValidationError):
        documents.case_file_xlsx(by=handler, case=case_in_mediation)
    services.case_refer_to_arbitration(by=handler, case=case_in_mediation, note="调解不成，转仲裁。")
    case_in_mediation.refresh_from_db()
    name, data = documents.case_file_xlsx(by=handler, case=case_in_mediation)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["案件", "申请人", "请求事项", "调解记录", "办理记录"]
    phones = [row[2] for row in book["申请人"].iter_rows(min_row=2, values_only=True)]
    assert all("****" in p for p in phones)  # masked


def test_pdf_download_through_the_page(client, agreed_case, handler):
    login(client, handler)
    response = client.get(f"/mediation/{agreed_case.pk}/agreement.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
