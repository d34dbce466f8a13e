"""URL safety and clean-up for feeds and article links."""

import ipaddress
import re
import socket
from urllib.parse import parse_qs, urlsplit, urlunsplit

import requests
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

ALLOWED_SCHEMES = {"http", "https"}

# Parameters that only tell the publisher where a click came from: without them
# the same article from a blog feed and a news search has the same link.
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid"})

# Query parameters that news-search and social redirect links use to carry the
# real address (Bing News `url=`, Google `q=`/`url=`, Facebook `u=`).
REDIRECT_PARAMS = ("url", "u", "q")


class UnsafeURL(ValueError):
    """The URL may not be fetched: wrong scheme, or a host on a private network."""


class Unresolvable(UnsafeURL):
    """The host name does not resolve: mistyped, or this computer is offline."""


class PrivateAddress(UnsafeURL):
    """The host points to a loopback, private, link-local or multicast address."""

    def __init__(self, host, address):
        super().__init__(f"refusing {host}: it points to a private or local address ({address})")


# A backslash, a space or a control character in the host part is read one
# way by urlsplit and another by urllib3, which connects: in
# http://127.0.0.1:8080\@example.com/ urlsplit sees the host example.com,
# urllib3 connects to 127.0.0.1.
_AUTHORITY = re.compile(r"[^:/?#]*:/*([^/?#]*)")
_AMBIGUOUS = re.compile(r"[\\\s\x00-\x1f\x7f]")


def connection_host(url):
    """Return the host and port requests would connect to for `url`; raise UnsafeURL if none.

    The URL is read by requests' own parser, the one the connection uses, and
    refused when it is http(s) in name only or its host part is ambiguous.
    """
    if urlsplit(url).scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeURL(f"only http and https addresses can be fetched, not {url!r}")
    authority = _AUTHORITY.match(url)
    if authority and _AMBIGUOUS.search(authority.group(1)):
        raise UnsafeURL(f"the address {url!r} has a backslash, a space or a control "
                        "character before its path")
    prepared = requests.PreparedRequest()
    try:
        prepared.prepare_url(url, None)
        parts = parse_url(prepared.url)
    except (requests.RequestException, LocationParseError) as error:
        reason = "has no host" if "No host supplied" in str(error) else "is not valid"
        raise UnsafeURL(f"the address {url!r} {reason}") from None
    if not parts.host:
        raise UnsafeURL(f"the address {url!r} has no host")
    default = 443 if parts.scheme == "https" else 80
    return parts.host.strip("[]"), parts.port or default


def resolve_host(host, port):
    """Return every IP address `host` resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Unresolvable(f"cannot resolve the host {host}") from error
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
    """Raise UnsafeURL unless `url` is http(s) on a host with only public addresses.

    For a clear answer before anything is fetched: the fetch itself checks
    again the one address it connects to.
    """
    host, port = connection_host(url)
    if allow_private:
        return
    # Every address must be public: a host that answers with both a public and
    # a private address would otherwise let the connection reach the inside.
    for address in resolve_host(host, port):
        if not _is_public(address):
            raise PrivateAddress(host, address)


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
