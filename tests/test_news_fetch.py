"""Fetching feeds over real HTTP against a local server, and the SSRF guard."""

import gzip
import shutil
import socket
import ssl
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from crm.news import fetch as fetch_module
from crm.news.fetch import (
    USER_AGENT,
    FetchRequest,
    fetch,
    fetch_many,
    next_attempt,
    parse_retry_after,
    should_pause,
)
from crm.news.urls import UnsafeURL, check_public_url
from tests import pretend_dns
from tests.feedserver import DribbleServer, FeedServer, Reply
from tests.pretend_dns import PUBLIC

ETAG = '"v1-abc"'
LAST_MODIFIED = "Tue, 05 Mar 2024 14:30:00 GMT"


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


def local(url, **options):
    """fetch with the loopback server allowed, as every test server lives there."""
    return fetch(url, allow_private=True, **options)


def conditional_feed(headers):
    if headers.get("If-None-Match") == ETAG or headers.get("If-Modified-Since") == LAST_MODIFIED:
        return Reply(304, headers={"ETag": ETAG})
    return Reply.file("rss_guid.xml", headers={"ETag": ETAG, "Last-Modified": LAST_MODIFIED})


def test_fetch_returns_the_body_validators_and_sends_our_user_agent(server):
    server.routes["/feed"] = conditional_feed
    result = local(server.url("/feed"))
    assert result.ok and result.status == 200
    assert result.body.startswith(b"<?xml")
    assert result.etag == ETAG
    assert result.last_modified == LAST_MODIFIED
    assert result.headers["content-type"] == "application/rss+xml"
    assert result.final_url == server.url("/feed")
    assert (
        server.seen[0][1]["User-Agent"]
        == USER_AGENT
        == ("Followthrough/0.1 (+self-hosted personal CRM)")
    )


@pytest.mark.parametrize("validator", [{"etag": ETAG}, {"last_modified": LAST_MODIFIED}])
def test_unchanged_feed_answers_304_and_keeps_its_validators(server, validator):
    server.routes["/feed"] = conditional_feed
    result = local(server.url("/feed"), **validator)
    assert result.not_modified and result.ok
    assert result.status == 304
    assert result.body is None
    assert (result.etag, result.last_modified) == (
        ETAG,
        validator.get("last_modified"),
    )


def test_redirects_are_followed_and_the_final_url_kept(server):
    server.routes["/old"] = Reply(301, headers={"Location": "/moved"})
    server.routes["/moved"] = Reply(302, headers={"Location": server.url("/feed")})
    server.routes["/feed"] = Reply.file("rss_guid.xml")
    result = local(server.url("/old"), etag=ETAG)
    assert result.ok and result.status == 200
    assert result.final_url == server.url("/feed")
    assert [path for path, _ in server.seen] == ["/old", "/moved", "/feed"]


def test_a_redirect_loop_stops_after_five_hops(server):
    server.routes["/loop"] = Reply(302, headers={"Location": "/loop"})
    result = local(server.url("/loop"))
    assert result.error == "more than 5 redirects"
    assert len(server.seen) == 6


def test_429_reports_retry_after_in_seconds(server):
    server.routes["/busy"] = Reply(429, headers={"Retry-After": "120"})
    result = local(server.url("/busy"))
    assert result.error == "HTTP 429 Too Many Requests"
    assert result.retry_after == 120


def test_503_reports_retry_after_given_as_an_http_date(server):
    later = datetime.now(UTC) + timedelta(minutes=10)
    http_date = later.strftime("%a, %d %b %Y %H:%M:%S GMT")
    server.routes["/down"] = Reply(503, headers={"Retry-After": http_date})
    result = local(server.url("/down"))
    assert result.status == 503
    assert 590 <= result.retry_after <= 600


def test_server_error_is_reported_not_raised(server):
    server.routes["/broken"] = Reply(500, b"oops")
    result = local(server.url("/broken"))
    assert not result.ok
    assert result.status == 500
    assert result.error == "HTTP 500 Internal Server Error"
    assert result.body is None


