"""Logging in to the IMAP server, with a message that says exactly what failed."""

import contextlib
import socket
import ssl

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from crm.cli import is_loopback


class MailError(Exception):
    """The mailbox could not be read; the message says what failed, in words."""


def tls_context(ca_file=None):
    """Certificates are always checked; IMAP_CA_FILE adds an authority to trust (self-hosted)."""
    context = ssl.create_default_context()
    if ca_file:  # besides the system's authorities, not instead of them
        context.load_verify_locations(cafile=ca_file)
    return context


def connect(account, password, ca_file=None, timeout=30):
    """An IMAPClient logged in to the account's server; MailError says what went wrong."""
    host, port = account.host, account.port
    if not host:
        raise MailError("No IMAP server is set: fill in the Mail settings first.")
    if account.security == "plain" and not is_loopback(host):
        raise MailError(f"Refusing to send the password to {host} without encryption: choose "
                        "IMAPS or STARTTLS (plain IMAP is only for a server on this computer).")
    if not password:
        raise MailError("No IMAP password is set: give one on the Mail settings page, or set "
                        "IMAP_PASSWORD in instance/config.py or CRM_IMAP_PASSWORD.")
    context = tls_context(ca_file)
    try:
        client = IMAPClient(host, port=port, ssl=account.security == "imaps",
                            ssl_context=context, timeout=timeout)
    except Exception as error:
        raise MailError(describe(error, account)) from None
    try:
        if account.security == "starttls":
            client.starttls(context)
        client.login(account.username, password)
    except Exception as error:
        close(client)
        raise MailError(describe(error, account)) from None
    return client


def describe(error, account):
    """What a connection or login error means, naming the server and never the password."""
    where = f"{account.host} (port {account.port})"
    if isinstance(error, socket.gaierror):
        return f"The server name {account.host} was not found: check its spelling."
    if isinstance(error, ConnectionRefusedError):
        return f"{where} refused the connection: check the port and that the server runs."
    if isinstance(error, TimeoutError | socket.timeout):
        return f"{where} did not answer in time: check the name, the port and your network."
    if isinstance(error, ssl.SSLCertVerificationError):
        return (f"The TLS certificate of {account.host} could not be trusted "
                f"({error.verify_message}).")
    if isinstance(error, ssl.SSLError):
        return (f"TLS failed with {where} ({error.reason or error}): check that the port "
                "matches the encryption chosen (993 for IMAPS, 143 for STARTTLS).")
    if isinstance(error, LoginError):
        return (f"{account.host} refused the login of {account.username!r}: check the user "
                "name and the password (many providers want an app password).")
    if isinstance(error, IMAPClientError):
        return f"{account.host} answered with an error: {error}"
    if isinstance(error, OSError):
        return f"Could not reach {where}: {error.strerror or error}."
    return f"Could not read the mailbox at {where}: {error}"



def close(client):
    """Log out, or just drop a connection that is already broken."""
    try:
        client.logout()
    except (IMAPClientError, OSError):
        with contextlib.suppress(OSError):
            client.shutdown()
