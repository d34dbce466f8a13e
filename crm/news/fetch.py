"""HTTP for feeds: one careful GET within one deadline, many at once, and when to try again."""

import contextlib
import email.utils
import socket
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from requests_hardened.ip_filter import InvalidIPAddress
from requests_hardened.ip_filter_adapter import IPFilterAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from crm.news.urls import PrivateAddress, UnsafeURL, connection_host

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
DEADLINE_SECONDS = 60


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
    deadline=DEADLINE_SECONDS,
):
    """GET `url` safely within `deadline` seconds, redirects included; never raises."""
    attempt = _Attempt(url)
    options = {"etag": etag, "last_modified": last_modified, "timeout": timeout,
               "max_bytes": max_bytes, "user_agent": user_agent, "allow_private": allow_private}
    # Timeouts bound each wait, not the whole: a server sending its headers a
    # byte every few seconds would hold the fetch for days. So the fetch runs
    # in a thread of its own, the answer comes at the deadline whatever that
    # thread waits on (a name server too), and its sockets are then shut so
    # that the thread ends as well.
    worker = threading.Thread(target=attempt.run, kwargs=options, name="crm-fetch", daemon=True)
    worker.start()
    worker.join(max(deadline, 0))
    if attempt.result is None:
        attempt.cut()
        late = f"the server took more than {deadline:.3g} seconds to send the feed"
        return FetchResult(None, attempt.url, error=late)
    return attempt.result


_running = threading.local()


class _Attempt:
    """One fetch in its worker thread: the address it has reached, its sockets, its result."""

    def __init__(self, url):
        self.url = url
        self.result = None
        self._sockets = []
        self._cut = False
        self._lock = threading.Lock()

    def run(self, **options):
        """Fetch, following redirects, and keep the FetchResult."""
        _running.attempt = self
        try:
            self.result = self._follow(**options)
        except Exception as error:  # a bug ends as one feed's error, not a silent dead thread
            self.result = FetchResult(None, self.url, error=f"unexpected error: {error}")

    def watch(self, sock):
        """Keep a socket the fetch opened, to shut at the deadline (at once if it has passed)."""
        with self._lock:
            self._sockets.append(sock)
            late = self._cut
        if late:
            _shut(sock)

    def cut(self):
        """Shut every socket of the fetch, which ends any read or write in progress."""
        with self._lock:
            self._cut = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def _follow(self, etag, last_modified, timeout, max_bytes, user_agent, allow_private):
        headers = {"User-Agent": user_agent, "Accept": ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        with _session(allow_private) as session:
            try:
                # Redirects are followed by hand so that every hop passes the
                # checks, not only the address the user typed.
                for _ in range(MAX_REDIRECTS + 1):
                    response = _send(session, self.url, headers, timeout)
                    with response:
                        target = session.get_redirect_target(response)
                        if target is None:
                            return _result(response, self.url, etag, last_modified, max_bytes)
                    self.url = urljoin(self.url, target)
                return FetchResult(None, self.url, error=f"more than {MAX_REDIRECTS} redirects")
            except (UnsafeURL, requests.RequestException) as error:
                return FetchResult(None, self.url, error=_describe(error))


def _describe(error):
    if isinstance(error, UnsafeURL):
        return str(error)
    if isinstance(error, requests.ConnectTimeout):
        return "timed out while connecting"
    if isinstance(error, requests.Timeout):
        return "timed out waiting for the server to answer"
    if isinstance(error, requests.ConnectionError):
        return f"could not connect: {_reason(error)}"
    return f"request failed: {_reason(error)}"


def _shut(sock):
    with contextlib.suppress(OSError):  # already closed, or never connected
        sock.shutdown(socket.SHUT_RDWR)


def _send(session, url, headers, timeout):
    host, _ = connection_host(url)
    try:
        return session.get(url, headers=headers, timeout=timeout, stream=True,
                           allow_redirects=False)
    except InvalidIPAddress as error:
        raise PrivateAddress(host, error.args[0]) from None


def _session(allow_private):
    """A session whose sockets the deadline can shut; unless `allow_private`, public only."""
    session = requests.Session()
    for prefix in ("http://", "https://"):
        # requests-hardened looks the host up once, refuses a private or
        # loopback address, and connects to the very address it checked (Host
        # header and TLS name kept): a name server cannot answer the check
        # with a public address and the connection with a private one.
        adapter = (HTTPAdapter() if allow_private
                   else IPFilterAdapter(is_https_proto=prefix == "https://"))
        adapter.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS
        session.mount(prefix, adapter)
    return session


class _Watched:
    """Mixed into urllib3's connections: each new socket goes to the fetch of its thread."""

    # requests gives no handle on the socket a request waits on before its
    # headers arrive; the connection that opens it is the one place to take it.
    def _new_conn(self):
        sock = super()._new_conn()
        attempt = getattr(_running, "attempt", None)
        if attempt is not None:
            attempt.watch(sock)
        return sock


def _watched_pool(pool_class, connection_class):
    watched = type(f"Watched{connection_class.__name__}", (_Watched, connection_class), {})
    return type(f"Watched{pool_class.__name__}", (pool_class,), {"ConnectionCls": watched})


_WATCHED_POOLS = {
    "http": _watched_pool(HTTPConnectionPool, HTTPConnection),
    "https": _watched_pool(HTTPSConnectionPool, HTTPSConnection),
}


def _result(response, url, etag, last_modified, max_bytes):
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
    # Counted after decompression, so a small gzip bomb cannot slip past the cap.
    for chunk in response.iter_content(CHUNK_BYTES):
        body += chunk
        if len(body) > max_bytes:
            result.error = _too_large(max_bytes)
            return result
    result.body = bytes(body)
    return result


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


def note_success(source, result, now, interval_minutes):
    """A fetch of a feed or an event calendar that worked, new or not modified: its
    validators kept for the next conditional fetch, its errors forgotten, the next one due."""
    source.etag, source.last_modified = result.etag or "", result.last_modified or ""
    source.error_count, source.last_error, source.paused = 0, "", False
    source.last_checked_at = source.last_success_at = now
    source.next_check_at = next_attempt(0, now, interval_minutes)


def note_failure(source, error, now, interval_minutes, retry_after=None):
    """A fetch of a feed or an event calendar that failed: back off longer each time,
    pause after too many in a row."""
    source.error_count += 1
    source.last_error = error
    source.paused = should_pause(source.error_count)
    source.last_checked_at = now
    source.next_check_at = next_attempt(source.error_count, now, interval_minutes, retry_after)