def test_a_slow_server_hits_the_read_timeout(server):
    server.routes["/slow"] = Reply.file("rss_guid.xml", delay=3)
    started = time.monotonic()
    result = local(server.url("/slow"), timeout=(1, 0.3))
    assert result.error == "timed out waiting for the server to answer"
    assert time.monotonic() - started < 2.9  # before the server's answer at 3 s


def test_a_body_trickling_in_past_the_deadline_is_cut_off(server):
    server.routes["/drip"] = Reply.file("rss_guid.xml", trickle=0.05)
    started = time.monotonic()

    result = local(server.url("/drip"), timeout=(1, 1), deadline=0.5)

    assert result.error == "the server took more than 0.5 seconds to send the feed"
    assert result.body is None
    assert time.monotonic() - started < 10  # the whole file would take over a minute


def test_headers_trickling_in_past_the_deadline_are_cut_off():
    # A byte every 0.2 s never trips the read timeout (10 s, for a busy machine); only the
    # deadline ends it.
    with DribbleServer(every=0.2) as dribble:
        started = time.monotonic()
        result = local(dribble.url("/feed"), timeout=(1, 10), deadline=2)
        took = time.monotonic() - started
    assert result.error == "the server took more than 2 seconds to send the feed"
    assert 2 <= took < 10  # the server never finishes: loose, for a busy machine


def test_one_deadline_covers_every_redirect_hop(server):
    # Each hop answers well within the read timeout; together they take too long.
    for hop in range(5):
        server.routes[f"/hop{hop}"] = Reply(302, headers={"Location": f"/hop{hop + 1}"}, delay=0.6)
    server.routes["/hop5"] = Reply.file("rss_guid.xml")
    started = time.monotonic()
    result = local(server.url("/hop0"), timeout=(1, 1), deadline=1.5)
    assert result.error == "the server took more than 1.5 seconds to send the feed"
    assert time.monotonic() - started < 2.9  # the five hops take 3 s
    assert result.final_url in {server.url(f"/hop{hop}") for hop in range(1, 4)}


def test_fetches_cut_off_at_the_deadline_leave_no_thread_behind():
    with DribbleServer(every=0.1) as dribble:
        for _ in range(3):
            local(dribble.url("/feed"), timeout=(1, 1), deadline=0.3)
        time.sleep(0.3)
        assert not [thread for thread in threading.enumerate() if thread.name == "crm-fetch"]


@pytest.mark.parametrize("announce_length", [True, False])
def test_a_body_over_the_size_cap_is_refused(server, announce_length):
    server.routes["/huge"] = Reply(body=b"x" * 300_000, announce_length=announce_length)
    result = local(server.url("/huge"), max_bytes=100_000)
    assert result.error == "the response is larger than 97 KB"
    assert result.body is None


def test_a_compressed_body_is_capped_after_decompression(server):
    bomb = gzip.compress(b"<" * 2_000_000)
    server.routes["/bomb"] = Reply(body=bomb, headers={"Content-Encoding": "gzip"})
    assert len(bomb) < 100_000
    assert local(server.url("/bomb"), max_bytes=1_000_000).error.startswith("the response is")
    small = gzip.compress(b"<rss/>")
    server.routes["/small"] = Reply(body=small, headers={"Content-Encoding": "gzip"})
    assert local(server.url("/small")).body == b"<rss/>"


def test_a_refused_connection_is_a_plain_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    result = local(f"http://127.0.0.1:{closed_port}/feed")
    assert result.error == "could not connect: Connection refused"
    assert result.status is None


def test_loopback_is_refused_by_default_and_allowed_on_request(server):
    server.routes["/feed"] = Reply.file("rss_guid.xml")
    refused = fetch(server.url("/feed"))
    assert (
        refused.error == "refusing 127.0.0.1: it points to a private or local address (127.0.0.1)"
    )
    assert server.seen == []
    assert fetch(server.url("/feed"), allow_private=True).ok


