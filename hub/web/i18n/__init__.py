"""Chinese and English labels: one YAML catalogue per area in this folder, merged at start-up.

Each file maps a dotted key to its two texts::

    nav.connectors: {zh: 连接器, en: Connectors}

Keys start with the area (``common.``, ``nav.``, ``admin.``, ``finance.``) so two
files never define the same key; a duplicate stops start-up. ``t(key, **values)``
formats the text with ``str.format``; an unknown key renders as itself, so a
missing label is visible on the page rather than an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import yaml

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
HERE = Path(__file__).parent


class Catalogue:
    """Every message in every language."""

    def __init__(self, files: Iterable[Path]) -> None:
        self.messages: dict[str, dict[str, str]] = {}
        for file in sorted(files):
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
            for key, texts in data.items():
                if key in self.messages:
                    raise ValueError(f"{file.name}: message {key!r} is defined twice")
                missing = [
                    lang for lang in LANGUAGES if not isinstance(texts, dict) or lang not in texts
                ]
                if missing:
                    raise ValueError(f"{file.name}: message {key!r} lacks {', '.join(missing)}")
                self.messages[str(key)] = {lang: str(texts[lang]) for lang in LANGUAGES}

    def text(self, key: str, lang: str, **values: object) -> str:
        """The message ``key`` in ``lang``, formatted with ``values``."""
        texts = self.messages.get(key)
        if texts is None:
            return key
        template = texts.get(lang) or texts[DEFAULT_LANGUAGE]
        return template.format(**values) if values else template


@cache
def catalogue() -> Catalogue:
    """The catalogue of this folder's YAML files (loaded once)."""
    return Catalogue(HERE.glob("*.yaml"))


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    """The language chosen by the switch, else the browser's first zh/en preference, else zh."""
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        for lang in LANGUAGES:
            if tag == lang or tag.startswith(lang + "-"):
                return lang
    return DEFAULT_LANGUAGE
