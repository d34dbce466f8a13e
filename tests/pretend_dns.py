"""A pretend name server for the address-guard tests: public names that lead to 127.0.0.1.

It stands in for `socket.getaddrinfo`, which the guard, requests-hardened and
urllib3 all call. A made-up name answers with the public address PUBLIC (or
with the next of several answers, to play a name server that rebinds), and a
connection to PUBLIC lands on 127.0.0.1: the local test server plays a public
host. `install` also lets sockets connect to this machine only, so that
nothing leaves it even if a change made the code connect by name again.
"""

import socket

PUBLIC = "93.184.216.34"


def install(monkeypatch):
    """Put a PretendDNS in place of the real one for a test; return it."""
    pretend = PretendDNS(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", pretend)
    real_connect = socket.socket.connect

    def connect_locally(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not address[0].startswith(
            ("127.", "::1", "::ffff:127.")
        ):
            raise ConnectionRefusedError(f"the tests never leave this machine ({address[0]})")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect_locally)
    return pretend


class PretendDNS:
    """A getaddrinfo that knows some made-up names; every other host goes to the real one."""

    def __init__(self, real):
        self.real = real
        self.names = {}
        self.lookups = []

    def add(self, name, *answers):
        """Let `name` resolve to `answers` in turn, the last one from then on (PUBLIC if none)."""
        self.names[name] = list(answers or [PUBLIC])

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        host = host.decode() if isinstance(host, bytes) else host
        if host in self.names:
            self.lookups.append(host)
            answers = self.names[host]
            return [_answer(answers.pop(0) if len(answers) > 1 else answers[0], port)]
        if host == PUBLIC:  # the connection to the address that was checked
            return [_answer("127.0.0.1", port)]
        return self.real(host, port, family, type, proto, flags)


def _answer(address, port):
    return (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port)))
