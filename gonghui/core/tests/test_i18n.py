"""English is the second language: every interface string has an English translation,
and the compiled catalogue matches its source."""

import gettext
import re
from pathlib import Path

from django.test import Client
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"


def po_entries():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    blocks = [b for b in text.split("\n\n") if "msgid" in b and not b.lstrip().startswith("#~")]
    return blocks[1:]  # the header


def test_every_string_is_translated_and_none_is_fuzzy():
    problems = []
    for block in po_entries():
        if "#, fuzzy" in block or re.search(r"#,.*fuzzy", block):
            problems.append(block)
        msgstrs = re.findall(r'msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', block)
        if not msgstrs or any(not (a + b.replace('"', "").replace("\n", "")) for a, b in msgstrs):
            problems.append(block)
    assert not problems, "untranslated or fuzzy:\n\n" + "\n\n".join(problems[:5])


def test_compiled_catalogue_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as f:
        catalogue = gettext.GNUTranslations(f)
    source = len(po_entries())
    compiled = len({k if isinstance(k, str) else k[0] for k in catalogue._catalog if k})
    assert compiled == source, "run: manage.py compilemessages -l en --ignore=.venv"


def test_english_is_served_when_chosen(db):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    body = client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in body and "Username" in body
    with translation.override("en"):
        assert translation.gettext("用人单位") == "Employers"
