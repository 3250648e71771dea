"""Build the Dutch locale files (nl.json) of Tasklist, Cockpit, Admin and Welcome.

Source of the keys: Camunda's English files (Apache-2.0) in the webapp webjar of the
Camunda version in engine/pom.xml, META-INF/resources/webjars/camunda/app/<app>/locales/en.json.
Source of the Dutch: nl-translations.json beside this script, one entry per distinct
English label, translated by the project. The result keeps every key of en.json and its
placeholders ({{count}}, HTML tags, %s) and is written to
engine/src/main/resources/META-INF/resources/webjars/camunda/app/<app>/locales/nl.json.

    python3 engine/locales/build.py            # write the nl.json files; fails on gaps
    python3 engine/locales/build.py --check    # only check the committed files
    python3 engine/locales/build.py --todo F   # write untranslated labels to F (JSON) and exit

After a Camunda upgrade: run --todo, translate the new labels into nl-translations.json, run again.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENGINE = HERE.parent
APPS = ("tasklist", "cockpit", "admin", "welcome")
OUT = ENGINE / "src/main/resources/META-INF/resources/webjars/camunda/app"
TRANSLATIONS = HERE / "nl-translations.json"

# Dutch dates for moment.js (the webapps define the locale from dateLocales).
DATE_LOCALES = {
    "months": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"],
    "monthsShort": ["jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."],
    "weekdays": ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"],
    "weekdaysShort": ["zo.", "ma.", "di.", "wo.", "do.", "vr.", "za."],
    "weekdaysMin": ["zo", "ma", "di", "wo", "do", "vr", "za"],
    "longDateFormat": {"LT": "HH:mm", "L": "DD-MM-YYYY", "LL": "D MMMM YYYY", "LLL": "D MMMM YYYY LT", "LLLL": "dddd D MMMM YYYY LT"},
    "calendar": {
        "sameDay": "[vandaag om] LT", "nextDay": "[morgen om] LT", "nextWeek": "dddd [om] LT",
        "lastDay": "[gisteren om] LT", "lastWeek": "[afgelopen] dddd [om] LT", "sameElse": "L",
    },
    "relativeTime": {
        "future": "over %s", "past": "%s geleden", "s": "een paar seconden", "m": "een minuut", "mm": "%d minuten",
        "h": "een uur", "hh": "%d uur", "d": "een dag", "dd": "%d dagen", "M": "een maand", "MM": "%d maanden",
        "y": "een jaar", "yy": "%d jaar",
    },
    "week": {"dow": 1, "doy": 4},
}

_PLACEHOLDER = re.compile(r"\{\{\s*([^}]*?)\s*\}\}")
# HTML the webapps render (ng-bind-html); "<Operation>" and the like are plain text shown as such.
_TAG = re.compile(r"</?\s*(a|b|br|code|div|em|i|li|p|span|strong|ul)\b[^>]*>", re.IGNORECASE)
_PRINTF = re.compile(r"%[sd]")
_ENTITY = re.compile(r"&[a-z]+;")


def camunda_version() -> str:
    return re.search(r"<camunda.version>([^<]+)</camunda.version>", (ENGINE / "pom.xml").read_text()).group(1)


def find_webjar(version: str | None = None) -> Path | None:
    version = version or camunda_version()
    path = Path.home() / f".m2/repository/org/camunda/bpm/webapp/camunda-webapp-webjar/{version}/camunda-webapp-webjar-{version}.jar"
    return path if path.exists() else None


def english(webjar: Path, app: str) -> dict:
    with zipfile.ZipFile(webjar) as jar:
        raw = jar.read(f"META-INF/resources/webjars/camunda/app/{app}/locales/en.json")
    return json.loads(raw.decode("utf-8-sig"))


def markers(text: str) -> tuple:
    """What a translation must keep: placeholders, HTML tags, printf markers, entities."""
    return (
        sorted(_PLACEHOLDER.findall(text)),
        sorted(t.lower() for t in _TAG.findall(text)),
        sorted(_PRINTF.findall(text)),
        sorted(_ENTITY.findall(text)),
    )


def problems(en: dict, nl: dict) -> list[str]:
    """Differences that would break the webapps: keys, placeholders, markup."""
    found = []
    en_labels, nl_labels = en["labels"], nl.get("labels", {})
    if set(en_labels) != set(nl_labels):
        found.append(f"keys differ: missing {sorted(set(en_labels) - set(nl_labels))[:5]}, extra {sorted(set(nl_labels) - set(en_labels))[:5]}")
    for key, value in en_labels.items():
        if key in nl_labels and markers(value) != markers(nl_labels[key]):
            found.append(f"{key}: placeholders or markup differ: {value!r} -> {nl_labels[key]!r}")
        if key in nl_labels and bool(value.strip()) != bool(nl_labels[key].strip()):
            found.append(f"{key}: empty in one language only")
    if "dateLocales" in en and set(en["dateLocales"]) != set(nl.get("dateLocales", {})):
        found.append("dateLocales keys differ")
    return found


def build(webjar: Path, table: dict[str, str]) -> tuple[dict[str, dict], set[str]]:
    files, missing = {}, set()
    for app in APPS:
        en = english(webjar, app)
        labels = {}
        for key, value in en["labels"].items():
            if value in table:
                labels[key] = table[value]
            else:
                missing.add(value)
                labels[key] = value
        nl = {"dateLocales": DATE_LOCALES, "labels": labels} if "dateLocales" in en else {"labels": labels}
        files[app] = nl
    return files, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--webjar", type=Path, help="camunda-webapp-webjar jar (default: the one in ~/.m2)")
    parser.add_argument("--check", action="store_true", help="only check the committed nl.json files")
    parser.add_argument("--todo", type=Path, help="write the untranslated English labels to this JSON file")
    args = parser.parse_args(argv)
    webjar = args.webjar or find_webjar()
    if not webjar:
        print("camunda-webapp-webjar not found in ~/.m2; build the engine once or pass --webjar", file=sys.stderr)
        return 1
    table = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))
    files, missing = build(webjar, table)
    if args.todo:
        args.todo.write_text(json.dumps(sorted(missing), ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"{len(missing)} untranslated labels written to {args.todo}")
        return 0
    failures = []
    for app, nl in files.items():
        en = english(webjar, app)
        target = OUT / app / "locales/nl.json"
        if args.check:
            nl = json.loads(target.read_text(encoding="utf-8"))
        failures += [f"{app}: {p}" for p in problems(en, nl)]
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(nl, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if missing:
        failures.append(f"{len(missing)} labels have no Dutch translation (kept in English); run with --todo")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
