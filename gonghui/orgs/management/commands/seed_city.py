"""``manage.py seed_city``: load a demo Beijing (北京市工会三级服务体系) into an empty database.

The tree is built in memory and written with ``bulk_create``: materialised paths are
computed here in treebeard's own format (``Unit._get_path``, 4 characters a level) with
``depth`` and ``numchild`` set, so the result is exactly what ``add_child`` would have made,
in a few statements instead of thousands. Per-unit counts are computed in Python and
written once per unit. Only the city root goes through ``services.unit_create_root``.

Everything is drawn from one ``random.Random(seed)``, in a fixed order: the same seed and
scale give the same names, paths and credit codes on every run and every database.

``--members N`` then adds member workers (会员) until there are N, through
``gonghui.members.seeding`` (COPY on PostgreSQL, committed in chunks; see there).
"""

import base64
import hashlib
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from random import Random

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, ProtectedError, Q, Sum
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import Staff, StaffRole
from gonghui.accounts.roles import Role
from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.scoping import scopes_disabled
from gonghui.members import seeding
from gonghui.members.models import Member, MembershipEvent
from gonghui.orgs import demo_data as data
from gonghui.orgs import services
from gonghui.orgs.models import (
    Employer,
    EmployerSize,
    Ownership,
    ServicePoint,
    ServicePointKind,
    Unit,
    UnitCounts,
    UnitKind,
)
from gonghui.orgs.validators import USCC_ALPHABET, uscc_check_char

DEFAULT_SEED = 2013
DEFAULT_SCALE = 0.25
BATCH = 1000

KIND_LABELS = (
    (UnitKind.CITY_FEDERATION, "市总工会", "City federation"),
    (UnitKind.DISTRICT_UNION, "区总工会", "District/county unions"),
    (UnitKind.STREET_STATION, "街道（乡镇）工会服务站", "Street/town service stations"),
    (UnitKind.COMMUNITY_STATION, "社区（楼宇）工会服务站", "Community/building stations"),
    (UnitKind.COMMUNITY_JOINT_UNION, "社区联合工会", "Community joint unions"),
    (UnitKind.INDUSTRY_UNION, "产业工会", "Industry unions"),
    (UnitKind.BUREAU_UNION, "局（总公司）工会", "Bureau/company unions"),
    (UnitKind.ENTERPRISE_UNION, "企业工会", "Enterprise unions"),
)
POINT_LABELS_EN = {
    ServicePointKind.SERVICE_CENTRE: "worker service centres",
    ServicePointKind.WORKER_HOME: "worker homes",
    ServicePointKind.ACTIVITY_CENTRE: "worker activity centres",
    ServicePointKind.BOOK_HOUSE: "worker book houses",
    ServicePointKind.MOTHER_BABY_ROOM: "mother-and-baby rooms",
    ServicePointKind.OUTDOOR_REST_STATION: "outdoor-worker rest stations",
    ServicePointKind.TAXI_DRIVER_HOME: "taxi-driver homes",
    ServicePointKind.KIOSK: "self-service kiosks",
}


def totp_key_for(username: str) -> str:
    """A fixed demo key (20 bytes, hex) so the printed secret stays valid across re-seeds."""
    return hashlib.sha1(f"gonghui-demo-{username}".encode()).hexdigest()


def totp_secret_for(key_hex: str) -> str:
    """The base32 form an authenticator app asks for."""
    return base64.b32encode(bytes.fromhex(key_hex)).decode("ascii")


@dataclass
class Place:
    """Where a unit is: its district, a point on the map and a street address."""

    district: data.District
    lat: float
    lng: float
    address: str
    base: str = ""  # street/town place name without 街道/镇 (stations and their children)
    road: str = ""


@dataclass
class StationPlan:
    unit: Unit
    place: Place
    joint_unions: int = 1
    community_stations: list[str] = field(default_factory=list)
    enterprise_unions: int = 0
    communities: list[str] = field(default_factory=list)


