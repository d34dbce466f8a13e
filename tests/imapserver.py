"""A real IMAP server on 127.0.0.1 for the mail tests and benchmark: a throwaway Dovecot.

Made as in ../shared/recipes/dovecot-imap.md: a configuration of its own in a
temporary folder (nothing of /etc/dovecot is used), mail owned by the `vmail`
user when run as root (Dovecot refuses to keep mail as root), a self-signed
certificate made by openssl, and one server answering plain IMAP (with
STARTTLS) and IMAPS on two free ports. `make test` installs Dovecot through
scripts/ensure-dovecot.
"""

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = os.environ.get("CRM_DOVECOT", "/usr/sbin/dovecot")
USERS = 1000  # mailboxes a server can hand out

CONFIG = """\
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={d}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
# Tests of a wrong password must not slow down those after them (Dovecot's
# penalty doubles the wait after each failed login from the same address).
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
}}
"""


def available():
    """Whether Dovecot is installed (scripts/ensure-dovecot installs it)."""
    return os.access(DOVECOT, os.X_OK)


def free_port():
    """A port nothing listens on now, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Dovecot:
    """One running Dovecot; `mailbox()` adds a user with an empty mailbox. A context manager."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="crm-dovecot-"))
        self.port, self.tls_port = free_port(), free_port()
        self.process = None
        self.count = 0
        root = os.geteuid() == 0
        # As root, the recipe's users; otherwise everything runs as the caller.
        me = pwd.getpwuid(os.geteuid()).pw_name
        self.mail_user = "vmail" if root else me
        self.users = {"internal": "dovecot" if root else me,
                      "login": "dovenull" if root else me}

    @property
    def cert(self):
        """The self-signed certificate to trust (its name is localhost)."""
        return str(self.folder / "cert.pem")

    def __enter__(self):
        d = self.folder
        d.chmod(0o755)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                        "-keyout", d / "key.pem", "-out", d / "cert.pem"],
                       check=True, capture_output=True)
        # Every user made up front: Dovecot notices a changed file only a second later.
        (d / "users").write_text("".join(f"{user}:{{PLAIN}}{password}\n"
                                         for user, password in map(_account, range(1, USERS))))
        for name in ("key.pem", "cert.pem", "users"):
            (d / name).chmod(0o644)
        account = pwd.getpwnam(self.mail_user)
        home = d / "home"
        home.mkdir()
        os.chown(home, account.pw_uid, account.pw_gid)
        internal = pwd.getpwnam(self.users["internal"])
        (d / "dovecot.conf").write_text(CONFIG.format(
            d=d, port=self.port, tls_port=self.tls_port, mail_user=account.pw_uid,
            mail_group=account.pw_gid, internal=self.users["internal"],
            internal_group=grp.getgrgid(internal.pw_gid).gr_name,
            login=self.users["login"]))
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(d / "dovecot.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_until_listening()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        """Stop the server (by its own process id) and delete its mail."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _wait_until_listening(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("Dovecot stopped: " + self.process.stderr.read().decode()
                                   + self.log())
            if _listening(self.port) and _listening(self.tls_port):
                return
            time.sleep(0.05)
        raise RuntimeError("Dovecot did not start listening: " + self.log())

    def log(self):
        """What Dovecot wrote to its log."""
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def mailbox(self):
        """A new user with an empty mailbox, so that every test has its own."""
        self.count += 1
        return Mailbox(self, *_account(self.count))


def _account(number):
    return f"me{number}@example.com", f"app-password-{number}"


def _listening(port):
    """Whether something listens on 127.0.0.1:port, without connecting.

    A test connection would leave a login process behind that holds up the
    server's shutdown for seconds.
    """
    wanted = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as table:
        return any(line.split()[1] == wanted and line.split()[3] == "0A"
                   for line in list(table)[1:])


class Mailbox:
    """One user's mailbox on the server: put messages in it, as a mail client would."""

    def __init__(self, server, user, password):
        self.server, self.user, self.password = server, user, password

    def settings(self, **changes):
        """The app's mail settings for this server (plain IMAP on loopback), changed as given."""
        return {"host": "127.0.0.1", "port": self.server.port, "security": "plain",
                "username": self.user, "address": self.user, **changes}

    def client(self):
        """A logged-in imaplib client, for putting messages on the server."""
        imap = imaplib.IMAP4("127.0.0.1", self.server.port)
        imap.login(self.user, self.password)
        return imap

    def append(self, folder, *messages):
        """APPEND raw messages (bytes) to a folder."""
        imap = self.client()
        try:
            for raw in messages:
                status, answer = imap.append(folder, None, None, raw)
                assert status == "OK", answer
        finally:
            imap.logout()

    def fill(self, folder, messages, received=None):
        """Write many raw messages as Maildir files at once: far faster than APPENDing each.

        `received` (a datetime) is their arrival time, which IMAP's SEARCH SINCE compares.
        """
        maildir = self.server.folder / "home" / self.user / "Maildir"
        if folder != "INBOX":
            maildir = maildir / f".{folder}"
        account = pwd.getpwnam(self.server.mail_user)
        for sub in ("cur", "new", "tmp"):
            (maildir / sub).mkdir(parents=True, exist_ok=True)
        stamp = int(time.time())
        for number, raw in enumerate(messages):
            path = maildir / "cur" / f"{stamp}.M{number}P1.test:2,S"
            path.write_bytes(raw)
            if received:
                os.utime(path, (received.timestamp(), received.timestamp()))
        home = self.server.folder / "home"
        for path in home.rglob("*"):
            os.chown(path, account.pw_uid, account.pw_gid)

    def renumber(self, folder, uid_validity):
        """Give a folder a new UIDVALIDITY, as a server does after rebuilding its index."""
        subprocess.run(["doveadm", "-c", str(self.server.folder / "dovecot.conf"), "mailbox",
                        "update", "-u", self.user, "--uid-validity", str(uid_validity), folder],
                       check=True, capture_output=True)
