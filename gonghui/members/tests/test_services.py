import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from conftest import make_staff
from gonghui.core import pii
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.core.scoping import scope, scopes_disabled
from gonghui.members import selectors, services
from gonghui.members.identity import id_check_char
from gonghui.members.models import Member, MembershipEventKind, MemberStatus
from gonghui.orgs.models import UnitCounts


def make_id(region="110105", birth="19900307", seq="123"):
    first17 = region + birth + seq
    return first17 + id_check_char(first17)


ZS_ID = make_id()
ZS_PHONE = "13812345678"


def register(by, unit, name="张三", id_number=ZS_ID, phone=ZS_PHONE, **extra):
    with scope(org=by.unit.path):
        return services.member_create(by=by, name=name, id_number=id_number, phone=phone, unit=unit, **extra)


@pytest.fixture
def worker(city):
    """A social worker of the 朝阳 station."""
    return make_staff(city.chaoyang_station, "social_worker", username="cy_sw")


def test_register_member_protects_personal_data(city, worker):
    member = register(worker, city.chaoyang_cju, employer=city.employer_cy)
    assert member.id_number_masked == ZS_ID[:6] + "********" + ZS_ID[-4:]
    assert member.phone_masked == "138****5678"
    assert (member.birth_date.isoformat(), member.sex) == ("1990-03-07", "M")
    assert (member.name_pinyin, member.name_initials) == ("zhangsan", "zs")
    assert pii.decrypt(member.id_number_cipher) == ZS_ID
    with scopes_disabled():
        assert UnitCounts.objects.get(unit=city.chaoyang_cju).members == 2  # with the fixture's 周建国
        entry = AuditEntry.objects.filter(object_type="members.member", object_id=str(member.pk)).get()
        assert member.events.get().kind == MembershipEventKind.JOIN
    assert ZS_ID not in str(entry.changes) and ZS_PHONE not in str(entry.changes)


def test_raw_sql_shows_no_plain_id_number_or_phone(city, worker):
    member = register(worker, city.chaoyang_cju)
    services_reveal_by = make_staff(city.chaoyang, "officer")
    with scope(org=city.chaoyang.path):
        services.member_reveal(by=services_reveal_by, member=member, field="id_number")
    with connection.cursor() as cursor:
        for table in ("members_member", "members_membershipevent", "core_auditentry"):
            cursor.execute(f"SELECT * FROM {table}")
            dump = repr(cursor.fetchall())
            assert ZS_ID not in dump and ZS_PHONE not in dump, table
            assert ZS_ID.encode() not in dump.encode()


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        (ZS_ID[:-1] + ("0" if ZS_ID[-1] != "0" else "1"), "校验位不正确"),
        (make_id(birth="19900230"), "出生日期 19900230 不存在"),
        (make_id(birth="20990101"), "不合理"),
        ("110105900307123", "18位"),
        ("11010519900307ABC", "18位"),
    ],
)
def test_bad_id_numbers_are_refused_in_chinese(city, worker, id_number, message):
    with pytest.raises(ValidationError) as exc:
        register(worker, city.chaoyang_cju, id_number=id_number)
    assert message in exc.value.message_dict["id_number"][0]
    with scopes_disabled():
        assert Member.objects.count() == 2  # only the fixture's two members


@pytest.mark.parametrize("phone", ["12812345678", "1381234567", "010-62345678", "abc"])
def test_non_mobile_phone_is_refused(city, worker, phone):
    with pytest.raises(ValidationError) as exc:
        register(worker, city.chaoyang_cju, phone=phone)
    assert "手机号码" in exc.value.message_dict["phone"][0]


def test_phone_is_normalised(city, worker):
    member = register(worker, city.chaoyang_cju, phone="+86 138-1234-5678")
    assert pii.decrypt(member.phone_cipher) == ZS_PHONE


def test_duplicate_person_points_to_existing_record(city, worker):
    existing = register(worker, city.chaoyang_cju)
    with pytest.raises(services.DuplicateMember) as exc:
        register(worker, city.chaoyang_station, name="张叁", id_number=ZS_ID.lower())
    assert exc.value.existing == existing
    assert "已登记为会员：张三" in exc.value.message_dict["id_number"][0]


def test_duplicate_in_another_district_is_refused_without_revealing_it(city, worker, outsider):
    register(worker, city.chaoyang_cju)
    with pytest.raises(services.DuplicateMember) as exc:
        register(outsider, city.haidian_station)
    assert exc.value.existing is None
    message = exc.value.message_dict["id_number"][0]
    assert "其他工会" in message and "朝阳" not in message and "张三" not in message


def test_search_by_id_phone_name_and_pinyin_within_scope(city, worker, outsider):
    zs = register(worker, city.chaoyang_cju)
    register(worker, city.chaoyang_cju, name="曾小贤", id_number=make_id(seq="245"), phone="13900001111")
    register(outsider, city.haidian_station, name="张伟", id_number=make_id("110108", seq="331"), phone="13700002222")
    with scope(org=city.chaoyang.path):
        assert list(selectors.member_search(q=ZS_ID)) == [zs]
        assert list(selectors.member_search(q="138 1234 5678")) == [zs]
        assert list(selectors.member_search(q="zs")) == [zs]  # 张伟 is in 海淀: not found
        assert [m.name for m in selectors.member_search(q="zxx")] == ["曾小贤"]
        assert [m.name for m in selectors.member_search(q="zengx")] == ["曾小贤"]
        assert [m.name for m in selectors.member_search(q="张")] == ["张三"]
    with scope(org=city.root.path):
        assert sorted(m.name for m in selectors.member_search(q="zs")) == ["张三"]
        assert sorted(m.name for m in selectors.member_search(q="zw")) == ["张伟"]


