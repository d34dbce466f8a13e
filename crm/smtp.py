"""Handing a message to the configured SMTP server: the digest, and letters sent from Today."""

import smtplib

from flask import current_app


def deliver(message):
    """Send an email.message.EmailMessage through SMTP_HOST, as the configuration says."""
    config = current_app.config
    connect = smtplib.SMTP_SSL if config["SMTP_SSL"] else smtplib.SMTP
    with connect(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message)
