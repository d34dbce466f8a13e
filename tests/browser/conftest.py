"""A live server on 127.0.0.1 and Debian's headless Chromium driven by Playwright."""

import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium")
# Without the network flags Chromium keeps calling hosts this machine cannot reach.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


@pytest.fixture
def live_server(app):
    """Serve the test app over real HTTP in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium is missing at {CHROMIUM}: run `make browser` as root")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab with its own cookies."""
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()
