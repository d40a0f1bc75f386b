"""read: bytes -> decoded text.

Input: the raw bytes of one document. Output: :class:`Decoded` (text, encoding name).
Invariants: a BOM is removed and never counted in offsets; newlines are left untouched;
HTML pages are reduced to their visible text, one block element per line. Input that is
binary or that no supported encoding decodes raises :class:`ReadError`, which the pipeline
turns into an error result for that document alone.
"""
from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser


class ReadError(ValueError):
    """The document cannot be decoded; the message says why and what to do."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Order matters: UTF-8 is strict and rarely decodes other encodings by accident; GB18030
# decodes almost any byte string, so Big5 is tried before it only when it reads as Chinese.
_FALLBACKS = ("gb18030", "big5")


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return bool(sample) and controls / len(sample) > 0.05


def _plausible_text(text: str) -> float:
    """Share of characters that are CJK, printable ASCII, CJK punctuation or whitespace."""
    if not text:
        return 0.0
    good = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t")
    return good / len(text)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without BOM: NUL bytes appear, yet one byte order reads as clean text."""
    if len(data) % 2 or b"\x00" not in data[:4096]:
        return None
    best = None
    for name in ("utf-16-le", "utf-16-be"):
        try:
            text = data[:4096].decode(name)
        except UnicodeDecodeError:
            continue
        score = _plausible_text(text)
        if score > 0.98 and (best is None or score > best[0]):
            best = (score, name)
    return best[1] if best else None


def _cjk_ratio(text: str) -> float:
    if not text:
        return 0.0
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return cjk / max(1, sum(1 for ch in text if not ch.isspace()))


def decode(data: bytes) -> Decoded:
    """Decode a document's bytes, trying BOMs, UTF-8, UTF-16, GB18030 and Big5."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError as exc:
                raise ReadError(f"starts with a {name} byte-order mark but does not decode as {name} "
                                f"(byte {exc.start}); re-save the file as UTF-8") from None
            return Decoded(text.lstrip("\ufeff"), name.replace("-sig", ""))
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return Decoded(data.decode(utf16), utf16)
        except UnicodeDecodeError:
            pass
    if _looks_binary(data):
        raise ReadError("looks like a binary file (NUL or control bytes), not a text report; "
                        "convert it to plain text or HTML first")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    candidates = []
    for name in _FALLBACKS:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        candidates.append((_cjk_ratio(text), name, text))
    if not candidates:
        raise ReadError("is neither UTF-8, UTF-16, GB18030 nor Big5; "
                        "re-save it as UTF-8 (e.g. `iconv -f <encoding> -t utf-8`)")
    # A Big5 file also decodes as GB18030, but into rarer characters and punctuation soup;
    # the reading with more common CJK text wins, ties going to GB18030 (the mainland default).
    candidates.sort(key=lambda c: (-round(c[0], 2), _FALLBACKS.index(c[1])))
    ratio, name, text = candidates[0]
    return Decoded(text, name)


_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section",
               "article", "header", "footer", "title", "td", "blockquote", "pre"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS and self.skip:
            self.skip -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


_HTML_START = re.compile(r"^\s*(<!doctype html|<html|<head|<body|<meta|<div|<p[ >])", re.I)


def looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text[:512]))


def html_to_text(text: str) -> str:
    """Visible text of an HTML page, one block element per line, blank runs collapsed."""
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    lines = [" ".join(line.split()) for line in html.unescape("".join(parser.parts)).split("\n")]
    return "\n".join(line for line in lines if line)


def read_bytes(data: bytes) -> Decoded:
    """Decode, then reduce HTML to text. Offsets of HTML input refer to the reduced text."""
    decoded = decode(data)
    if looks_like_html(decoded.text):
        return Decoded(html_to_text(decoded.text), decoded.encoding + "+html")
    return decoded
