"""read: encodings, BOMs, HTML, and undecodable input."""
from __future__ import annotations

import codecs

import pytest

from engine.read import ReadError, read_bytes

TEXT = "坚持以政治建设为统领\n深化理论武装,做到“两个维护”。\n"
TRADITIONAL = "堅持以政治建設為統領\n深化理論武裝,做到“兩個維護”。\n"


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("gb18030", "gb18030"),
    ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"),
])
def test_simplified_encodings(encoding, expected):
    decoded = read_bytes(TEXT.encode(encoding))
    assert decoded.text == TEXT
    assert decoded.encoding == expected


def test_bom_is_not_counted_in_offsets():
    decoded = read_bytes(codecs.BOM_UTF8 + TEXT.encode("utf-8"))
    assert decoded.text.startswith("坚持")


def test_big5():
    decoded = read_bytes(TRADITIONAL.encode("big5"))
    assert decoded.text == TRADITIONAL
    assert decoded.encoding == "big5"


def test_newlines_are_kept():
    decoded = read_bytes("第一行\r\n第二行\r\n".encode("utf-8"))
    assert decoded.text == "第一行\r\n第二行\r\n"


def test_html_is_reduced_to_text():
    page = "<html><head><title>t</title><script>var x='理论武装';</script></head><body><p>第一段&amp;</p><div>第二段</div></body></html>"
    decoded = read_bytes(page.encode("utf-8"))
    assert decoded.text == "第一段&\n第二段"
    assert decoded.encoding == "utf-8+html"


@pytest.mark.parametrize("data", [bytes(range(256)) * 8, b"\x89PNG\r\n\x1a\n" + bytes(64), b"\xff\xd8\xff\xe0" + bytes(300)])
def test_binary_input_is_an_error(data):
    with pytest.raises(ReadError, match="binary|UTF-8"):
        read_bytes(data)
