"""CKAN's Action API through ckanapi, riding out restarts, and never showing the API token.

Connection errors, timeouts and 5xx answers are retried with exponential backoff; CKAN's own
answers (not found, validation error, not authorised) are not, they would not change. Creating
actions go through `create`, which resends only what cannot have reached CKAN, so a retry never
makes a second object. Every message that leaves this module has the token replaced by `***`.
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

import requests
from ckanapi import CKANAPIError, NotFound, RemoteCKAN
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

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


def never_sent(error: Exception) -> bool:
    """The request failed before a connection existed (refused, unresolvable, connect timeout): CKAN saw nothing.

    requests raises these as ConnectTimeout, or as ConnectionError around urllib3's MaxRetryError whose
    reason is a ConnectTimeoutError (NewConnectionError is one). A read timeout, a connection dropped
    after sending and a 5xx may all come after CKAN did the work.
    """
    if isinstance(error, requests.ConnectTimeout):
        return True
    cause = error.args[0] if isinstance(error, requests.ConnectionError) and error.args else None
    return isinstance(cause, MaxRetryError) and isinstance(cause.reason, ConnectTimeoutError)


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
        """The action's result. uploads: form field → file, reopened on every attempt. Not for creating actions."""
        return self._send(action, data, uploads, None)

    def create(
        self,
        action: str,
        data: dict[str, Any],
        *,
        find_existing: Callable[[], Any | None],
        uploads: dict[str, Path] | None = None,
    ) -> Any:
        """The result of a creating action, or what find_existing() finds when CKAN did it but the answer was lost.

        A refused connection or a connect timeout is retried like any call: CKAN saw nothing. After a read
        timeout, a dropped connection or a 5xx, CKAN may have created the object, and sending again would
        make a second resource (or fail on a name in use). So after the same backoff find_existing() looks;
        what it returns is the result, and only None sends the create again. It should read through this
        client (`show`), so the lookup rides out an outage like any read. A method of its own rather than an
        option of `call`, so that every creating call site has to say how its object is found.
        """
        return self._send(action, data, uploads, find_existing)

    def _send(
        self,
        action: str,
        data: dict[str, Any] | None,
        uploads: dict[str, Path] | None,
        find_existing: Callable[[], Any | None] | None,
    ) -> Any:
        delay = self.backoff_seconds
        for attempt in range(1, self.attempts + 1):
            try:
                with _opened(uploads) as files:
                    return self._api().call_action(
                        action, data or {}, files=files, requests_kwargs={"timeout": self.timeout_seconds}
                    )
            except (*RETRYABLE, CkanServerError) as error:
                message = redact(f"{type(error).__name__}: {error}", self._token)
                lookup = None if find_existing is None or never_sent(error) else find_existing
                if attempt == self.attempts and lookup is None:
                    raise CkanUnavailable(f"{action} failed {attempt} times; last: {message}") from None
                log.warning(
                    "CKAN %s failed (try %s of %s), %s in %.1fs: %s",
                    action,
                    attempt,
                    self.attempts,
                    "retrying" if lookup is None else "looking for what it may have made",
                    delay,
                    message,
                )
                self._sleep(delay)
                delay = min(delay * 2, self.max_backoff_seconds)
                if lookup is not None:
                    found = lookup()
                    if found is not None:
                        log.warning("CKAN %s: the answer was lost but CKAN had done it; using what it made", action)
                        return found
                    if attempt == self.attempts:
                        raise CkanUnavailable(
                            f"{action} failed {attempt} times and made nothing; last: {message}"
                        ) from None
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
