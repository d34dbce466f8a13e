"""HTTP for feeds: one careful GET, many at once, and when to try again."""

import contextlib
import email.utils
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin

import requests

from crm.news.urls import UnsafeURL, check_public_url

USER_AGENT = "Followthrough/0.1 (+self-hosted personal CRM)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, text/html;q=0.7, */*;q=0.1"
)
MAX_REDIRECTS = 5
CHUNK_BYTES = 64 * 1024
BACKOFF_BASE_MINUTES = 60
BACKOFF_CAP_MINUTES = 24 * 60
PAUSE_AFTER_ERRORS = 10
BODY_DEADLINE_SECONDS = 60


@dataclass
class FetchResult:
    """What one GET gave back; `error` is a sentence for the user, or None."""

    status: int | None
    final_url: str
    etag: str | None = None
    last_modified: str | None = None
    body: bytes | None = None
    headers: dict = field(default_factory=dict)
    not_modified: bool = False
    retry_after: int | None = None
    error: str | None = None

    @property
    def ok(self):
        """True when the fetch worked (a 304 included)."""
        return self.error is None


@dataclass(frozen=True)
class FetchRequest:
    """One feed to fetch in `fetch_many`, with the validators stored from last time."""

    key: object
    url: str
    etag: str | None = None
    last_modified: str | None = None


def fetch(
    url,
    *,
    etag=None,
    last_modified=None,
    timeout=(5, 15),
    max_bytes=10 * 1024 * 1024,
    user_agent=USER_AGENT,
    allow_private=False,
    session=None,
    deadline=BODY_DEADLINE_SECONDS,
):
    """GET `url` safely and report the outcome as a FetchResult; never raises."""
    headers = {"User-Agent": user_agent, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    own_session = session is None
    session = session or requests.Session()
    current = url
    try:
        # Redirects are followed by hand so that every hop passes the SSRF check,
        # not only the address the user typed.
        for _ in range(MAX_REDIRECTS + 1):
            check_public_url(current, allow_private)
            response = session.get(
                current, headers=headers, timeout=timeout, stream=True, allow_redirects=False
            )
            with response:
                target = session.get_redirect_target(response)
                if target is None:
                    return _result(response, current, etag, last_modified, max_bytes, deadline)
            current = urljoin(current, target)
        return FetchResult(None, current, error=f"more than {MAX_REDIRECTS} redirects")
    except UnsafeURL as error:
        return FetchResult(None, current, error=str(error))
    except requests.ConnectTimeout:
        return FetchResult(None, current, error="timed out while connecting")
    except requests.Timeout:
        return FetchResult(None, current, error="timed out waiting for the server to answer")
    except requests.ConnectionError as error:
        return FetchResult(None, current, error=f"could not connect: {_reason(error)}")
    except requests.RequestException as error:
        return FetchResult(None, current, error=f"request failed: {_reason(error)}")
    finally:
        if own_session:
            session.close()


def _result(response, url, etag, last_modified, max_bytes, deadline):
    headers = dict(response.headers.lower_items())
    result = FetchResult(
        response.status_code,
        url,
        etag=headers.get("etag", etag),
        last_modified=headers.get("last-modified", last_modified),
        headers=headers,
    )
    if response.status_code == 304:
        result.not_modified = True
        return result
    if not 200 <= response.status_code < 300:
        result.error = f"HTTP {response.status_code} {response.reason or ''}".rstrip()
        if response.status_code in (429, 503):
            result.retry_after = parse_retry_after(headers.get("retry-after"), datetime.now(UTC))
        return result
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        result.error = _too_large(max_bytes)
        return result
    body = bytearray()
    # The read timeout bounds each wait, not the whole body: a server sending a
    # byte now and then could hold a refresh for days. At the deadline the
    # socket is shut, which ends the read in progress at once.
    expired = threading.Event()
    watchdog = threading.Timer(deadline, _cut_off, (response, expired))
    watchdog.daemon = True
    watchdog.start()
    try:
        # Counted after decompression, so a small gzip bomb cannot slip past the cap.
        for chunk in response.iter_content(CHUNK_BYTES):
            body += chunk
            if len(body) > max_bytes:
                result.error = _too_large(max_bytes)
                return result
    except requests.RequestException:
        if not expired.is_set():
            raise
    finally:
        watchdog.cancel()
    if expired.is_set():
        result.error = f"the server took more than {deadline:g} seconds to send the feed"
        return result
    result.body = bytes(body)
    return result


def _cut_off(response, expired):
    expired.set()
    # Nothing to do when the read just finished, or with an urllib3 older than
    # 2.3, which cannot interrupt a read from another thread.
    with contextlib.suppress(AttributeError, RuntimeError, ValueError, OSError):
        response.raw.shutdown()


def _too_large(max_bytes):
    if max_bytes >= 1024 * 1024:
        return f"the response is larger than {max_bytes / (1024 * 1024):g} MB"
    return f"the response is larger than {max_bytes // 1024} KB"


def _reason(error):
    # requests wraps urllib3, which wraps the socket error; the innermost one
    # reads best ("Connection refused", "Name or service not known").
    while (error.__cause__ or error.__context__) is not None:
        error = error.__cause__ or error.__context__
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def parse_retry_after(value, now):
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int((when - now).total_seconds()))


def fetch_many(requests_list, workers=8, **options):
    """Fetch each FetchRequest in threads; yield (key, FetchResult) as each finishes."""
    executor = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = {
            executor.submit(
                fetch, item.url, etag=item.etag, last_modified=item.last_modified, **options
            ): item
            for item in requests_list
        }
        for future in as_completed(futures):
            item = futures[future]
            try:
                result = future.result()
            except Exception as error:  # one broken feed must never stop the others
                result = FetchResult(None, item.url, error=f"unexpected error: {error}")
            yield item.key, result
    finally:
        # A consumer that stops early should not wait for fetches it will never read.
        executor.shutdown(wait=False, cancel_futures=True)


def next_attempt(
    error_count,
    now,
    base_minutes=BACKOFF_BASE_MINUTES,
    retry_after=None,
    cap_minutes=BACKOFF_CAP_MINUTES,
):
    """When to fetch a feed next: the base interval doubled per error, capped."""
    # The exponent is clamped before the power so a feed failing for months
    # does not build an enormous number just to cap it.
    minutes = min(base_minutes * 2 ** min(error_count, 32), cap_minutes)
    seconds = minutes * 60
    if retry_after:
        seconds = max(seconds, min(retry_after, cap_minutes * 60))
    return now + timedelta(seconds=seconds)


def should_pause(error_count, limit=PAUSE_AFTER_ERRORS):
    """True when a feed has failed so often that it waits for the user to retry it."""
    return error_count >= limit
