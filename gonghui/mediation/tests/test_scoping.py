"""Three actors: the handler in the station, the district officer above, the 海淀 outsider;
and contracted lawyers, who see only what they are assigned."""

from conftest import login, make_staff
from gonghui.core.scoping import scopes_disabled, user_scope
from gonghui.mediation import legalaid, services


def test_parent_unit_sees_the_case(client, case, district_officer):
    login(client, district_officer)
    assert client.get(f"/mediation/{case.pk}/").status_code == 200
    assert case.number in client.get("/mediation/?view=all").content.decode()


def test_outsider_sees_nothing_and_gets_404(client, case, outsider, city):
    login(client, outsider)
    assert client.get(f"/mediation/{case.pk}/").status_code == 404
    assert client.get(f"/mediation/{case.pk}/agreement.pdf").status_code == 404
    assert case.number not in client.get("/mediation/?view=all").content.decode()
    assert client.post(f"/mediation/{case.pk}/act/", {"action": "accept"}).status_code == 404


def test_district_user_gets_404_for_haidian_objects(client, city, district_officer):
    login(client, district_officer)
    assert client.get(f"/mediation/{city.mediation_case_hd.pk}/").status_code == 404
    assert client.get(f"/mediation/bodies/{city.mediation_body_hd.pk}/").status_code == 404
    assert client.get(f"/mediation/handoffs/{city.mediation_handoff_hd.pk}/").status_code == 404


def test_lawyer_sees_only_own_cases(client, city, body, case, handler):
    admin = make_staff(city.chaoyang, "unit_admin", username="cy_admin_law")
    lawyer_a = make_staff(city.chaoyang_station, "lawyer", username="lawyer_a", full_name="甲律师")
    lawyer_b = make_staff(city.chaoyang_station, "lawyer", username="lawyer_b", full_name="乙律师")
    with scopes_disabled():
        m_a = services.mediator_add(by=admin, body=body, kind="lawyer", staff=lawyer_a)
    services.case_assign(by=handler, case=case, mediator=m_a)
    other = __import__("gonghui.mediation.tests.conftest", fromlist=["open_case"]).open_case(
        handler, body, city.employer_cy
    )
    login(client, lawyer_a)
    listing = client.get("/mediation/?view=all").content.decode()
    assert case.number in listing and other.number not in listing
    assert client.get(f"/mediation/{case.pk}/").status_code == 200
    assert client.get(f"/mediation/{other.pk}/").status_code == 404
    login(client, lawyer_b)
    assert client.get(f"/mediation/{case.pk}/").status_code == 404
    assert case.number not in client.get("/mediation/?view=all").content.decode()
    assert client.get("/mediation/results/").status_code == 403


def test_lawyer_sees_only_own_legal_aid(client, city, handler, district_officer):
    lawyer_a = make_staff(city.chaoyang_station, "lawyer", username="lawyer_a2", full_name="甲律师")
    lawyer_b = make_staff(city.chaoyang_station, "lawyer", username="lawyer_b2", full_name="乙律师")
    with user_scope(district_officer):
        rep_a = legalaid.representation_assign(
            by=district_officer, unit=city.chaoyang_station, lawyer=lawyer_a, client_name="张某", matter="代理欠薪仲裁"
        )
        rep_b = legalaid.representation_assign(
            by=district_officer, unit=city.chaoyang_station, lawyer=lawyer_b, client_name="李某", matter="代理工伤认定"
        )
        legalaid.consultation_record(
            by=district_officer,
            unit=city.chaoyang_station,
            channel="hotline",
            lawyer=lawyer_b,
            client_name="王某",
            topic="加班费计算",
        )
    assert [r.pk for r in legalaid.representation_list(user=lawyer_a)] == [rep_a.pk]
    assert legalaid.consultation_list(user=lawyer_a) == []
    login(client, lawyer_a)
    assert client.get(f"/mediation/legal-aid/representations/{rep_a.pk}/").status_code == 200
    assert client.get(f"/mediation/legal-aid/representations/{rep_b.pk}/").status_code == 404
    body = client.get("/mediation/legal-aid/").content.decode()
    assert "张某" in body and "李某" not in body and "王某" not in body
    # a lawyer's write on another's representation is refused with a clear message
    import pytest
    from django.core.exceptions import PermissionDenied

    with user_scope(lawyer_a), pytest.raises(PermissionDenied) as e:
        legalaid.representation_log_hours(
            by=lawyer_a, representation=rep_b, hours="2", worked_on=__import__("datetime").date.today()
        )
    assert "不是分配给您" in str(e.value)
    client.post(f"/mediation/legal-aid/representations/{rep_a.pk}/", {"action": "hours", "hours": "1.5"})
    assert legalaid.representation_hours_total(rep_a) == __import__("decimal").Decimal("1.5")


def test_outsider_gets_404_for_a_haidian_representation(client, city, outsider):
    hd_lawyer = make_staff(city.haidian_station, "lawyer", username="hd_lawyer")
    with user_scope(outsider):
        rep = legalaid.representation_assign(
            by=outsider, unit=city.haidian_station, lawyer=hd_lawyer, client_name="赵某", matter="代理欠薪"
        )
    cy = make_staff(city.chaoyang, "officer", username="cy_officer_x")
    login(client, cy)
    assert client.get(f"/mediation/legal-aid/representations/{rep.pk}/").status_code == 404
