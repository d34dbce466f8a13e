"""Time OPML parsing on hostile shapes: `python -m benchmarks.opml_nesting [--feeds N]`.

Each feed outline nested inside the one before is the shape that made the
parser quadratic; a flat list and a nesting of companies are timed beside it.
"""

import argparse
import time

from crm.news.opml import parse_opml


def nested_feeds(count):
    """OPML with `count` feed outlines, each inside the one before."""
    opens = "".join(f'<outline text="f{n}" xmlUrl="https://f.example/{n}">' for n in range(count))
    return f"<opml><body>{opens}{'</outline>' * count}</body></opml>".encode()


def nested_companies(count):
    """OPML with `count` company outlines, each inside the one before and holding a feed."""
    opens = "".join(f'<outline text="c{n}"><outline xmlUrl="https://f.example/{n}"/>'
                    for n in range(count))
    return f"<opml><body>{opens}{'</outline>' * count}</body></opml>".encode()


def flat_feeds(count):
    """OPML with `count` feed outlines side by side."""
    feeds = "".join(f'<outline text="f{n}" xmlUrl="https://f.example/{n}"/>'
                    for n in range(count))
    return f"<opml><body>{feeds}</body></opml>".encode()


def main():
    """Command line: print the parse time of each shape."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, nargs="+", default=[8_000, 32_000])
    args = parser.parse_args()
    for count in args.feeds:
        for shape in (nested_feeds, nested_companies, flat_feeds):
            data = shape(count)
            started = time.perf_counter()
            feeds = parse_opml(data)
            print(f"{shape.__name__:17} {count:>7} feeds, {len(data) / 1e6:5.1f} MB: "
                  f"{time.perf_counter() - started:7.2f} s ({len(feeds)} parsed)")


if __name__ == "__main__":
    main()
