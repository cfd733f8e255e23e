"""The city's 12351 settings services: routing rules, deadline policies, alert thresholds."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import make_staff
from gonghui.appeals import configuration
from gonghui.appeals.models import AlertRule, DeadlinePolicy, RoutingRule
from gonghui.appeals.services import route_appeal
from gonghui.core.models import AuditEntry
from gonghui.core.scoping import scope, scopes_disabled


@pytest.fixture
def city_admin(city):
    return make_staff(city.root, "unit_admin", username="city_admin")


@pytest.fixture
def district_admin(city):
    return make_staff(city.chaoyang, "unit_admin", username="cy_admin")


def audit_rows(obj):
    with scopes_disabled():
        return list(AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("seq"))


def rule_fields(city, **extra):
    return {
        "name": "朝阳区新就业形态诉求",
        "priority": 10,
        "category": "new_form",
        "district": city.chaoyang,
        "keyword": "",
        "target": city.chaoyang_station,
        **extra,
    }


def test_city_admin_creates_a_rule_that_routes_and_is_audited(city, city_admin):
    with scope(org=city_admin.unit.path):
        rule = configuration.routing_rule_create(by=city_admin, **rule_fields(city))
    unit, why = route_appeal(
        category="new_form", description="骑手被扣钱", employer=None, district=city.chaoyang, station=None, hint=None
    )
    assert unit == city.chaoyang_station and rule.name in why
    [entry] = audit_rows(rule)
    assert entry.action == "create" and entry.changes["target"] == [None, city.chaoyang_station.pk]
    assert entry.scope_path == city.root.path


def test_rule_update_records_old_and_new_values(city, city_admin):
    with scope(org=city_admin.unit.path):
        rule = configuration.routing_rule_create(by=city_admin, **rule_fields(city))
        configuration.routing_rule_update(by=city_admin, rule=rule, **rule_fields(city, priority=5, keyword="外卖"))
    with scopes_disabled():
        rule.refresh_from_db()
    assert rule.priority == 5 and rule.keyword == "外卖" and rule.updated_by == city_admin
    update = audit_rows(rule)[-1]
    assert update.action == "update" and update.changes == {"priority": [10, 5], "keyword": ["", "外卖"]}


def test_deactivated_rule_no_longer_routes(city, city_admin):
    with scope(org=city_admin.unit.path):
        rule = configuration.routing_rule_create(by=city_admin, **rule_fields(city))
        configuration.routing_rule_deactivate(by=city_admin, rule=rule)
        with pytest.raises(ValidationError):
            configuration.routing_rule_deactivate(by=city_admin, rule=rule)
    unit, _why = route_appeal(
        category="new_form", description="骑手被扣钱", employer=None, district=city.chaoyang, station=None, hint=None
    )
    assert unit == city.chaoyang
    assert audit_rows(rule)[-1].changes == {"is_active": [True, False]}


def test_rule_validation_messages_are_per_field_and_in_chinese(city, city_admin):
    with scope(org=city_admin.unit.path), pytest.raises(ValidationError) as e:
        configuration.routing_rule_create(
            by=city_admin, name="", priority=0, category="nope", district=city.chaoyang_station, target=None
        )
    errors = e.value.message_dict
    assert set(errors) == {"name", "priority", "category", "district", "target"}
    assert "规则名称" in errors["name"][0] and "区总工会" in errors["district"][0]


def test_a_rule_without_any_condition_is_refused(city, city_admin):
    with scope(org=city_admin.unit.path), pytest.raises(ValidationError) as e:
        configuration.routing_rule_create(by=city_admin, **rule_fields(city, category="", district=None, keyword=""))
    assert "全部诉求" in e.value.message_dict["keyword"][0]


def test_district_admin_is_refused_every_setting(city, district_admin):
    before = RoutingRule.objects.count()
    with scope(org=district_admin.unit.path):
        with pytest.raises(PermissionDenied):
            configuration.routing_rule_create(by=district_admin, **rule_fields(city))
        with pytest.raises(PermissionDenied):
            configuration.routing_rule_deactivate(by=district_admin, rule=city.routing_rule_hd)
        policy = DeadlinePolicy.objects.get(category="", difficulty="normal")
        with pytest.raises(PermissionDenied):
            configuration.deadline_policy_update(
                by=district_admin, policy=policy, accept_days=1, reply_days=2, resolve_days=3, remind_days=1
            )
        with pytest.raises(PermissionDenied):
            configuration.alert_thresholds_update(by=district_admin, kind="same_employer", threshold=2, window_days=7)
    assert RoutingRule.objects.count() == before
    assert AlertRule.objects.get(kind="same_employer").threshold == 3


def test_city_officer_without_configure_is_refused(city, city_officer):
    with pytest.raises(PermissionDenied):
        configuration.routing_rule_create(by=city_officer, **rule_fields(city))


@pytest.mark.parametrize(
    "days, field, text",
    [
        ({"accept_days": 0, "reply_days": 5, "resolve_days": 15, "remind_days": 1}, "accept_days", "1至60"),
        ({"accept_days": 1, "reply_days": 5, "resolve_days": 61, "remind_days": 1}, "resolve_days", "1至60"),
        ({"accept_days": 6, "reply_days": 5, "resolve_days": 15, "remind_days": 1}, "reply_days", "受理时限"),
        ({"accept_days": 1, "reply_days": 16, "resolve_days": 15, "remind_days": 1}, "resolve_days", "答复时限"),
        ({"accept_days": 1, "reply_days": 5, "resolve_days": 15, "remind_days": 5}, "remind_days", "少于答复时限"),
    ],
)
def test_deadline_policy_days_are_checked(city, city_admin, days, field, text):
    policy = DeadlinePolicy.objects.get(category="", difficulty="normal")
    with pytest.raises(ValidationError) as e:
        configuration.deadline_policy_update(by=city_admin, policy=policy, **days)
    assert text in e.value.message_dict[field][0]
    policy.refresh_from_db()
    assert (policy.accept_days, policy.reply_days, policy.resolve_days) == (1, 5, 15)


def test_deadline_policy_update_applies_and_is_audited(city, city_admin):
    policy = DeadlinePolicy.objects.get(category="", difficulty="normal")
    configuration.deadline_policy_update(
        by=city_admin, policy=policy, accept_days=2, reply_days=6, resolve_days=20, remind_days=2
    )
    from gonghui.appeals.services import deadline_days

    assert deadline_days("contract", "normal") == (2, 6, 20, 2)
    entry = audit_rows(policy)[-1]
    assert entry.changes == {
        "accept_days": [1, 2],
        "reply_days": [5, 6],
        "resolve_days": [15, 20],
        "remind_days": [1, 2],
    }


def test_deadline_policy_for_a_category_once(city, city_admin):
    policy = configuration.deadline_policy_create(
        by=city_admin,
        category="work_injury",
        difficulty="normal",
        accept_days=1,
        reply_days=4,
        resolve_days=20,
        remind_days=1,
    )
    assert audit_rows(policy)[0].action == "create"
    with pytest.raises(ValidationError) as e:
        configuration.deadline_policy_create(
            by=city_admin,
            category="work_injury",
            difficulty="normal",
            accept_days=1,
            reply_days=4,
            resolve_days=20,
            remind_days=1,
        )
    assert "已存在" in e.value.message_dict["category"][0]


def test_alert_thresholds_keep_one_keyword_a_line(city, city_admin):
    rule = configuration.alert_thresholds_update(
        by=city_admin,
        kind="keywords",
        threshold=1,
        window_days=15,
        keywords=" 停工\n\n罢工 \n停工\n",
        holiday_keywords="欠薪",
    )
    assert rule.keyword_list() == ["停工", "罢工"] and rule.updated_by == city_admin
