"""Normalisation and keyed hashing of a subject, so partners compare without seeing names.

Every partner register holds HMAC-SHA256 digests of ``name | street | number
suffix | city`` under one shared key. The RIEC sends a digest, never the name;
a partner without the key cannot reverse it or test guesses against it.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from riec.signals import Subject

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_NUMBER = re.compile(r"^0*(\d+)\s*[-/ ]?\s*([a-z0-9 ]*)$")
# Letters Unicode does not decompose into base letter + accent (Yılmaz, Michał, Søren).
_UNDECOMPOSED = str.maketrans({"ı": "i", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d",
                               "ħ": "h", "Ħ": "h", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ß": "ss"})


def fold(text: str) -> str:
    """Lower case, diacritics removed, punctuation and runs of spaces as one space."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_ALNUM.sub(" ", stripped.casefold()).split())


def house_number(number: str, suffix: str | None = None) -> str:
    """'12-A', '12 a', '12a' and number '12' with suffix 'A' all become '12a'.

    A suffix starting with a digit keeps a separator: 12 with suffix 1 is
    '12-1', never '121', which is another address.
    """
    text = fold(f"{number} {suffix or ''}")
    match = _NUMBER.match(text)
    if not match:
        return text.replace(" ", "")
    base, rest = int(match.group(1)), match.group(2).replace(" ", "")
    return f"{base}-{rest}" if rest[:1].isdigit() else f"{base}{rest}"


def canonical(subject: Subject) -> str:
    return "|".join([
        fold(subject.subject_name),
        fold(subject.street),
        house_number(subject.house_number, subject.house_number_suffix),
        fold(subject.city),
    ])


def subject_digest(subject: Subject, key: str) -> str:
    return hmac.new(key.encode("utf-8"), canonical(subject).encode("utf-8"), hashlib.sha256).hexdigest()