@pytest.fixture
def dns(monkeypatch):
    """Made-up public names that lead to the local servers (see tests/pretend_dns.py)."""
    return pretend_dns.install(monkeypatch)


def public(dns, server, path, name="feeds.test"):
    """The address of `path` on `server` under a name that resolves to a public address."""
    dns.add(name)
    return f"http://{name}:{server.httpd.server_address[1]}{path}"


def test_a_public_name_is_fetched_from_the_address_that_was_checked(server, dns):
    server.routes["/feed"] = Reply.file("rss_guid.xml")
    url = public(dns, server, "/feed")
    result = fetch(url)
    assert result.ok and result.final_url == url
    # The request names the host it asked for, though it went to an address.
    assert server.seen[0][1]["Host"] == f"feeds.test:{server.httpd.server_address[1]}"


def test_a_name_is_looked_up_once_and_not_again_to_connect(server, dns):
    # A name server that answers a public address for the check and the
    # inside of the network for the connection gets no second question.
    server.routes["/feed"] = Reply.file("rss_guid.xml")
    url = public(dns, server, "/feed", name="rebind.test")
    dns.add("rebind.test", PUBLIC, "127.0.0.2")
    result = fetch(url)
    assert result.ok
    assert dns.lookups == ["rebind.test"]
    assert [path for path, _ in server.seen] == ["/feed"]


def test_https_to_the_checked_address_still_names_the_host_for_tls(tmp_path, dns, monkeypatch):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", key, "-out", cert, "-subj", "/CN=feeds.test",
                    "-addext", "subjectAltName=DNS:feeds.test"], check=True, capture_output=True)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    names = []
    tls.sni_callback = lambda sock, name, context: names.append(name)
    with FeedServer({"/feed": Reply.file("rss_guid.xml")}, tls=tls) as secure:
        port = secure.httpd.server_address[1]
        dns.add("feeds.test")
        dns.add("other.test")
        result = fetch(f"https://feeds.test:{port}/feed")
        impostor = fetch(f"https://other.test:{port}/feed")
    assert result.ok and names[0] == "feeds.test"
    assert secure.seen[0][1]["Host"] == f"feeds.test:{port}"
    # The certificate is checked against the name, not the address connected to.
    assert "doesn't match 'feeds.test'" in impostor.error


def test_a_redirect_to_a_private_address_is_refused(server, dns):
    metadata = "http://169.254.169.254/latest/meta-data/"
    server.routes["/go"] = Reply(302, headers={"Location": metadata})
    result = fetch(public(dns, server, "/go"))
    assert result.error.startswith("refusing 169.254.169.254")
    assert result.final_url == metadata
    assert [path for path, _ in server.seen] == ["/go"]


@pytest.mark.parametrize("allow_private", [False, True])
def test_a_backslash_before_the_path_is_refused_as_typed(server, allow_private):
    # urlsplit reads the host as 93.184.216.34; urllib3 would connect to the server.
    port = server.httpd.server_address[1]
    result = fetch(f"http://127.0.0.1:{port}\\@93.184.216.34/feed", allow_private=allow_private)
    assert "has a backslash, a space or a control character before its path" in result.error
    assert server.seen == []


def test_a_backslash_before_the_path_is_refused_after_a_redirect(server, dns):
    with FeedServer() as inside:
        inside.routes["/feed"] = Reply.file("rss_guid.xml")
        sneaky = f"http://127.0.0.1:{inside.httpd.server_address[1]}\\@{PUBLIC}/feed"
        server.routes["/go"] = Reply(302, headers={"Location": sneaky})
        result = fetch(public(dns, server, "/go"))
    assert result.error.endswith("has a backslash, a space or a control character before its path")
    assert inside.seen == []


