"""URL safety and clean-up for feeds and article links."""

import ipaddress
import socket
from urllib.parse import parse_qs, urlsplit, urlunsplit

ALLOWED_SCHEMES = {"http", "https"}

# Parameters that only tell the publisher where a click came from: without them
# the same article from a blog feed and a news search has the same link.
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid"})

# Query parameters that news-search and social redirect links use to carry the
# real address (Bing News `url=`, Google `q=`/`url=`, Facebook `u=`).
REDIRECT_PARAMS = ("url", "u", "q")


class UnsafeURL(ValueError):
    """The URL may not be fetched: wrong scheme, or a host on a private network."""


class PrivateAddress(UnsafeURL):
    """The host points to a loopback, private, link-local or multicast address."""


def resolve_host(host, port):
    """Return every IP address `host` resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeURL(f"cannot resolve the host {host}") from error
    # An IPv6 answer may carry a zone ("fe80::1%eth0") that ipaddress refuses.
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def _is_public(address):
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    # is_global also rules out ranges none of the flags name, such as the
    # carrier-grade NAT block 100.64.0.0/10.
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def check_public_url(url, allow_private=False):
    """Raise UnsafeURL unless `url` is http(s) on a host with only public addresses."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeURL(f"only http and https addresses can be fetched, not {url!r}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as error:
        raise UnsafeURL(f"the address {url!r} has an invalid port") from error
    if not host:
        raise UnsafeURL(f"the address {url!r} has no host")
    if allow_private:
        return
    port = port or (443 if parts.scheme.lower() == "https" else 80)
    # Every address must be public: a host that answers with both a public and
    # a private address would otherwise let the connection reach the inside.
    for address in resolve_host(host, port):
        if not _is_public(address):
            raise PrivateAddress(
                f"refusing {host}: it points to a private or local address ({address})"
            )


def unwrap_redirect(link):
    """Return the article URL a redirect link carries in its query, else the link."""
    if not link:
        return link
    query = parse_qs(urlsplit(link).query)
    for name in REDIRECT_PARAMS:
        for value in query.get(name, ()):
            target = urlsplit(value)
            if target.scheme.lower() in ALLOWED_SCHEMES and target.netloc:
                return value
    return link


def canonical_link(link):
    """Return the link without tracking parameters (utm_*, fbclid, ...) or fragment."""
    if not link:
        return link
    parts = urlsplit(link)
    # Filtered as text, not re-encoded, so the parameters that stay keep their spelling.
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair
        and not (name := pair.split("=", 1)[0].lower()).startswith("utm_")
        and name not in TRACKING_PARAMS
    ]
    return urlunsplit(parts._replace(query="&".join(kept), fragment=""))
