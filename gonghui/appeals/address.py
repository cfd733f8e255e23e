"""Suggest the district (and street or town) an appeal belongs to from the places it names.

An appeal is routed to the union responsible for the worker's employer or district. Workers
rarely give a full address; they say 在望京上班, 中关村一家公司, 亦庄的厂. This module finds
such names with a gazetteer (``gazetteer.py``: the 16 districts, their short forms, all
their streets and towns, and well-known landmarks), scores each district by what was found
and returns the best with the words that matched, so an operator can check it.

How a text is read:

* longest match first, without overlap: 朝阳门 is a street of Dongcheng, not 朝阳 + 门;
  石景山 is not 景山; 东四环 is a ring road, not 东四;
* a district's full name (朝阳区) and a street's full name (望京街道) weigh most, short forms
  and landmarks less; a name shared by two districts (八里庄) is split between them;
* where the text says where the worker works (公司在, 单位在, 工地在, 上班) that place
  weighs more, and where it says where the worker lives (住在, 家在, 老家) less, since
  appeals go to the union of the workplace.

``gazetteer_from_units`` adds the names of the live organisation tree (units with their
``division_code``) on top of the curated gazetteer.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from gonghui.appeals import gazetteer as data

ADDRESS_FILE = Path(__file__).resolve().parent / "data" / "labelled_addresses.jsonl"

MAX_CHARS = 2000

# Weights of one mention, by what kind of name it is.
WEIGHT_DISTRICT = 3.0  # 朝阳区
WEIGHT_DISTRICT_SHORT = 2.0  # 朝阳
WEIGHT_STREET = 3.0  # 望京街道
WEIGHT_STREET_SHORT = 2.0  # 望京
WEIGHT_LANDMARK = 2.0  # 国贸
WEIGHT_UNIT = 2.5  # a unit name from the live tree

WORKPLACE_CUES = (
    "公司在",
    "单位在",
    "工厂在",
    "厂在",
    "工地在",
    "项目在",
    "工作在",
    "上班",
    "工作地点",
    "用人单位",
    "位于",
)
HOME_CUES = ("住在", "家在", "住的", "老家", "租房", "户口")
CUE_WINDOW = 8  # characters before a place name searched for a cue
WORKPLACE_FACTOR = 1.5
HOME_FACTOR = 0.5

STREET_SUFFIXES = ("满族蒙古族乡", "回族乡", "满族乡", "街道", "地区", "镇", "乡")
# Stripped from unit names of the live tree: 望京街道工会服务站 → 望京街道.
UNIT_SUFFIXES = ("社区联合工会", "联合工会", "工会服务站", "服务站", "总工会", "工会")


@dataclass(frozen=True)
class Target:
    """What one name in the gazetteer points at."""

    division_code: str  # the district's 6-digit code
    street: str = ""
    street_code: str = ""  # 9-digit, known only for names from the live tree
    zone: str = ""  # 北京经济技术开发区 where the place lies in it
    weight: float = WEIGHT_LANDMARK


@dataclass(frozen=True)
class PlaceSuggestion:
    """A district suggested for a text, with the street where one stood out."""

    division_code: str
    district: str
    street: str
    street_code: str
    zone: str
    matched: tuple[str, ...]  # the words of the text that pointed here, in order
    score: float


@dataclass
class Gazetteer:
    """Names → targets, read with longest match first."""

    districts: dict[str, str] = field(default_factory=dict)  # code → 朝阳区
    names: dict[str, list[Target]] = field(default_factory=dict)
    longest: int = 1

    def add(self, name: str, target: Target | None) -> None:
        """Add ``name``; ``target`` None marks a word that is no place (东四环)."""
        name = _normalise(name)
        if len(name) < 2:
            return
        targets = self.names.setdefault(name, [])
        if target is not None and target not in targets:
            targets.append(target)
        self.longest = max(self.longest, len(name))

    def copy(self) -> Gazetteer:
        return Gazetteer(dict(self.districts), {k: list(v) for k, v in self.names.items()}, self.longest)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def street_place_name(street: str) -> str:
    """望京街道 → 望京, 南磨房地区 → 南磨房; names that would be too short stay whole (杨镇)."""
    for suffix in STREET_SUFFIXES:
        if street.endswith(suffix) and len(street) - len(suffix) >= 2:
            return street[: -len(suffix)]
    return street


def build_beijing_gazetteer() -> Gazetteer:
    """The curated gazetteer of ``gazetteer.py``."""
    gazetteer = Gazetteer()
    short_forms = {short for _, _, short, _ in data.DISTRICTS}
    for code, name, short, streets in data.DISTRICTS:
        gazetteer.districts[code] = name
        gazetteer.add(name, Target(code, weight=WEIGHT_DISTRICT))
        gazetteer.add(f"北京市{name}", Target(code, weight=WEIGHT_DISTRICT))
        gazetteer.add(short, Target(code, weight=WEIGHT_DISTRICT_SHORT))
        for street in streets:
            gazetteer.add(street, Target(code, street, weight=WEIGHT_STREET))
            place = street_place_name(street)
            if place != street and place not in data.AMBIGUOUS_PLACE_NAMES and place not in short_forms:
                gazetteer.add(place, Target(code, street, weight=WEIGHT_STREET_SHORT))
    zone_code = data.DEVELOPMENT_AREA_DISTRICT
    for name in data.DEVELOPMENT_AREA_NAMES:
        gazetteer.add(name, Target(zone_code, zone=data.DEVELOPMENT_AREA, weight=WEIGHT_DISTRICT))
    for street in data.DEVELOPMENT_AREA_STREETS:
        gazetteer.add(street, Target(zone_code, street, zone=data.DEVELOPMENT_AREA, weight=WEIGHT_STREET))
        gazetteer.add(street_place_name(street), Target(zone_code, street, zone=data.DEVELOPMENT_AREA))
    for landmark, (code, street) in data.LANDMARKS.items():
        gazetteer.add(landmark, Target(code, street, weight=WEIGHT_LANDMARK))
    for word in data.NOT_PLACES:
        gazetteer.add(word, None)
    return gazetteer


def _unit_place_name(name: str) -> str:
    name = _normalise(name).strip()
    if name.startswith("北京市"):
        name = name[3:]
    for suffix in UNIT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def gazetteer_from_units(units: Iterable[Iterable[str]], *, base: Gazetteer | None = None) -> Gazetteer:
    """A gazetteer extended with the names of the organisation tree's units.

    ``units`` yields ``(division_code, name, short_name, ...)`` per unit, e.g. from
    ``Unit.objects.values_list("division_code", "name", "short_name")``. A 6-digit code
    names a district, 9 digits a street or town and 12 a community; union words are
    stripped (望京街道工会服务站 → 望京街道). Units without a code are skipped: their
    place cannot be routed by code. ``base`` defaults to the curated Beijing gazetteer.
    """
    gazetteer = (base or beijing_gazetteer()).copy()
    rows = [(str(code or ""), [str(n) for n in names if n]) for code, *names in (tuple(u) for u in units)]
    street_names: dict[str, str] = {}
    for code, names in rows:
        if len(code) == 9 and names:
            street_names[code] = _unit_place_name(names[0])
    for code, names in sorted(rows, key=lambda row: len(row[0])):
        if len(code) not in (6, 9, 12):
            continue
        district = code[:6]
        if len(code) == 6:
            if names:
                gazetteer.districts.setdefault(district, _unit_place_name(names[0]))
            target = Target(district, weight=WEIGHT_DISTRICT)
        else:
            street_code = code[:9]
            target = Target(district, street_names.get(street_code, ""), street_code, weight=WEIGHT_UNIT)
        for name in names:
            place = _unit_place_name(name)
            gazetteer.add(place, target)
            if len(code) == 9:
                short = street_place_name(place)
                if short != place and short not in data.AMBIGUOUS_PLACE_NAMES:
                    gazetteer.add(short, Target(district, place, code, weight=WEIGHT_STREET_SHORT))
    return gazetteer


def _cue_factor(text: str, start: int) -> float:
    before = text[max(0, start - CUE_WINDOW) : start]
    if any(cue in before for cue in WORKPLACE_CUES):
        return WORKPLACE_FACTOR
    if any(cue in before for cue in HOME_CUES):
        return HOME_FACTOR
    return 1.0


def find_places(text: str, *, gazetteer: Gazetteer | None = None) -> list[tuple[int, str, list[Target]]]:
    """Every place name in ``text``: (position, name, targets), longest match first."""
    gazetteer = gazetteer or beijing_gazetteer()
    text = _normalise(text)[:MAX_CHARS]
    found = []
    position = 0
    while position < len(text):
        for length in range(min(gazetteer.longest, len(text) - position), 1, -1):
            name = text[position : position + length]
            targets = gazetteer.names.get(name)
            if targets is not None:
                if targets:
                    found.append((position, name, targets))
                position += length
                break
        else:
            position += 1
    return found


def suggest_districts(text: str, *, gazetteer: Gazetteer | None = None, limit: int = 3) -> tuple[PlaceSuggestion, ...]:
    """Districts the places in ``text`` point at, best first (empty when none)."""
    gazetteer = gazetteer or beijing_gazetteer()
    normalised = _normalise(text)[:MAX_CHARS]
    scores: dict[str, float] = {}
    first_seen: dict[str, int] = {}
    matched: dict[str, list[str]] = {}
    streets: dict[str, dict[tuple[str, str], float]] = {}
    zones: dict[str, str] = {}
    for position, name, targets in find_places(normalised, gazetteer=gazetteer):
        factor = _cue_factor(normalised, position)
        districts = {t.division_code for t in targets}
        for target in targets:
            code = target.division_code
            # A name shared by several districts is evidence for each, split between them.
            weight = target.weight * factor / len(districts)
            scores[code] = scores.get(code, 0.0) + weight
            first_seen.setdefault(code, position)
            if name not in matched.setdefault(code, []):
                matched[code].append(name)
            if target.street:
                key = (target.street, target.street_code)
                street_scores = streets.setdefault(code, {})
                street_scores[key] = street_scores.get(key, 0.0) + weight
            if target.zone:
                zones[code] = target.zone
    ranked = sorted(scores, key=lambda code: (-scores[code], first_seen[code], code))
    suggestions = []
    for code in ranked[:limit]:
        street, street_code = "", ""
        if code in streets:
            street_scores = streets[code]
            street, street_code = min(street_scores, key=lambda key: (-street_scores[key], key))
        suggestions.append(
            PlaceSuggestion(
                division_code=code,
                district=gazetteer.districts.get(code, ""),
                street=street,
                street_code=street_code,
                zone=zones.get(code, ""),
                matched=tuple(matched[code]),
                score=round(scores[code], 2),
            )
        )
    return tuple(suggestions)


def suggest_district(text: str, *, gazetteer: Gazetteer | None = None) -> PlaceSuggestion | None:
    """The district the places in ``text`` point at most, or None when it names none."""
    suggestions = suggest_districts(text, gazetteer=gazetteer, limit=1)
    return suggestions[0] if suggestions else None


_beijing: Gazetteer | None = None
_beijing_lock = threading.Lock()


def beijing_gazetteer() -> Gazetteer:
    """The curated gazetteer, built once on first use."""
    global _beijing
    if _beijing is None:
        with _beijing_lock:
            if _beijing is None:
                _beijing = build_beijing_gazetteer()
    return _beijing


@dataclass(frozen=True)
class AddressEvaluation:
    total: int
    correct: int  # district right (or rightly none)
    street_total: int  # examples labelled with a street
    street_correct: int
    mistakes: tuple[str, ...]


def evaluate_addresses(path: Path = ADDRESS_FILE, *, gazetteer: Gazetteer | None = None) -> AddressEvaluation:
    """Score the district suggestion on the labelled address set shipped with the code."""
    total = correct = street_total = street_correct = 0
    mistakes = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            suggestion = suggest_district(row["text"], gazetteer=gazetteer)
            got = suggestion.division_code if suggestion else ""
            total += 1
            if got == row["division_code"]:
                correct += 1
            else:
                mistakes.append(f"[{row['division_code'] or '-'} → {got or '-'}] {row['text']}")
            if row.get("street"):
                street_total += 1
                if suggestion and suggestion.street == row["street"]:
                    street_correct += 1
                else:
                    got_street = suggestion.street if suggestion else ""
                    mistakes.append(f"[street {row['street']} → {got_street or '-'}] {row['text']}")
    return AddressEvaluation(total, correct, street_total, street_correct, tuple(mistakes))