def test_transfer_to_another_district_is_recorded_and_moves_scope(city, worker):
    member = register(worker, city.chaoyang_cju)
    with scope(org=worker.unit.path):
        services.member_transfer(by=worker, member=member, to_unit=city.haidian_station, reason="工作调动")
        assert not selectors.member_search(q=ZS_ID).exists()
    with scopes_disabled():
        member.refresh_from_db()
        assert member.unit == city.haidian_station
        event = member.events.get(kind=MembershipEventKind.TRANSFER)
        assert (event.from_unit, event.to_unit, event.reason) == (city.chaoyang_cju, city.haidian_station, "工作调动")
        assert UnitCounts.objects.get(unit=city.chaoyang_cju).members == 1  # the fixture's 周建国 stays
        assert UnitCounts.objects.get(unit=city.haidian_station).members == 2


def test_leave_and_rejoin(city, worker):
    member = register(worker, city.chaoyang_cju)
    with scope(org=worker.unit.path):
        with pytest.raises(ValidationError):
            services.member_leave(by=worker, member=member, reason="")
        services.member_leave(by=worker, member=member, reason="离职")
        with pytest.raises(ValidationError):
            services.member_transfer(by=worker, member=member, to_unit=city.chaoyang_station, reason="x")
        member = services.member_rejoin(by=worker, member=member, unit=city.chaoyang_station, reason="重新就业")
    assert member.status == MemberStatus.ACTIVE
    with scopes_disabled():
        kinds = [e.kind for e in member.events.order_by("id")]
    assert kinds == ["join", "leave", "rejoin"]


def test_merge_duplicates(city, worker):
    keep = register(worker, city.chaoyang_cju)
    typo = register(worker, city.chaoyang_cju, id_number=make_id(seq="125"))  # same person, mistyped ID
    with scope(org=worker.unit.path):
        assert typo in list(selectors.possible_duplicates(keep))
        services.member_merge(by=worker, keep=keep, duplicate=typo, reason="身份证号录入错误")
    typo.refresh_from_db()
    assert typo.status == MemberStatus.MERGED and typo.merged_into == keep
    with scopes_disabled():
        assert UnitCounts.objects.get(unit=city.chaoyang_cju).members == 2  # 张三 and the fixture's 周建国


def test_reveal_is_for_permitted_roles_and_audited(city, worker):
    member = register(worker, city.chaoyang_cju)
    with scope(org=worker.unit.path), pytest.raises(PermissionDenied):
        services.member_reveal(by=worker, member=member, field="id_number")
    officer = make_staff(city.chaoyang, "officer")
    with scope(org=officer.unit.path):
        assert services.member_reveal(by=officer, member=member, field="phone") == ZS_PHONE
    with scopes_disabled():
        entry = AuditEntry.objects.filter(action=AuditAction.REVEAL).get()
    assert entry.actor == officer and entry.note == "phone" and entry.object_id == str(member.pk)


def test_update_corrects_id_and_keeps_uniqueness(city, worker):
    register(worker, city.chaoyang_cju)
    other = register(worker, city.chaoyang_cju, name="李四", id_number=make_id(seq="456"), phone="13600000000")
    with scope(org=worker.unit.path):
        with pytest.raises(services.DuplicateMember):
            services.member_update(by=worker, member=other, id_number=ZS_ID)
        fixed = services.member_update(by=worker, member=other, id_number=make_id(seq="458"), name="李思")
    assert fixed.name == "李思" and fixed.name_initials == "ls"
    assert pii.decrypt(fixed.id_number_cipher) == make_id(seq="458")
    with scopes_disabled():
        entry = AuditEntry.objects.filter(object_type="members.member", action="update").latest("seq")
    assert set(entry.changes) == {"name", "id_number_masked"}


def test_key_rotation_keeps_old_rows_readable(city, worker, settings):
    import base64
    import os

    member = register(worker, city.chaoyang_cju)
    old_token = bytes(member.id_number_cipher)
    dev = pii.keys()
    old_key = base64.urlsafe_b64encode(dev.raw[1]).decode()
    new_key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    settings.PII_ENCRYPTION_KEYS = f"2:{new_key},1:{old_key}"
    settings.PII_HASH_KEY = base64.urlsafe_b64encode(dev.hash_key).decode()
    pii.reset_keys_cache()
    try:
        assert pii.decrypt(old_token) == ZS_ID
        assert pii.key_id_of(pii.encrypt("x")) == 2
    finally:
        pii.reset_keys_cache()


def test_rotation_command_moves_every_row_to_the_new_key(city, worker, settings):
    import base64
    import os

    from django.core.management import call_command

    register(worker, city.chaoyang_cju)
    dev = pii.keys()
    old = base64.urlsafe_b64encode(dev.raw[1]).decode()
    hash_key = base64.urlsafe_b64encode(dev.hash_key).decode()
    settings.PII_ENCRYPTION_KEYS = f"7:{base64.urlsafe_b64encode(os.urandom(32)).decode()},1:{old}"
    settings.PII_HASH_KEY = hash_key
    pii.reset_keys_cache()
    try:
        call_command("rotate_pii_keys")
        with scopes_disabled():
            rows = list(Member.objects.all())
            assert {pii.key_id_of(m.id_number_cipher) for m in rows} == {7}
            settings.PII_ENCRYPTION_KEYS = settings.PII_ENCRYPTION_KEYS.split(",")[0]  # the old key retired
            pii.reset_keys_cache()
            assert pii.decrypt(Member.objects.get(name="张三").id_number_cipher) == ZS_ID
            with scope(org=city.root.path):
                assert selectors.member_search(q=ZS_ID).count() == 1
    finally:
        pii.reset_keys_cache()
