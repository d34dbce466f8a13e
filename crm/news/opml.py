"""Read and write OPML feed lists, with feeds grouped under their company."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.parsers import expat

from crm.news.urls import ALLOWED_SCHEMES


class OpmlError(ValueError):
    """The file is not an OPML list we can import; the message says where and why."""


@dataclass(frozen=True)
class OpmlFeed:
    """One feed from an OPML file; `company` is the outline it sits in, if any."""

    url: str
    title: str
    company: str | None = None


def _attribute(attrs, name):
    # Exporters disagree on case: xmlUrl, xmlurl, XMLURL all occur.
    for key, value in attrs.items():
        if key.lower() == name.lower():
            return value.strip()
    return ""


def parse_opml(data):
    """Return the feeds in OPML bytes; raise OpmlError naming the line of any fault."""
    parser = expat.ParserCreate()
    # The company in force inside each open outline, outermost first: a feed
    # reads its company from the top, not by searching up a deep nesting.
    feeds, companies = [], [None]
    root_checked = False

    def refuse_declarations(*_):
        # A DTD can declare entities that expand to gigabytes ("billion laughs")
        # or read local files; OPML never needs one.
        raise OpmlError(f"line {parser.CurrentLineNumber}: DOCTYPE and ENTITY are not allowed")

    def start(tag, attrs):
        nonlocal root_checked
        if not root_checked:
            if tag.lower() != "opml":
                raise OpmlError(f"this is not an OPML file (it starts with <{tag}>)")
            root_checked = True
        if tag.lower() != "outline":
            return
        url = _attribute(attrs, "xmlUrl")
        label = _attribute(attrs, "text") or _attribute(attrs, "title")
        if not url:  # a group names the company of what it holds; one without a name, not
            companies.append(label or companies[-1])
            return
        companies.append(companies[-1])  # a feed outline names no company
        if urlsplit(url).scheme.lower() not in ALLOWED_SCHEMES:
            raise OpmlError(f"line {parser.CurrentLineNumber}: {url!r} is not an http(s) address")
        feeds.append(OpmlFeed(url=url, title=label or url, company=companies[-1]))

    def end(tag):
        if tag.lower() == "outline":
            companies.pop()

    parser.StartDoctypeDeclHandler = refuse_declarations
    parser.EntityDeclHandler = refuse_declarations
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise OpmlError(f"this is not valid XML: {error}") from error
    return feeds


def write_opml(feeds, title="Followthrough feeds"):
    """Return OPML bytes for the feeds, one outline per company holding its feeds."""
    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = title
    body = ET.SubElement(root, "body")
    companies = {}
    for feed in feeds:
        parent = body
        if feed.company:
            if feed.company not in companies:
                companies[feed.company] = ET.SubElement(body, "outline", text=feed.company)
            parent = companies[feed.company]
        ET.SubElement(
            parent, "outline", type="rss", text=feed.title, title=feed.title, xmlUrl=feed.url
        )
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
