"""A real HTTP server on 127.0.0.1 for the news tests: canned answers, no network."""

import socket
import threading
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FEEDS = Path(__file__).parent / "feeds"


@dataclass
class Reply:
    """One canned answer; `announce_length=False` makes the client read until close.

    `trickle` sends the body a byte at a time, waiting that many seconds between
    bytes: slower than any deadline, yet never silent long enough to time out.
    """

    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0
    announce_length: bool = True
    trickle: float = 0

    @classmethod
    def file(cls, name, content_type="application/rss+xml", **options):
        """Answer with a fixture from tests/feeds."""
        headers = {"Content-Type": content_type, **options.pop("headers", {})}
        return cls(body=(FEEDS / name).read_bytes(), headers=headers, **options)


def generated_feed(entries):
    """RSS bytes with an item for each (guid, published datetime or None), in that order."""
    items = "".join(
        f"<item><guid>{guid}</guid><title>Story {guid}</title>"
        + (f"<pubDate>{format_datetime(published)}</pubDate>" if published else "")
        + "</item>"
        for guid, published in entries
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Generated</title>' \
        f"{items}</channel></rss>".encode()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        server = self.server
        server.seen.append((self.path, dict(self.headers)))
        route = server.routes.get(self.path)
        reply = route(self.headers) if callable(route) else route or Reply(404, b"not found")
        # Waiting on the stop event lets the server shut down mid-delay.
        if reply.delay and server.stopping.wait(reply.delay):
            return
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.announce_length and "Content-Length" not in reply.headers:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if not reply.trickle:
                self.wfile.write(reply.body)
            for n in range(len(reply.body) if reply.trickle else 0):
                self.wfile.write(reply.body[n : n + 1])
                self.wfile.flush()
                if server.stopping.wait(reply.trickle):
                    return
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first, as the timeout tests intend

    def log_message(self, *args):
        pass  # keep the test output quiet


class FeedServer:
    """Serve `routes` (path -> Reply, or a callable taking request headers) on a free port.

    Given an `ssl.SSLContext`, it serves https.
    """

    def __init__(self, routes=None, tls=None):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.scheme = "https" if tls else "http"
        if tls:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.daemon_threads = True
        self.httpd.routes = dict(routes or {})
        self.httpd.seen = []
        self.httpd.stopping = threading.Event()
        # A short poll interval keeps shutdown, and so each test, quick.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def routes(self):
        """The path -> answer table; tests add to it."""
        return self.httpd.routes

    @property
    def seen(self):
        """(path, request headers) for every request, in order."""
        return self.httpd.seen

    def url(self, path="/"):
        """The full address of a path, http(s)://127.0.0.1:PORT/..."""
        return f"{self.scheme}://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


class DribbleServer:
    """A raw TCP server on 127.0.0.1 that starts an HTTP answer and never finishes its headers.

    Each connection gets the status line and half a header, then one more byte
    every `every` seconds: never silent long enough for a read timeout.
    """

    START = b"HTTP/1.1 200 OK\r\nX-Slow: "

    def __init__(self, every=0.2):
        self.every = every
        self.connections = 0
        self.stopping = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def url(self, path="/"):
        """The full http://127.0.0.1:PORT address of a path."""
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}{path}"

    def _accept(self):
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._dribble, args=(connection,), daemon=True).start()

    def _dribble(self, connection):
        with connection:
            try:
                connection.recv(65536)
                connection.sendall(self.START)
                while not self.stopping.wait(self.every):
                    connection.sendall(b"a")
            except OSError:
                pass  # the client hung up, as the deadline tests intend

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()
        self.listener.close()