class CitySeeder:
    """Builds the demo city in memory, then writes it. One instance, one run."""

    def __init__(self, *, seed: int, scale: float):
        self.rng = Random(seed)
        self.scale = scale
        self.units: list[Unit] = []
        self.places: dict[int, Place] = {}  # id(unit) → place; pks do not exist yet
        self.numchild: Counter = Counter()
        self.employers: list[Employer] = []
        self.points: list[ServicePoint] = []
        self.usccs: set[str] = set()
        self.company_names: set[str] = set()
        self.point_names: set[tuple[str, int]] = set()
        self.district_units: dict[str, Unit] = {}
        self.stations: list[StationPlan] = []
        self.joint_unions: list[Unit] = []
        self.community_stations: list[Unit] = []
        self.enterprise_unions: list[Unit] = []
        self.bureau_unions: list[Unit] = []

    # --- small generators ----------------------------------------------------------------------------

    def person(self) -> str:
        rng = self.rng
        given = rng.choice(data.GIVEN_NAME_CHARS)
        if rng.random() < 0.7:
            given += rng.choice(data.GIVEN_NAME_CHARS)
        return rng.choice(data.SURNAMES) + given

    def phone(self) -> str:
        return f"010-{self.rng.choice('68')}{self.rng.randrange(10**7):07d}"

    def brand(self) -> str:
        first, second = self.rng.sample(data.BRAND_CHARS, 2)
        return first + second

    def jitter(self, lat: float, lng: float, spread: float) -> tuple[float, float]:
        lat = min(max(lat + self.rng.uniform(-spread, spread), data.LAT_RANGE[0]), data.LAT_RANGE[1])
        lng = min(max(lng + self.rng.uniform(-spread, spread), data.LNG_RANGE[0]), data.LNG_RANGE[1])
        return lat, lng

    def street_address(self, district: data.District, road: str | None = None) -> tuple[str, str]:
        road = road or self.rng.choice(district.roads)
        return f"{district.address_prefix}{road}{self.rng.randint(1, 199)}号", road

    def uscc(self, region: str, authority: str = "91", recent: bool = False) -> str:
        """A valid, unused unified social credit code (GB 32100-2015).

        Positions 9–17 are random; codes issued since 2015 mostly begin them with "MA".
        """
        rng = self.rng
        while True:
            body = ("MA" if recent else "") + "".join(rng.choices(USCC_ALPHABET, k=7 if recent else 9))
            first17 = authority + region + body
            code = first17 + uscc_check_char(first17)
            if code not in self.usccs:
                self.usccs.add(code)
                return code

    def industry_for(self, district: data.District) -> str:
        weights = data.INDUSTRY_WEIGHTS if district.urban >= 2 else data.OUTER_INDUSTRY_WEIGHTS
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def company_name(self, industry: str, suffix: str = "有限公司") -> str:
        for _ in range(200):
            name = f"北京{self.brand()}{self.rng.choice(data.INDUSTRY_WORDS[industry])}{suffix}"
            if name not in self.company_names:
                self.company_names.add(name)
                return name
        # Only reachable far beyond full scale; a number keeps the name unique.
        name = f"{name[: -len(suffix)]}{len(self.company_names)}{suffix}"
        self.company_names.add(name)
        return name

    def headcount(self, size: str) -> int:
        rng = self.rng
        if size == EmployerSize.MICRO:
            return rng.randint(2, 9)
        if size == EmployerSize.SMALL:
            return rng.randint(10, 99)
        if size == EmployerSize.MEDIUM:
            return rng.randint(100, 999)
        return int(1000 * 10 ** rng.uniform(0, 1.3))

    def weighted_district(self, core_only: bool = False) -> data.District:
        districts = [d for d in data.DISTRICTS if d.code and (d.urban == 3 or not core_only)]
        return self.rng.choices(districts, weights=[d.urban for d in districts])[0]

    # --- the tree ------------------------------------------------------------------------------------

    def add_unit(self, parent: Unit, place: Place | None = None, **fields) -> Unit:
        """A child of ``parent`` at the next free position, as treebeard's ``add_child`` would."""
        self.numchild[id(parent)] += 1
        position = self.numchild[id(parent)]
        depth = parent.depth + 1
        unit = Unit(path=Unit._get_path(parent.path, depth, position), depth=depth, numchild=0, **fields)
        parent.numchild = position
        self.units.append(unit)
        if place is not None:
            self.places[id(unit)] = place
        return unit

    def add_employer(
        self,
        *,
        unit: Unit,
        district: data.District,
        name: str,
        industry: str,
        ownership: str,
        size: str,
        has_own_union: bool,
        uscc: str,
        place: Place | None = None,
    ) -> Employer:
        address = place.address if place else self.street_address(district)[0]
        if not has_own_union:
            # Small firms share buildings: give them a room, not a whole house number.
            address += f"{self.rng.randint(1, 12)}号楼{self.rng.randint(1, 20)}{self.rng.randint(1, 30):02d}室"
        employer = Employer(
            name=name,
            uscc=uscc,
            industry=industry,
            ownership=ownership,
            size=size,
            headcount=self.headcount(size),
            address=address[:200],
            district=self.district_units[district.short],
            unit=unit,
            has_own_union=has_own_union,
            contact_name=self.person(),
            contact_phone=self.phone(),
        )
        self.employers.append(employer)
        return employer

    def build(self, root: Unit) -> None:
        self.root = root
        self.build_districts()
        self.build_industry_line()
        self.plan_stations()
        for plan in self.stations:
            self.build_station(plan)
        self.build_district_enterprises()
        self.build_bureaus()
        self.build_small_firms()
        self.build_service_points()
        # Members (会员) come after the city is committed, in chunks of their own:
        # ``--members N``, gonghui.members.seeding.

    def build_districts(self) -> None:
        for district in data.DISTRICTS:
            lat, lng = self.jitter(*district.centre, district.spread / 4)
            address, road = self.street_address(district)
            place = Place(district, lat, lng, address, road=road)
            unit = self.add_unit(
                self.root,
                place,
                name=district.name,
                short_name=district.short_name,
                kind=UnitKind.DISTRICT_UNION,
                division_code=district.code,
                address=address,
                phone=self.phone(),
                chair_name=self.person(),
            )
            self.district_units[district.short] = unit

    def build_industry_line(self) -> None:
        # Industry unions sit under the city next to the districts; their bureaus are
        # added after the local line so that the local paths do not depend on the scale
        # of the industry line.
        self.industry_units = []
        for industry in data.INDUSTRY_UNIONS:
            address, road = self.street_address(self.weighted_district(core_only=True))
            unit = self.add_unit(
                self.root,
                name=industry.name,
                short_name=industry.short,
                kind=UnitKind.INDUSTRY_UNION,
                address=address,
                phone=self.phone(),
                chair_name=self.person(),
            )
            self.industry_units.append((industry, unit))

    def plan_stations(self) -> None:
        rng, scale = self.rng, self.scale
        for district in data.DISTRICTS:
            parent = self.district_units[district.short]
            for number, street in enumerate(district.streets, start=1):
                lat, lng = self.jitter(*district.centre, district.spread)
                address, road = self.street_address(district)
                base = street
                for suffix in data.PLACE_SUFFIXES:
                    if base.endswith(suffix) and len(base) - len(suffix) >= 2:
                        base = base[: -len(suffix)]
                        break
                unit = self.add_unit(
                    parent,
                    name=f"{street}工会服务站",
                    short_name=f"{street}服务站",
                    kind=UnitKind.STREET_STATION,
                    division_code=f"{district.code}{number:03d}" if district.code else "",
                    address=address,
                    phone=self.phone(),
                    chair_name=self.person(),
                )
                place = Place(district, lat, lng, address, base=base, road=road)
                self.places[id(unit)] = place
                self.stations.append(StationPlan(unit, place))

        weights = [plan.place.district.urban for plan in self.stations]
        n = len(self.stations)
        # Community joint unions: at least one per station, the rest where the firms are.
        target = max(n, round(data.FULL_COMMUNITY_JOINT_UNIONS * scale))
        for i in rng.choices(range(n), weights=weights, k=target - n):
            if self.stations[i].joint_unions < len(data.COMMUNITY_SUFFIXES):
                self.stations[i].joint_unions += 1
        # Community and building stations: the well-known buildings first.
        target = round(data.FULL_COMMUNITY_STATIONS * scale)
        by_street = {(p.place.district.short, p.unit.name.removesuffix("工会服务站")): p for p in self.stations}
        for district, street, building in data.BUILDINGS[:target]:
            by_street[(district, street)].community_stations.append(building)
        for i in rng.choices(range(n), weights=weights, k=max(0, target - len(data.BUILDINGS))):
            self.stations[i].community_stations.append("")  # named when the station is built
        target = round(n * data.ENTERPRISE_UNIONS_PER_STATION * scale)
        for i in rng.choices(range(n), weights=weights, k=target):
            self.stations[i].enterprise_unions += 1

    def build_station(self, plan: StationPlan) -> None:
        rng = self.rng
        station, place = plan.unit, plan.place
        district = place.district
        suffixes = rng.sample(data.COMMUNITY_SUFFIXES, plan.joint_unions)
        for number, suffix in enumerate(suffixes, start=1):
            community = f"{place.base}{suffix}社区"
            plan.communities.append(community)
            address, road = self.street_address(district, rng.choice([place.road, *district.roads]))
            unit = self.add_unit(
                station,
                Place(district, *self.jitter(place.lat, place.lng, 0.01), address, base=place.base, road=road),
                name=f"{community}联合工会",
                short_name=community,
                kind=UnitKind.COMMUNITY_JOINT_UNION,
                division_code=f"{station.division_code}{number:03d}" if station.division_code else "",
                address=address,
                phone=self.phone(),
                chair_name=self.person(),
            )
            self.joint_unions.append(unit)

        names = set()
        free_communities = list(plan.communities)
        free_buildings = [f"{place.base}{suffix}" for suffix in data.BUILDING_SUFFIXES]
        for building in plan.community_stations:
            if building:
                name = f"{building}楼宇工会服务站"
            elif free_buildings and ((district.urban >= 2 and rng.random() < 0.5) or not free_communities):
                name = f"{free_buildings.pop(rng.randrange(len(free_buildings)))}楼宇工会服务站"
            elif free_communities:
                name = f"{free_communities.pop(rng.randrange(len(free_communities)))}工会服务站"
            else:
                continue  # only at scales far above 1: the station has run out of names
            if name in names:
                continue
            names.add(name)
            address, road = self.street_address(district, rng.choice([place.road, *district.roads]))
            unit = self.add_unit(
                station,
                Place(district, *self.jitter(place.lat, place.lng, 0.01), address, base=place.base, road=road),
                name=name,
                short_name=name.removesuffix("工会服务站") + "服务站",
                kind=UnitKind.COMMUNITY_STATION,
                address=address,
                phone=self.phone(),
                chair_name=self.person(),
            )
            self.community_stations.append(unit)

        for _ in range(plan.enterprise_unions):
            industry = self.industry_for(district)
            size = rng.choices(EmployerSize.values, weights=(10, 55, 30, 5))[0]
            ownership = rng.choices(Ownership.values, weights=(8, 85, 7))[0]
            self.add_enterprise(station, district, industry, size, ownership, self.company_name(industry))

    def add_enterprise(
        self,
        parent: Unit,
        district: data.District,
        industry: str,
        size: str,
        ownership: str,
        name: str,
        authority: str = "91",
    ) -> Unit:
        """An employer with its own union (已单独建会): the union unit and the employer record."""
        address, road = self.street_address(district)
        place = Place(district, *self.jitter(*district.centre, district.spread), address, road=road)
        unit = self.add_unit(
            parent,
            place,
            name=f"{name}工会",
            kind=UnitKind.ENTERPRISE_UNION,
            division_code="",
            address=address,
            phone=self.phone(),
            chair_name=self.person(),
        )
        self.enterprise_unions.append(unit)
        recent = size in (EmployerSize.MICRO, EmployerSize.SMALL) and self.rng.random() < 0.6
        self.add_employer(
            unit=unit,
            district=district,
            name=name,
            industry=industry,
            ownership=ownership,
            size=size,
            has_own_union=True,
            uscc=self.uscc(district.uscc_region, authority, recent=recent),
            place=place,
        )
        return unit

    def build_district_enterprises(self) -> None:
        """Large firms whose unions report straight to the district union."""
        per_district = max(1, round(4 * self.scale))
        for district in data.DISTRICTS:
            for _ in range(per_district):
                industry = self.industry_for(district)
                ownership = self.rng.choices(Ownership.values, weights=(50, 45, 5))[0]
                name = self.company_name(industry, "股份有限公司")
                size = self.rng.choice((EmployerSize.LARGE, EmployerSize.LARGE, EmployerSize.MEDIUM))
                self.add_enterprise(self.district_units[district.short], district, industry, size, ownership, name)

    def build_bureaus(self) -> None:
        rng = self.rng
        districts_with_code = [d for d in data.DISTRICTS if d.code]
        for industry, industry_unit in self.industry_units:
            wanted = max(1, round(industry.full_count * self.scale))
            bureaus = list(industry.bureaus[:wanted])
            while len(bureaus) < wanted:
                pattern = industry.extra_pattern
                for _ in range(50):
                    name = pattern.format(brand=self.brand(), abbr=rng.choice(districts_with_code).abbr)
                    if name not in self.company_names:
                        break
                else:
                    name = pattern.format(brand=self.brand() + str(len(bureaus)), abbr="")
                self.company_names.add(name)
                bureaus.append(data.Bureau(name, "", industry.extra_industry, industry.extra_authority))
            for bureau in bureaus:
                self.build_bureau(industry, industry_unit, bureau, districts_with_code)

    def build_bureau(self, industry, industry_unit: Unit, bureau: data.Bureau, districts) -> None:
        rng = self.rng
        state_run = bureau.authority != "91"
        hq_district = self.weighted_district(core_only=True)
        address, road = self.street_address(hq_district)
        place = Place(hq_district, *self.jitter(*hq_district.centre, hq_district.spread), address, road=road)
        unit = self.add_unit(
            industry_unit,
            place,
            name=f"{bureau.name}工会",
            short_name=f"{bureau.short}工会" if bureau.short else "",
            kind=UnitKind.BUREAU_UNION,
            address=address,
            phone=self.phone(),
            chair_name=self.person(),
        )
        self.bureau_unions.append(unit)
        # Groups and institutions registered with the city carry the city's code (110000).
        self.add_employer(
            unit=unit,
            district=hq_district,
            name=bureau.name,
            industry=bureau.industry,
            ownership=Ownership.OTHER if state_run else Ownership.STATE_OWNED,
            size=EmployerSize.LARGE,
            has_own_union=True,
            uscc=self.uscc(data.CITY_CODE, bureau.authority),
            place=place,
        )
        wanted = rng.randint(2, 5)
        branches: list[tuple[str, data.District]] = []
        if bureau.branches:
            for name in rng.sample(bureau.branches, min(wanted, len(bureau.branches))):
                branches.append((name, self.weighted_district()))
        else:
            for _ in range(wanted * 3):
                if len(branches) >= wanted:
                    break
                district = rng.choice(districts)
                name = bureau.name + rng.choice(industry.branch_patterns).format(abbr=district.abbr)
                if name in self.company_names:
                    continue
                self.company_names.add(name)
                branches.append((name, district))
        for name, district in branches:
            self.add_enterprise(
                unit,
                district,
                bureau.industry,
                rng.choices((EmployerSize.SMALL, EmployerSize.MEDIUM, EmployerSize.LARGE), weights=(10, 50, 40))[0],
                Ownership.OTHER if state_run else Ownership.STATE_OWNED,
                name,
                authority="12" if state_run else "91",
            )

    def build_small_firms(self) -> None:
        """Firms without their own union, covered by a joint union or a station (未单独建会).

        ``--scale`` thins both the covering units and the firms each covers, so employers
        grow with its square: 1.0 gives the report's 57,500 micro-enterprises, 0.25 about 3,600.
        """
        rng, scale = self.rng, self.scale
        groups = (
            (self.joint_unions, data.FULL_MICRO_ENTERPRISES * scale * scale, (92, 8)),
            (
                self.community_stations,
                data.FULL_COMMUNITY_STATIONS * data.FIRMS_PER_COMMUNITY_STATION * scale * scale,
                (60, 40),
            ),
            (
                [p.unit for p in self.stations],
                len(self.stations) * data.FIRMS_PER_STATION_DIRECT * scale * scale,
                (80, 20),
            ),
        )
        for covering, target, size_weights in groups:
            if not covering:
                continue
            weights = [self.places[id(u)].district.urban for u in covering]
            for index in rng.choices(range(len(covering)), weights=weights, k=round(target)):
                unit = covering[index]
                place = self.places[id(unit)]
                industry = self.industry_for(place.district)
                size = rng.choices((EmployerSize.MICRO, EmployerSize.SMALL), weights=size_weights)[0]
                self.add_employer(
                    unit=unit,
                    district=place.district,
                    name=self.company_name(industry),
                    industry=industry,
                    ownership=rng.choices((Ownership.NON_PUBLIC, Ownership.OTHER), weights=(95, 5))[0],
                    size=size,
                    has_own_union=False,
                    uscc=self.uscc(place.district.uscc_region, recent=rng.random() < 0.7),
                    place=Place(
                        place.district, place.lat, place.lng, self.street_address(place.district, place.road)[0]
                    ),
                )

    # --- service points (阵地) ------------------------------------------------------------------------

    def add_point(
        self, kind: str, name: str, unit: Unit, *, lat: float, lng: float, address: str, floor: str | None = None
    ) -> None:
        # Names repeat across districts (two 八里庄街道), never within one host.
        if (name, id(unit)) in self.point_names:
            return
        self.point_names.add((name, id(unit)))
        rng = self.rng
        text = data.SERVICE_POINT_TEXT[kind]
        code = f"sp-{len(self.points) + 1:06d}"

        def some(items, low):
            # A subset in the original order: lists read like a notice, not a shuffle.
            keep = set(rng.sample(range(len(items)), rng.randint(min(low, len(items)), len(items))))
            return "\n".join(item for i, item in enumerate(items) if i in keep)

        floor = floor or rng.choice(("一层", "二层", "一层东侧", "一层西侧", "三层"))
        staff = "\n".join(f"{self.person()} {title}" for title in text["staff_titles"][: rng.randint(2, 5)])
        self.points.append(
            ServicePoint(
                kind=kind,
                name=name,
                code=code,
                unit=unit,
                address=address[:200],
                latitude=Decimal(f"{lat:.6f}"),
                longitude=Decimal(f"{lng:.6f}"),
                opening_hours=rng.choice(text["hours"]),
                facilities=some(text["facilities"], 2),
                sign_and_place=f"{name}\n{address}{floor}，面积约{rng.randint(*text['area'])}平方米",
                chair_name=unit.chair_name or self.person(),
                chair_phone=self.phone(),
                chair_email=f"{code}@example.org",
                staff_on_duty=staff,
                rules=some(text["rules"], 3),
                service_items=some(text["items"], 3),
                procedures="\n".join(text["steps"]),
            )
        )

    def label_of(self, unit: Unit) -> str:
        return unit.name.removesuffix("工会服务站").removesuffix("工会")

    def build_service_points(self) -> None:
        rng = self.rng
        sp = ServicePointKind
        # The city centre and one per district: the top two levels of the service system.
        lat, lng = self.jitter(39.933, 116.417, 0.002)
        self.add_point(
            sp.SERVICE_CENTRE,
            data.CITY_SERVICE_CENTRE,
            self.root,
            lat=lat,
            lng=lng,
            address=data.CITY_SERVICE_CENTRE_ADDRESS,
        )
        for district in data.DISTRICTS:
            unit = self.district_units[district.short]
            place = self.places[id(unit)]
            self.add_point(
                sp.SERVICE_CENTRE,
                f"{district.label}职工服务中心",
                unit,
                lat=place.lat,
                lng=place.lng,
                address=place.address,
            )
        # Every station runs a worker home (职工之家).
        for plan in self.stations:
            place = plan.place
            self.add_point(
                sp.WORKER_HOME,
                f"{self.label_of(plan.unit)}职工之家",
                plan.unit,
                lat=place.lat,
                lng=place.lng,
                address=place.address,
            )
        # Activity centres: one per district, the rest in the busiest districts.
        for district in data.DISTRICTS:
            unit = self.district_units[district.short]
            lat, lng = self.jitter(*district.centre, district.spread / 2)
            address, _ = self.street_address(district)
            self.add_point(sp.ACTIVITY_CENTRE, f"{district.label}职工活动中心", unit, lat=lat, lng=lng, address=address)
        busy = [p for p in self.stations if p.place.district.urban >= 2]
        for plan in rng.sample(busy, data.ACTIVITY_CENTRES - len(data.DISTRICTS)):
            district, place = plan.place.district, plan.place
            self.add_point(
                sp.ACTIVITY_CENTRE,
                f"{district.label}{place.base}职工活动中心",
                self.district_units[district.short],
                lat=place.lat,
                lng=place.lng,
                address=self.street_address(district, place.road)[0],
            )
        # Mother-and-baby rooms in larger unionised employers, book houses in stations and firms.
        hosts = self.bureau_unions + self.enterprise_unions
        for unit in rng.sample(hosts, min(data.MOTHER_BABY_ROOMS, len(hosts))):
            place = self.places[id(unit)]
            self.add_point(
                sp.MOTHER_BABY_ROOM,
                f"{self.label_of(unit)}爱心妈妈小屋",
                unit,
                lat=place.lat,
                lng=place.lng,
                address=place.address,
            )
        book_hosts = [p.unit for p in rng.sample(self.stations, data.BOOK_HOUSES // 2)]
        book_hosts += rng.sample(hosts, min(data.BOOK_HOUSES - len(book_hosts), len(hosts)))
        for unit in book_hosts:
            place = self.places[id(unit)]
            self.add_point(
                sp.BOOK_HOUSE,
                f"{self.label_of(unit)}职工书屋",
                unit,
                lat=place.lat,
                lng=place.lng,
                address=place.address,
            )
        # Outdoor-worker rest stations along the roads of the stations' areas.
        weights = [p.place.district.urban for p in self.stations]
        before = len(self.points)
        for _ in range(data.OUTDOOR_REST_STATIONS * 2):
            if len(self.points) - before >= data.OUTDOOR_REST_STATIONS:
                break
            plan = rng.choices(self.stations, weights=weights)[0]
            district, place = plan.place.district, plan.place
            road = rng.choice(district.roads)
            lat, lng = self.jitter(place.lat, place.lng, 0.01)
            self.add_point(
                sp.OUTDOOR_REST_STATION,
                f"{place.base}{road}户外劳动者驿站",
                plan.unit,
                lat=lat,
                lng=lng,
                address=self.street_address(district, road)[0],
                floor="路边",
            )
        # Taxi-driver homes at the stations and airports, run by the district unions.
        for name, district_short, address, lat, lng in data.TAXI_DRIVER_HOMES:
            self.add_point(
                sp.TAXI_DRIVER_HOME,
                name,
                self.district_units[district_short],
                lat=lat,
                lng=lng,
                address=address,
                floor="",
            )
        # Kiosks: Daxing's Fengqiao smart cabin, then terminals in stations.
        daxing = self.district_units["大兴区"]
        place = self.places[id(daxing)]
        self.add_point(
            sp.KIOSK,
            data.FENGQIAO_CABIN,
            daxing,
            lat=place.lat,
            lng=place.lng,
            address=place.address,
            floor="大兴区职工服务中心一层大厅",
        )
        for plan in rng.sample(self.stations, data.KIOSKS - 1):
            self.add_point(
                sp.KIOSK,
                f"{self.label_of(plan.unit)}职工自助服务终端",
                plan.unit,
                lat=plan.place.lat,
                lng=plan.place.lng,
                address=plan.place.address,
                floor="一层大厅",
            )

    # --- writing -------------------------------------------------------------------------------------

    def write(self) -> None:
        Unit.objects.bulk_create(self.units, batch_size=BATCH)
        if any(u.pk is None for u in self.units):  # a backend that cannot return ids
            ids = dict(Unit.objects.filter(path__in=[u.path for u in self.units]).values_list("path", "id"))
            for unit in self.units:
                unit.pk = ids[unit.path]
        Unit.objects.filter(pk=self.root.pk).update(numchild=self.root.numchild)
        Employer.objects.bulk_create(self.employers, batch_size=BATCH)
        ServicePoint.objects.bulk_create(self.points, batch_size=BATCH)

    def create_staff(self) -> list[Staff]:
        created = []
        first_cy_station = next(p.unit for p in self.stations if p.place.district.short == "朝阳区")
        for spec in data.DEMO_STAFF:
            if spec.where == "city":
                unit = self.root
            elif spec.where.endswith("/first-station"):
                unit = first_cy_station
            else:
                unit = self.district_units[spec.where]
            staff = Staff(username=spec.username, full_name=spec.full_name, title=spec.title, unit=unit)
            password_validation.validate_password(data.DEMO_PASSWORD, staff)
            staff.set_password(data.DEMO_PASSWORD)
            staff.save()
            StaffRole.objects.bulk_create([StaffRole(staff=staff, role=role) for role in spec.roles])
            if set(spec.roles) & set(settings.GONGHUI_2FA_ROLES):
                TOTPDevice.objects.create(
                    user=staff, name="演示身份验证器", key=totp_key_for(spec.username), confirmed=True
                )
            created.append(staff)
        return created

    def write_counts(self, staff: list[Staff]) -> None:
        """One UnitCounts row per unit, computed here rather than incremented per row."""
        employers, unionised, points, staff_count = Counter(), Counter(), Counter(), Counter()
        for employer in self.employers:
            employers[employer.unit_id] += 1
            unionised[employer.unit_id] += employer.has_own_union
        for point in self.points:
            points[point.unit_id] += 1
        for member in staff:
            staff_count[member.unit_id] += 1

        def counts(pk):
            return {
                "employers": employers[pk],
                "unionised_employers": unionised[pk],
                "service_points": points[pk],
                "staff": staff_count[pk],
            }

        UnitCounts.objects.bulk_create([UnitCounts(unit_id=u.pk, **counts(u.pk)) for u in self.units], batch_size=BATCH)
        UnitCounts.objects.filter(unit_id=self.root.pk).update(**counts(self.root.pk))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class Command(BaseCommand):
    help = (
        "Load a demo Beijing trade-union city (北京市工会三级服务体系): the city federation, 17 district "
        "unions, 344 street/town stations with their real names, community stations and joint unions, "
        "8 industry unions with bureau and enterprise unions, employers with valid credit codes, service "
        "points with the five disclosures (五亮) and demo staff logins. Districts, stations and the "
        "service-point network are always full size; --scale thins the community level, the bureaus and "
        "the employers. Community units and bureaus grow with the scale, employers with its square "
        "(the units are fewer and each covers fewer firms): 1.0 gives the report's 473 community "
        "stations, 4,005 joint unions, 145 bureaus and ≈57,500 micro-enterprises; the default 0.25 "
        "gives ≈118, ≈1,000, ≈36 and ≈5,000 employers in all, in a few seconds on SQLite. "
        "Safe to run again: if the demo city is there it only prints the logins. "
        "--members N adds member workers (会员) until the database holds N members in all, building the city "
        "first if needed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
        parser.add_argument(
            "--scale",
            type=float,
            default=DEFAULT_SCALE,
            help=f"size of the community level, bureaus and employers; 1.0 = full Beijing (default {DEFAULT_SCALE})",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                "first delete the organisation tree with its members, employers, service points and staff accounts "
                "(the audit trail stays); refused on databases other than SQLite without --force"
            ),
        )
        parser.add_argument("--force", action="store_true", help="allow --reset on a database other than SQLite")
        parser.add_argument("--quiet", action="store_true", help="print nothing")
        parser.add_argument(
            "--members",
            type=int,
            metavar="N",
            help=(
                "top the members (会员) up to N in all: members already there count, so running it again with "
                "the same N adds nothing and an interrupted run resumes. Realistic names, valid identity numbers "
                "and mobile phones, spread over the employers, joint unions and stations like a real city, "
                "≈12%% new-form workers, a join event each. The same seed gives the same people; member k is "
                "always the same person, so topping up continues the sequence. Committed every "
                f"{seeding.COMMIT_ROWS:,} rows (COPY on PostgreSQL, batches of {seeding.SQLITE_BATCH:,} on SQLite); "
                f"at most {seeding.MAX_MEMBERS:,}"
            ),
        )

    def handle(self, *args, seed, scale, reset, force, quiet, members=None, **options):
        if not 0 < scale <= 4:
            raise CommandError("--scale must be greater than 0 and at most 4.")
        if members is not None and not 0 <= members <= seeding.MAX_MEMBERS:
            raise CommandError(f"--members must be between 0 and {seeding.MAX_MEMBERS:,}.")
        self.quiet = quiet
        with scopes_disabled():
            root = Unit.objects.filter(depth=1, name=data.CITY_NAME).first()
            others = Unit.objects.filter(depth=1).exclude(name=data.CITY_NAME).exists()
            if (root or others) and not reset:
                if root is None:
                    raise CommandError(
                        "数据库中已有其他组织树，不能加载演示城市；如确需清空，请加 --reset。\n"
                        "The database already holds another organisation tree; use --reset to replace it."
                    )
                if members is None:
                    self.say("演示城市已加载，未做改动。/ The demo city is already loaded; nothing was changed.\n")
                    self.print_summary(root)
                    return
                self.say("演示城市已加载。/ The demo city is already loaded.")
            else:
                if reset:
                    if connection.vendor != "sqlite" and not force:
                        raise CommandError(
                            f"--reset 会删除整个组织树；当前数据库是 {connection.vendor}，如确认请再加 --force。\n"
                            f"--reset deletes the whole organisation tree; on {connection.vendor} add --force as well."
                        )
                    self.reset()
                started = time.perf_counter()
                root = self.seed(seed=seed, scale=scale)
                elapsed = time.perf_counter() - started
                self.say(f"演示城市已生成 / Demo city loaded: seed {seed}, scale {scale}, {elapsed:.1f} s")
            if members is not None:
                self.seed_members(total=members, seed=seed)
                from gonghui.cards.demo import seed_demo_cards

                made = seed_demo_cards()
                if made["venues"] or made["cards"]:
                    self.say(
                        f"合作场馆 venues +{made['venues']}，服务卡 cards +{made['cards']:,}"
                        "（场馆令牌 venue tokens: manage.py create_venue_token <id>）"
                    )
                from gonghui.appeals.demo import seed_demo_appeals

                started = time.perf_counter()
                appeals = seed_demo_appeals(count=min(300, max(10, members // 60)))
                if appeals:
                    self.say(f"12351诉求 appeals +{appeals}（{time.perf_counter() - started:.1f} s）")
                # After the appeals: some demo mediation cases come from their hand-offs.
                from gonghui.fund.demo import seed_demo_fund
                from gonghui.hardship.demo import seed_demo_hardship
                from gonghui.mediation.demo import seed_demo_mediation

                started = time.perf_counter()
                fund = seed_demo_fund()
                hardship = seed_demo_hardship()
                mediation = seed_demo_mediation()
                from gonghui.mutualaid.demo import seed_demo_mutualaid

                mutualaid = seed_demo_mutualaid()
                if fund["transactions"] or hardship["files"] or mediation["cases"]:
                    self.say(
                        f"温暖基金 fund +{fund['transactions']} 笔，困难档案 hardship files +{hardship['files']}，"
                        f"帮扶申请 applications +{hardship['applications']}，"
                        f"调解案件 mediation cases +{mediation['cases']}，"
                        f"互助保障 mutual-aid members +{mutualaid['enrolled']}、claims +{mutualaid['claims']}"
                        f"（{time.perf_counter() - started:.1f} s）"
                    )
            self.say()
            self.print_summary(root)

    def seed_members(self, *, total: int, seed: int) -> None:
        def progress(done: int, wanted: int, seconds: float) -> None:
            self.say(f"  会员 members {done:>12,} / {wanted:,}   {done / seconds:>9,.0f} rows/s   {seconds:8.1f} s")

        try:
            result = seeding.seed_members(total=total, seed=seed, progress=progress)
        except ValueError as e:
            raise CommandError(str(e)) from e
        if not result.added:
            self.say(f"会员已有 {result.total:,} 人，未添加。/ {result.total:,} members already; none added.")
            return
        audit_record(
            actor=None,
            actor_name="seed_city",
            action=AuditAction.CREATE,
            object_type=Member._meta.label_lower,
            note=f"demo members seeded (seed={seed}): {result.added} added, {result.total} in all",
        )
        self.say(
            f"会员已生成 / Members seeded: {result.added:,} added, {result.total:,} in all, "
            f"{result.seconds:.1f} s, {result.rate:,.0f} rows/s"
        )

    def say(self, text: str = "") -> None:
        if not self.quiet:
            self.stdout.write(text)

    def reset_services(self) -> None:
        """Mutual aid, mediation, hardship files and the fund ledger hang from members, units,
        staff and appeals: they go first. The ledger is append-only (the models refuse; on
        PostgreSQL a trigger refuses UPDATE and DELETE), so it is emptied in SQL here."""
        from gonghui.fund.models import Account
        from gonghui.hardship import models as hardship
        from gonghui.mediation import models as mediation
        from gonghui.mutualaid import models as mutualaid

        for model in (
            mutualaid.ClaimDocument,
            mutualaid.ClaimEvent,
            mutualaid.Claim,
            mutualaid.Enrolment,
            mutualaid.EnrolmentBatch,
            mutualaid.Plan,
            mediation.RepresentationHours,
            mediation.Representation,
            mediation.Consultation,
            mediation.Payment,
            mediation.Agreement,
            mediation.MediationCase,
            mediation.Mediator,
            mediation.MediationBody,
            mediation.CaseNumberCounter,
            hardship.BatchLine,
            hardship.AssistanceApplication,
            hardship.PaymentBatch,
            hardship.Programme,
            hardship.HardshipFile,
            hardship.HardshipThreshold,
        ):
            model.objects.all().delete()
        if Account.objects.exists():
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # The append-only trigger refuses DELETE, not TRUNCATE: resetting the demo
                    # city is the one time the whole ledger goes. What refers to it is gone.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred FK checks first
                    cursor.execute("TRUNCATE fund_entry, fund_transaction CASCADE")
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                else:
                    cursor.execute("DELETE FROM fund_entry")
                    cursor.execute("DELETE FROM fund_transaction")
            Account.objects.all().delete()

    def reset(self) -> None:
        """Delete the tree and everything hanging from it; the audit trail is append-only and stays."""
        with transaction.atomic():
            try:
                from gonghui.appeals.models import Alert, Appeal, RoutingRule
                from gonghui.cards.models import Benefit, Card, CardEvent, Redemption, Venue
                from gonghui.members.models import DataRightsRequest, MembershipApplication
                from gonghui.portal.models import PortalAccount

                self.reset_services()
                Alert.objects.all().delete()
                for appeal_model in ("AppealHandoff", "AppealAttachment", "AppealEvent"):
                    Appeal._meta.apps.get_model("appeals", appeal_model).objects.all().delete()
                Appeal.objects.filter(duplicate_of__isnull=False).delete()
                Appeal.objects.all().delete()
                RoutingRule.objects.all().delete()
                MembershipApplication.objects.all().delete()
                DataRightsRequest.objects.all().delete()
                PortalAccount.objects.all().delete()

                Redemption.objects.all().delete()
                CardEvent.objects.all().delete()
                Card.objects.filter(replaces__isnull=False).delete()
                counts = {
                    "cards": Card.objects.all().delete()[0],
                    "venues": (Benefit.objects.all().delete(), Venue.objects.all().delete())[1][0],
                    "members": self.delete_members(),
                    "employers": Employer.objects.all().delete()[0],
                    "service_points": ServicePoint.objects.all().delete()[0],
                    "staff": Staff.objects.filter(
                        Q(unit__isnull=False) | Q(username__in=[s.username for s in data.DEMO_STAFF])
                    ).delete()[0],
                    "units": Unit.objects.count(),
                }
                Unit.objects.all().delete()
            except IntegrityError as e:
                raise CommandError(
                    "其他数据仍引用会员记录，无法重置。/ Other records still refer to members; cannot reset."
                ) from e
            except ProtectedError as e:
                raise CommandError(
                    "其他数据仍引用这些单位，无法重置。/ Other records still refer to these units; cannot reset: "
                    f"{sorted({obj._meta.label for obj in e.protected_objects})}"
                ) from e
            audit_record(actor=None, actor_name="seed_city", action=AuditAction.DELETE, note=f"reset {counts}")
        self.say("已清空组织树 / Organisation tree deleted.\n")

    def delete_members(self) -> int:
        """All members and their events, in SQL: the ORM would load millions of rows to delete
        them. PostgreSQL truncates unless another table refers to members; then it deletes,
        and a row that still refers to a member stops the reset (IntegrityError)."""
        number = Member.objects.count()
        tables = [connection.ops.quote_name(m._meta.db_table) for m in (MembershipEvent, Member)]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                try:
                    with transaction.atomic():
                        cursor.execute(f"TRUNCATE {', '.join(tables)}")
                    return number
                except DatabaseError:
                    pass  # another table has a foreign key to members
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
        connection.check_constraints()  # now, not at commit: a row still referring to a member stops it here
        return number

    def seed(self, *, seed: int, scale: float) -> Unit:
        # One transaction for the whole city: a half-built city would pass for a loaded one
        # the next time the command runs. Rows go in batches of BATCH within it.
        seeder = CitySeeder(seed=seed, scale=scale)
        with transaction.atomic():
            root = services.unit_create_root(
                name=data.CITY_NAME,
                division_code=data.CITY_CODE,
                short_name=data.CITY_SHORT_NAME,
                address=data.CITY_ADDRESS,
                phone="010-68000000",
                chair_name="",
            )
            seeder.build(root)
            seeder.write()
            staff = seeder.create_staff()
            seeder.write_counts(staff)
            audit_record(
                actor=None,
                actor_name="seed_city",
                action=AuditAction.CREATE,
                obj=root,
                note=(
                    f"demo city seeded (seed={seed}, scale={scale}): {len(seeder.units) + 1} units, "
                    f"{len(seeder.employers)} employers, {len(seeder.points)} service points, {len(staff)} staff"
                ),
            )
        return root

    def print_summary(self, root: Unit) -> None:
        if self.quiet:
            return
        by_kind = dict(Unit.objects.order_by().values_list("kind").annotate(n=Count("id")))
        self.say("组织 / Organisation")
        for kind, zh, en in KIND_LABELS:
            self.say(f"  {_pad(zh, 24)}{_pad(en, 32)}{by_kind.get(kind, 0):>8,}")
        employers = Employer.objects.order_by().aggregate(
            n=Count("id"), unionised=Count("id", filter=Q(has_own_union=True))
        )
        self.say(f"  {_pad('用人单位', 24)}{_pad('Employers', 32)}{employers['n']:>8,}")
        self.say(f"  {_pad('  其中已建会', 24)}{_pad('  with their own union', 32)}{employers['unionised']:>8,}")
        # Members from the counters: counting ten million rows would take longer than the summary.
        active = UnitCounts.objects.aggregate(n=Sum("members"))["n"] or 0
        self.say(f"  {_pad('会员（在会）', 24)}{_pad('Members (active)', 32)}{active:>8,}")
        points = dict(ServicePoint.objects.order_by().values_list("kind").annotate(n=Count("id")))
        self.say(f"  {_pad('服务阵地', 24)}{_pad('Service points', 32)}{sum(points.values()):>8,}")
        for kind in ServicePointKind:
            zh, en = "  " + str(kind.label), "  " + POINT_LABELS_EN[kind]
            self.say(f"  {_pad(zh, 24)}{_pad(en, 32)}{points.get(kind, 0):>8,}")

        self.say(f"\n演示账号 / Demo logins  (密码 password: {data.DEMO_PASSWORD})")
        self.say(f"  {_pad('用户名 username', 20)}{_pad('角色 role', 30)}单位 unit")
        staff = (
            Staff.objects.filter(username__in=[s.username for s in data.DEMO_STAFF])
            .select_related("unit")
            .prefetch_related("roles")
        )
        by_name = {s.username: s for s in staff}
        secrets_ = []
        for spec in data.DEMO_STAFF:
            member = by_name.get(spec.username)
            if member is None:
                continue
            roles = ", ".join(f"{Role(r.role).label} {r.role}" for r in member.roles.all())
            self.say(f"  {_pad(member.username, 20)}{_pad(roles, 30)}{member.unit.name if member.unit else '-'}")
            device = TOTPDevice.objects.filter(user=member, confirmed=True).order_by("id").first()
            if device is not None:
                secrets_.append((member.username, totp_secret_for(device.key)))
        if secrets_:
            self.say("\n双因素认证密钥（添加到身份验证器 App）/ Two-factor secrets for an authenticator app (TOTP):")
            for username, secret in secrets_:
                self.say(f"  {_pad(username, 20)}{secret}")
        self.say(f"\n打开 / Open {data.DEMO_URL}")
