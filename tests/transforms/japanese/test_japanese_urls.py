import pandas as pd
import pytest

from transforms.japanese import parse_urls


def url(raw: str) -> tuple[str, str | None]:
    parsed = parse_urls(pd.Series([raw], dtype=object))
    return parsed.values.iloc[0], parsed.errors.iloc[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.pref.mie.lg.jp/", "https://www.pref.mie.lg.jp/"),
        ("http://example.com", "http://example.com"),
        ("https://example.jp/a/b.html?x=1&y=2#top", "https://example.jp/a/b.html?x=1&y=2#top"),
        ("ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｊｐ／", "https://example.jp/"),
        ("Http://example.com", "http://example.com"),
        ("HTTPS://EXAMPLE.JP/Path", "https://EXAMPLE.JP/Path"),
        ("http://localhost:8080/x", "http://localhost:8080/x"),
        ("https://example.jp:8443", "https://example.jp:8443"),
        ("https://user@example.com/", "https://user@example.com/"),
        ("https://例え.jp/観光/", "https://例え.jp/観光/"),
        ("https://www.city.tsu.mie.jp/~kanko/", "https://www.city.tsu.mie.jp/~kanko/"),
        ("", ""),
    ],
)
def test_urls_accepted(raw: str, expected: str) -> None:
    assert url(raw) == (expected, None)


@pytest.mark.parametrize(
    "raw",
    [
        "www.example.com",
        "ftp://example.com",
        "https://example",
        "https://",
        "http://.jp",
        "https://exa mple.com",
        "https://example.com/a b",
        "https://example.com/　",
        "mailto:a@example.jp",
        "https//example.com",
        "http:/example.com",
        "三重県ホームページ",
        "https://example.com:port/",
    ],
)
def test_invalid_urls(raw: str) -> None:
    assert url(raw) == (raw, "invalid_url")
