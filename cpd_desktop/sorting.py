"""How names sort and compare: the standard library only, so the models, the services and a command reading
a cached report (``storage.fastread``) fold a name the same way."""

from __future__ import annotations

import unicodedata


def fold_name(text: str) -> str:
    """A name as people sort it: accents folded and case ignored (Ó Dálaigh → o dalaigh)."""
    if text.isascii():  # most names: NFKD leaves ASCII as it is, and casefold() is lower() there
        return text.lower()
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch))


def school_name_key(name: str) -> str:
    """How school names are compared: ignoring case and surrounding spaces (the database's rule too)."""
    return name.strip().casefold()
