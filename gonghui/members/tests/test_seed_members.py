"""``manage.py seed_city --members N``: valid, unique, deterministic members, stored like the services store them."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection

from conftest import make_staff
from gonghui.accounts.models import Staff
from gonghui.core import pii
from gonghui.core.scoping import scope, scopes_disabled, user_scope
from gonghui.members import seeding, selectors, services
from gonghui.members.identity import id_check_char, name_pinyin, parse_id_number, parse_mobile
from gonghui.members.models import Member, MembershipEvent, MembershipEventKind, MemberStatus
from gonghui.orgs import demo_data
from gonghui.orgs.management.commands.seed_city import DEFAULT_SEED
from gonghui.orgs.models import Unit, UnitCounts, UnitKind

SCALE = 0.02
MEMBERS = 300
NEW_FORM_UNIT_KINDS = {UnitKind.COMMUNITY_JOINT_UNION, UnitKind.STREET_STATION, UnitKind.COMMUNITY_STATION}


def seed(*args, **options):
    out = io.StringIO()
    call_command("seed_city", *args, scale=SCALE, stdout=out, **options)
    return out.getvalue()


def members():
    with scopes_disabled():
        return list(Member.objects.select_related("unit", "employer", "employer__unit").order_by("id"))


def fingerprint():
    """What a person is, independent of ids and ciphertexts (AES-GCM uses a random nonce)."""
    return sorted(
        (
            m.name,
            pii.decrypt(m.id_number_cipher),
            pii.decrypt(m.phone_cipher),
            m.unit.path,
            m.employer.uscc if m.employer else None,
            m.is_new_form_worker,
            m.platform,
            m.status,
            m.joined_on,
            m.left_on,
        )
        for m in members()
    )


@pytest.mark.django_db
def test_every_member_is_valid_and_stored_exactly_as_the_services_store_it():
    seed(members=MEMBERS, quiet=True)
    rows = members()
    assert len(rows) == MEMBERS
    for m in rows:
        id_number, phone = pii.decrypt(m.id_number_cipher), pii.decrypt(m.phone_cipher)
        identity = parse_id_number(id_number)
        assert parse_mobile(phone) == phone
        clean = services.clean_member_input(
            name=m.name,
            id_number=id_number,
            phone=phone,
            is_new_form_worker=m.is_new_form_worker,
            platform=m.platform,
        )
        expected = clean.fields()
        for cipher in ("id_number_cipher", "phone_cipher"):
            expected.pop(cipher)
        assert {field: getattr(m, field) for field in expected} == expected, m.name
        assert (m.birth_date, m.sex) == (identity.birth_date, identity.sex)
        assert 18 <= (seeding.AS_OF - m.birth_date).days / 365.25 < 61
        assert dt.date(1990, 1, 1) <= m.joined_on <= seeding.AS_OF
        assert m.merged_into_id is None
    assert len({pii.decrypt(m.id_number_cipher) for m in rows}) == MEMBERS
    assert len({m.id_number_hash for m in rows}) == MEMBERS
    assert len({m.phone_hash for m in rows}) == MEMBERS


@pytest.mark.django_db
def test_identity_numbers_come_from_beijing_and_from_the_provinces_migrants_come_from():
    seed(members=MEMBERS, quiet=True)
    regions = [pii.decrypt(m.id_number_cipher)[:6] for m in members()]
    migrant_codes = {code for _, _, codes in demo_data.MIGRANT_ID_REGIONS for code in codes}
    assert set(regions) <= set(demo_data.BEIJING_ID_REGIONS) | migrant_codes
    migrants = sum(region in migrant_codes for region in regions) / len(regions)
    assert 0.25 <= migrants <= 0.5
    sexes = Counter(m.sex for m in members())
    assert min(sexes.values()) > MEMBERS * 0.35


@pytest.mark.django_db
def test_members_spread_over_enterprise_unions_covering_units_and_new_form_workers():
    seed(members=MEMBERS, quiet=True)
    rows = members()
    new_form = [m for m in rows if m.is_new_form_worker]
    assert 0.05 * MEMBERS <= len(new_form) <= 0.25 * MEMBERS
    assert all(m.platform for m in new_form)
    assert sum(m.employer is None for m in new_form) > len(new_form) / 2
    for m in new_form:
        if m.employer is None:
            assert m.unit.kind in NEW_FORM_UNIT_KINDS
    with_employer = [m for m in rows if m.employer is not None]
    assert all(m.employer.unit_id == m.unit_id for m in with_employer)
    own_union = [m for m in with_employer if m.employer.has_own_union]
    assert len(own_union) > MEMBERS / 2
    assert any(not m.employer.has_own_union for m in with_employer)
    # 朝阳 and 海淀 are the biggest districts.
    with scopes_disabled():
        districts = {u.path: u.name for u in Unit.objects.filter(kind=UnitKind.DISTRICT_UNION)}
    by_district = Counter(districts.get(m.unit.path[:8]) for m in rows)
    top_two = {name for name, _ in by_district.most_common(2)}
    assert top_two & {"北京市朝阳区总工会", "北京市海淀区总工会"}
    left = [m for m in rows if m.status == MemberStatus.LEFT]
    assert all(m.joined_on <= m.left_on <= seeding.AS_OF for m in left)
    assert all(m.left_on is None for m in rows if m.status == MemberStatus.ACTIVE)
    assert len(left) < MEMBERS * 0.1


@pytest.mark.django_db
def test_every_member_has_a_join_event_and_those_who_left_a_leave_event():
    seed(members=MEMBERS, quiet=True)
    rows = {m.pk: m for m in members()}
    with scopes_disabled():
        events = list(MembershipEvent.objects.all())
    joins = [e for e in events if e.kind == MembershipEventKind.JOIN]
    assert sorted(e.member_id for e in joins) == sorted(rows)
    for e in joins:
        assert (e.to_unit_id, e.occurred_on, e.from_unit_id) == (
            rows[e.member_id].unit_id,
            rows[e.member_id].joined_on,
            None,
        )
    leaves = [e for e in events if e.kind == MembershipEventKind.LEAVE]
    assert sorted(e.member_id for e in leaves) == sorted(pk for pk, m in rows.items() if m.status == MemberStatus.LEFT)
    for e in leaves:
        assert (e.from_unit_id, e.occurred_on) == (rows[e.member_id].unit_id, rows[e.member_id].left_on)
    assert len(events) == len(joins) + len(leaves)


@pytest.mark.django_db
def test_unit_counts_equal_the_active_members_of_each_unit():
    seed(members=MEMBERS, quiet=True)
    seed(members=MEMBERS + 100, quiet=True)  # a top-up adds to the counts
    active = Counter(m.unit_id for m in members() if m.status == MemberStatus.ACTIVE)
    with scopes_disabled():
        counts = dict(UnitCounts.objects.values_list("unit_id", "members"))
    assert {pk: n for pk, n in counts.items() if n} == dict(active)
    assert sum(counts.values()) == sum(active.values()) > MEMBERS


@pytest.mark.django_db
def test_same_seed_gives_the_same_members_after_a_reset():
    seed(members=MEMBERS, quiet=True)
    first = fingerprint()
    seed(reset=True, force=True, members=MEMBERS, quiet=True)
    assert fingerprint() == first
    seed(reset=True, force=True, members=MEMBERS, quiet=True, seed=7)
    assert {row[1] for row in fingerprint()}.isdisjoint({row[1] for row in first})


@pytest.mark.django_db
def test_running_again_with_the_same_number_adds_nothing_and_a_larger_number_continues_the_sequence():
    seed(members=200, quiet=True)
    out = seed(members=MEMBERS)
    assert "already loaded" in out and "100 added" in out
    topped_up = fingerprint()
    out = seed(members=MEMBERS)
    assert "none added" in out
    assert len(members()) == MEMBERS
    # Member k is the same person whether it came in the first run or in a top-up.
    seed(reset=True, force=True, members=MEMBERS, quiet=True)
    assert fingerprint() == topped_up


@pytest.mark.django_db
def test_top_up_skips_a_number_already_registered_by_hand():
    seed(members=10, quiet=True)
    with scopes_disabled():
        admin = Staff.objects.get(username="city_admin")
        root = Unit.objects.get(depth=1)
        # After this registration the top-up starts at ordinal 11: register that person's number.
        generator = seeding.MemberGenerator(seed=DEFAULT_SEED, targets=seeding.CityTargets())
        taken = next(generator.people(start=11))
    with scope(org=root.path):
        by_hand = services.member_create(
            by=admin, name="周建国", id_number=taken.id_number, phone="13900000000", unit=root
        )
    seed(members=20, quiet=True)
    rows = members()
    assert len(rows) == 20
    numbers = [pii.decrypt(m.id_number_cipher) for m in rows]
    assert numbers.count(taken.id_number) == 1
    assert len(set(numbers)) == 20
    assert next(m for m in rows if m.pk == by_hand.pk).name == "周建国"


@pytest.mark.django_db
def test_a_generated_member_is_found_by_id_number_phone_and_pinyin_within_scope():
    seed(members=MEMBERS, quiet=True)
    with scopes_disabled():
        chaoyang = Unit.objects.get(kind=UnitKind.DISTRICT_UNION, name="北京市朝阳区总工会")
        member = next(m for m in members() if m.unit.path.startswith(chaoyang.path))
        id_number, phone = pii.decrypt(member.id_number_cipher), pii.decrypt(member.phone_cipher)
        assert list(selectors.member_search(q=id_number)) == [member]
        assert member in selectors.member_search(q=phone)
        assert member in selectors.member_search(q=member.name_initials)
        parent = Staff.objects.get(username="city_officer")
        outsider = Staff.objects.get(username="haidian_officer")
    officer = make_staff(chaoyang, "officer", username="seed_cy_officer")
    for staff, sees in ((officer, True), (parent, True), (outsider, False)):
        with user_scope(staff):
            assert list(selectors.member_search(q=id_number)) == ([member] if sees else []), staff.username


def test_identity_space_makes_the_check_character_of_identity():
    # The check character comes from precomputed partial sums; it must agree with identity.py.
    births = seeding._birth_dates()
    space = seeding.IdentitySpace(demo_data.BEIJING_ID_REGIONS, births, "test")
    for ordinal in range(0, 200_000, 997):
        number, day = space.number(ordinal)
        assert number[17] == id_check_char(number[:17])
        assert number[6:14] == births[day].strftime("%Y%m%d")


def test_shuffle_is_a_permutation():
    for size in (1, 2, 7, 1000, 65_537):
        shuffle = seeding.Shuffle(size, "test")
        assert sorted(shuffle(x) for x in range(size)) == list(range(size))


def test_every_name_the_pools_can_make_has_its_parts_pinyin():
    # The generator joins cached surname and given-name pinyin; that is only right if no name the
    # pools can make reads differently as a whole (于思 reads "yu sai", so 思 is not in the pools).
    givens = {a + b for first, second in demo_data.GIVEN_NAMES.values() for a in first for b in second}
    givens |= {c for chars in demo_data.SINGLE_GIVEN_NAMES.values() for c in chars}
    parts = {text: name_pinyin(text) for text in givens | {s for s, _ in demo_data.MEMBER_SURNAMES}}
    wrong = [
        surname + given
        for surname, _ in demo_data.MEMBER_SURNAMES
        for given in givens
        if name_pinyin(surname + given) != (parts[surname][0] + parts[given][0], parts[surname][1] + parts[given][1])
    ]
    assert wrong == []


@pytest.mark.django_db
def test_each_chunk_commits_members_events_and_counts_together():
    seed(quiet=True)
    with scopes_disabled():
        result = seeding.seed_members(total=250, seed=1, commit_rows=100)  # chunks of 100, 100 and 50
        assert (result.added, result.total) == (250, 250)
        assert MembershipEvent.objects.filter(kind=MembershipEventKind.JOIN).count() == 250
        active = Member.objects.filter(status=MemberStatus.ACTIVE).count()
        assert sum(UnitCounts.objects.values_list("members", flat=True)) == active
    ids = [m.pk for m in members()]
    assert len(set(ids)) == 250
    assert connection.vendor in ("sqlite", "postgresql")
