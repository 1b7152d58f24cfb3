"""Helpers to read the report's pages back: images, links, visible text."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

DATA_URI = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')
SVG_URI = re.compile(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"')
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"


def png_images(html: str) -> list[bytes]:
    return [base64.b64decode(found) for found in DATA_URI.findall(html)]


def svg_images(html: str) -> list[ElementTree.Element]:
    """The page's SVG figures, parsed (a figure that is not well-formed XML raises)."""
    return [ElementTree.fromstring(base64.b64decode(found)) for found in SVG_URI.findall(html)]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.urls: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.urls.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def urls(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.urls


def pages(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))
