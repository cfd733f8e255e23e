import pytest

from conftest import make_staff
from gonghui.accounts.services import api_token_create
from gonghui.core.models import AuditEntry
from gonghui.core.scoping import scopes_disabled
from gonghui.members.tests.test_services import ZS_ID, ZS_PHONE, make_id


@pytest.fixture
def api(client):
    class Api:
        headers = {}

        def as_(self, staff):
            _, raw = api_token_create(staff=staff, name="t")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
            return self

        def get(self, url, **params):
            return client.get("/api/v1" + url, params, **self.headers)

        def post(self, url, data):
            return client.post("/api/v1" + url, data, content_type="application/json", **self.headers)

        def patch(self, url, data):
            return client.patch("/api/v1" + url, data, content_type="application/json", **self.headers)

    return Api()


@pytest.fixture
def worker(city):
    return make_staff(city.chaoyang_station, "social_worker", username="cy_sw")


def new_member(api, city, **over):
    data = {"name": "张三", "id_number": ZS_ID, "phone": ZS_PHONE, "unit_id": city.chaoyang_cju.pk}
    data.update(over)
    return api.post("/members", data)


def test_create_list_detail_masked(api, city, worker):
    api.as_(worker)
    response = new_member(api, city, employer_id=city.employer_cy.pk, platform="delivery")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id_number"] == ZS_ID[:6] + "********" + ZS_ID[-4:] and body["phone"] == "138****5678"
    assert body["is_new_form_worker"] is True and body["employer_name"] == city.employer_cy.name
    listed = api.get("/members", q="zs").json()
    assert [m["id"] for m in listed["results"]] == [body["id"]] and listed["next_after"] is None
    assert ZS_ID not in api.get(f"/members/{body['id']}").content.decode()


def test_bad_input_is_422_in_chinese(api, city, worker):
    api.as_(worker)
    response = new_member(api, city, id_number=ZS_ID[:-1] + "0" if ZS_ID[-1] != "0" else ZS_ID[:-1] + "1", phone="123")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "校验位" in errors["id_number"][0] and "手机号码" in errors["phone"][0]


def test_duplicate_is_409_with_the_existing_record(api, city, worker, outsider):
    api.as_(worker)
    first = new_member(api, city).json()
    again = new_member(api, city, name="张叁")
    assert again.status_code == 409 and again.json()["existing_id"] == first["id"]
    api.as_(outsider)
    foreign = new_member(api, city, unit_id=city.haidian_station.pk)
    assert foreign.status_code == 409 and "existing_id" not in foreign.json()


def test_keyset_pagination_walks_all_rows_once(api, city, worker):
    api.as_(worker)
    for i in range(7):
        assert (
            new_member(
                api, city, name=f"王{'一二三四五六七'[i]}", id_number=make_id(seq=f"{i:03d}"), phone=f"1390000000{i}"
            ).status_code
            == 201
        )
    seen, after = [], None
    while True:
        params = {"q": "王", "limit": 3, **({"after": after} if after else {})}
        page = api.get("/members", **params).json()
        seen += [m["name"] for m in page["results"]]
        after = page["next_after"]
        if not after:
            break
    assert len(seen) == 7 and len(set(seen)) == 7 and seen == sorted(seen)


def test_transfer_leave_and_history(api, city, worker):
    api.as_(worker)
    member = new_member(api, city).json()
    response = api.post(
        f"/members/{member['id']}/transfer", {"to_unit_id": city.haidian_station.pk, "reason": "工作调动"}
    )
    assert response.status_code == 200 and response.json()["unit_id"] == city.haidian_station.pk
    assert api.get(f"/members/{member['id']}").status_code == 404  # now in 海淀: out of 朝阳's sight
    officer = make_staff(city.haidian, "officer")
    api.as_(officer)
    history = api.get(f"/members/{member['id']}/history").json()
    assert [h["kind"] for h in history] == ["join", "transfer"] and history[1]["reason"] == "工作调动"
    assert api.post(f"/members/{member['id']}/leave", {"reason": "离职"}).json()["status"] == "left"


def test_reveal_needs_permission_and_is_audited(api, city, worker):
    api.as_(worker)
    member = new_member(api, city).json()
    assert api.post(f"/members/{member['id']}/reveal", {"field": "id_number"}).status_code == 403
    officer = make_staff(city.chaoyang, "officer")
    api.as_(officer)
    response = api.post(f"/members/{member['id']}/reveal", {"field": "id_number"})
    assert response.json()["value"] == ZS_ID
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="reveal", object_id=str(member["id"]), actor=officer).exists()


def test_other_district_member_is_404(api, city, worker, outsider):
    api.as_(outsider)
    member = new_member(api, city, unit_id=city.haidian_station.pk).json()
    api.as_(worker)
    for response in (
        api.get(f"/members/{member['id']}"),
        api.patch(f"/members/{member['id']}", {"name": "改"}),
        api.post(f"/members/{member['id']}/reveal", {"field": "phone"}),
        api.get(f"/members/{member['id']}/history"),
    ):
        assert response.status_code == 404
