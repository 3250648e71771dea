"""The Dutch webapp labels (issue 8) keep every key and placeholder of Camunda's English ones."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("locales_build", ROOT / "engine/locales/build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)


@pytest.fixture(scope="module")
def webjar() -> Path:
    jar = build.find_webjar()
    if jar is None:
        pytest.skip("camunda-webapp-webjar not in ~/.m2 yet (built with the engine)")
    return jar


@pytest.mark.parametrize("app", build.APPS)
def test_dutch_labels_have_every_key_and_placeholder_of_the_english_ones(webjar, app):
    nl = json.loads((build.OUT / app / "locales/nl.json").read_text(encoding="utf-8"))
    assert build.problems(build.english(webjar, app), nl) == []


def test_every_english_label_has_a_dutch_translation(webjar):
    _, missing = build.build(webjar, json.loads(build.TRANSLATIONS.read_text(encoding="utf-8")))
    assert not missing, f"{len(missing)} labels untranslated: run python3 engine/locales/build.py --todo FILE"


@pytest.mark.parametrize("app", build.APPS)
def test_webapps_offer_dutch_first(app):
    config = (build.OUT / app / "scripts/config.js").read_text(encoding="utf-8")
    assert "availableLocales: ['nl', 'en']" in config and "fallbackLocale: 'nl'" in config


def test_markers_catch_a_lost_placeholder():
    assert build.markers("{{count}} taken") != build.markers("taken")
    assert build.markers('<a href="x">gids</a>') == build.markers('<a href="y">guide</a>')
