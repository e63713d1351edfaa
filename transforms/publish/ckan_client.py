"""CKAN's Action API through ckanapi, riding out restarts, and never showing the API token.

Connection errors, timeouts and 5xx answers are retried with exponential backoff; CKAN's own
answers (not found, validation error, not authorised) are not, they would not change. Every
message that leaves this module has the token replaced by `***`.
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

import requests
from ckanapi import CKANAPIError, NotFound, RemoteCKAN

log = logging.getLogger(__name__)

RETRYABLE = (requests.ConnectionError, requests.Timeout)
REDACTED = "***"


class CkanUnavailable(Exception):
    """CKAN did not answer, or answered 5xx, after every retry."""


class CkanServerError(Exception):
    """One 5xx answer (retried)."""

    def __init__(self, status: int, url: str) -> None:
        super().__init__(f"CKAN answered HTTP {status} for {url}")
        self.status = status


class CkanError(Exception):
    """CKAN refused the call (validation, authorisation …); the message is already redacted."""


class _RemoteCKAN(RemoteCKAN):
    """ckanapi turns a 5xx HTML page into a generic error; make it a retryable one instead."""

    def _request_fn(self, url: str, data: Any, headers: Any, files: Any, requests_kwargs: Any) -> tuple[int, str]:
        status, text = super()._request_fn(url, data, headers, files, requests_kwargs)
        if status >= 500:
            raise CkanServerError(status, url)
        return status, text

    def _request_fn_get(self, url: str, data_dict: Any, headers: Any, requests_kwargs: Any) -> tuple[int, str]:
        status, text = super()._request_fn_get(url, data_dict, headers, requests_kwargs)
        if status >= 500:
            raise CkanServerError(status, url)
        return status, text


def redact(text: str, secret: str | None) -> str:
    return text.replace(secret, REDACTED) if secret else text


class CkanClient:
    """Calls actions on one CKAN. Build it where it is used: it holds a session, not a connection."""

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        attempts: int = 6,
        backoff_seconds: float = 1.0,
        max_backoff_seconds: float = 30.0,
        timeout_seconds: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.timeout_seconds = timeout_seconds
        self._sleep = sleep
        self._remote: RemoteCKAN | None = None

    def __repr__(self) -> str:
        return f"CkanClient({self.url!r}, token={'set' if self._token else 'none'})"

    def _api(self) -> RemoteCKAN:
        if self._remote is None:
            self._remote = _RemoteCKAN(self.url, apikey=self._token, user_agent="odl-publish")
        return self._remote

    def dataset_url(self, name: str) -> str:
        return f"{self.url}/dataset/{name}"

    def call(self, action: str, data: dict[str, Any] | None = None, *, uploads: dict[str, Path] | None = None) -> Any:
        """The action's result. uploads: form field → file, reopened on every attempt."""
        delay = self.backoff_seconds
        for attempt in range(1, self.attempts + 1):
            try:
                with _opened(uploads) as files:
                    return self._api().call_action(
                        action, data or {}, files=files, requests_kwargs={"timeout": self.timeout_seconds}
                    )
            except (*RETRYABLE, CkanServerError) as error:
                message = redact(f"{type(error).__name__}: {error}", self._token)
                if attempt == self.attempts:
                    raise CkanUnavailable(f"{action} failed {attempt} times; last: {message}") from None
                log.warning(
                    "CKAN %s failed (try %s of %s), retrying in %.1fs: %s",
                    action,
                    attempt,
                    self.attempts,
                    delay,
                    message,
                )
                self._sleep(delay)
                delay = min(delay * 2, self.max_backoff_seconds)
            except NotFound:
                raise
            except CKANAPIError as error:
                raise CkanError(redact(f"{action}: {type(error).__name__}: {error}", self._token)) from None
        raise AssertionError("unreachable")

    def show(self, action: str, **data: Any) -> dict[str, Any] | None:
        """A *_show result, or None when CKAN says it does not exist."""
        try:
            result: dict[str, Any] = self.call(action, data)
        except NotFound:
            return None
        return result


@contextmanager
def _opened(uploads: dict[str, Path] | None) -> Iterator[dict[str, tuple[str, IO[bytes]]] | None]:
    if not uploads:
        yield None
        return
    with ExitStack() as stack:
        yield {field: (path.name, stack.enter_context(path.open("rb"))) for field, path in uploads.items()}
