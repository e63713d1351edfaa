"""HTTP from a chosen loopback address: each test is its own client to the front door's per-address limits.

nginx keys its limits by the TCP peer. Every address of 127.0.0.0/8 is this machine, so a test that
connects from 127.0.0.2 is, to nginx, another client than the rest of the suite on 127.0.0.1.
"""

import http.client
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes
    seconds: float = 0.0

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    url: str,
    source: str,
    method: str = "GET",
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 30,
) -> Answer:
    """One request to url from the loopback address source; the body is read whole (not decompressed)."""
    parts = urlsplit(url)
    path = parts.path + (f"?{urlencode(params)}" if params else (f"?{parts.query}" if parts.query else ""))
    connection = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port, timeout=timeout, source_address=(source, 0)
    )
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return Answer(
            response.status,
            {name.lower(): value for name, value in response.getheaders()},
            data,
            time.perf_counter() - started,
        )
    finally:
        connection.close()
