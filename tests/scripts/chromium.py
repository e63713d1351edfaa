"""Headless Debian Chromium driven through chromedriver's W3C WebDriver HTTP API (no extra Python package).

Installed with apt-get when missing (root on Debian), as the machine kind allows; the CJK
fonts make Japanese text render in screenshots instead of empty boxes.
"""

import base64
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
PACKAGES = ["chromium", "chromium-driver", "fonts-noto-cjk"]
# Without the background-networking flags Chromium keeps dialling out on this closed network.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1366,900",
    "--lang=ja",
]


def ensure_installed() -> bool:
    """True when Chromium and chromedriver are there (installing them if we may)."""
    if Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists():
        return True
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=env, timeout=900)
    subprocess.run(["apt-get", "install", "-y", "-q", *PACKAGES], capture_output=True, env=env, timeout=1800)
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Browser:
    """One chromedriver and one headless Chromium session; close() ends both."""

    def __init__(self) -> None:
        port = _free_port()
        self.driver = subprocess.Popen(
            [CHROMEDRIVER, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.base = f"http://127.0.0.1:{port}"
        self.profile = tempfile.mkdtemp(prefix="odl-chromium-")
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{self.base}/status", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        options = {"binary": CHROMIUM, "args": [*FLAGS, f"--user-data-dir={self.profile}"]}
        session = self._call("POST", "/session", {"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}})
        self.session = f"/session/{session['sessionId']}"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = requests.request(method, self.base + path, json=body, timeout=120)
        value = response.json()["value"]
        if response.status_code >= 400:
            raise RuntimeError(f"WebDriver {path}: {value}")
        return value

    def open(self, url: str) -> None:
        self._call("POST", f"{self.session}/url", {"url": url})

    def add_cookie(self, name: str, value: str) -> None:
        """For the site open now (open a page of it first)."""
        self._call("POST", f"{self.session}/cookie", {"cookie": {"name": name, "value": value, "path": "/"}})

    def visible_text(self) -> str:
        text: str = self._call(
            "POST", f"{self.session}/execute/sync", {"script": "return document.body.innerText;", "args": []}
        )
        return text

    def title(self) -> str:
        title: str = self._call("GET", f"{self.session}/title")
        return title

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self._call("GET", f"{self.session}/screenshot")))
        return path

    def close(self) -> None:
        try:
            self._call("DELETE", self.session)
        finally:
            self.driver.terminate()
            self.driver.wait(timeout=10)
            shutil.rmtree(self.profile, ignore_errors=True)