@pytest.mark.parametrize(
    "host", ["localhost", "127.1", "2130706433", "0x7f.0.0.1", "[::ffff:127.0.0.1]", "[::1]"]
)
def test_every_spelling_of_this_machine_is_refused(server, host):
    result = fetch(f"http://{host}:{server.httpd.server_address[1]}/feed")
    assert result.error.startswith(f"refusing {host.strip('[]')}: it points to a private or local")
    assert server.seen == []


def test_a_redirect_to_another_scheme_is_refused(server):
    server.routes["/go"] = Reply(301, headers={"Location": "ftp://files.example/feed.xml"})
    result = local(server.url("/go"))
    assert (
        result.error
        == "only http and https addresses can be fetched, not 'ftp://files.example/feed.xml'"
    )


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.example/feed.xml",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://127.0.0.1/",
        "http://10.1.2.3/",
        "http://192.168.1.1:8080/",
        "http://169.254.169.254/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1]/",
        "http:///no-host",
        "http://example.com:99999/",
    ],
)
def test_unsafe_urls_are_refused(url):
    with pytest.raises(UnsafeURL):
        check_public_url(url)


def test_public_addresses_pass_and_private_ones_pass_when_allowed():
    check_public_url("https://93.184.216.34/feed")
    check_public_url("http://10.1.2.3/feed", allow_private=True)
    with pytest.raises(UnsafeURL):
        check_public_url("ftp://10.1.2.3/", allow_private=True)


def test_fetch_many_yields_every_feed_even_when_some_fail(server, monkeypatch):
    server.routes["/a"] = Reply.file("rss_guid.xml")
    server.routes["/b"] = Reply(500)
    server.routes["/slow"] = Reply.file("rss_guid.xml", delay=3)
    real_fetch = fetch_module.fetch

    def fetch_that_crashes_on_c(url, **options):
        if url.endswith("/c"):
            raise RuntimeError("bug in one feed")
        return real_fetch(url, **options)

    monkeypatch.setattr(fetch_module, "fetch", fetch_that_crashes_on_c)
    wanted = [FetchRequest(key, server.url(f"/{key}")) for key in ("a", "b", "c", "slow")]
    results = dict(fetch_many(wanted, workers=4, allow_private=True, timeout=(1, 0.3)))
    assert results["a"].ok
    assert results["b"].error == "HTTP 500 Internal Server Error"
    assert results["c"].error == "unexpected error: bug in one feed"
    assert results["slow"].error.startswith("timed out")


def test_fetch_many_sends_each_feeds_own_validators(server):
    server.routes["/feed"] = conditional_feed
    wanted = [
        FetchRequest("fresh", server.url("/feed")),
        FetchRequest("seen", server.url("/feed"), etag=ETAG),
    ]
    results = dict(fetch_many(wanted, allow_private=True))
    assert results["fresh"].body and not results["fresh"].not_modified
    assert results["seen"].not_modified


NOW = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


def test_backoff_doubles_with_each_error_up_to_a_cap():
    delays = [next_attempt(errors, NOW, base_minutes=30) - NOW for errors in range(8)]
    assert delays[:4] == [timedelta(minutes=m) for m in (30, 60, 120, 240)]
    assert delays[-1] == timedelta(hours=24)
    assert next_attempt(10_000, NOW) - NOW == timedelta(hours=24)


def test_backoff_honours_retry_after_but_not_beyond_the_cap():
    assert next_attempt(0, NOW, base_minutes=30, retry_after=7200) == NOW + timedelta(hours=2)
    assert next_attempt(0, NOW, base_minutes=30, retry_after=60) == NOW + timedelta(minutes=30)
    assert next_attempt(0, NOW, retry_after=30 * 86400) == NOW + timedelta(hours=24)


def test_a_feed_that_keeps_failing_is_paused():
    assert not should_pause(9)
    assert should_pause(10)
    assert should_pause(3, limit=3)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120),
        ("Tue, 05 Mar 2024 12:05:00 GMT", 300),
        ("Tue, 05 Mar 2024 11:00:00 GMT", 0),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after_is_read_as_seconds_or_a_date(value, seconds):
    assert parse_retry_after(value, NOW) == seconds
