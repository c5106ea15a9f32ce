#!/usr/bin/python3
"""Parse OpenMetrics text with Python's prometheus_client, a strict parser.

Usage: scripts/check-openmetrics.py [FILE ...]   (no FILE, or "-": stdin)

Prometheus and promtool accept some exposition that the OpenMetrics
specification forbids (two families that share a name once a counter's
_total is stripped, a family's series split into several blocks); other
consumers refuse it. This check reads each input to the end, as those
consumers do, and exits 1 with the parser's message on the first refusal.
It exits 2 when the parser is not installed or an input cannot be read.

The parser is Debian's python3-prometheus-client, installed for the system
interpreter /usr/bin/python3 (a pyenv or virtualenv python3 on PATH may not
have it): run this file directly, or with /usr/bin/python3.
"""

import sys

try:
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
except ImportError as err:
    sys.stderr.write(
        "check-openmetrics: prometheus_client is not importable by %s (%s); "
        "install it with apt-get install python3-prometheus-client\n" % (sys.executable, err)
    )
    sys.exit(2)


def read(name):
    if name == "-":
        return sys.stdin.read()
    with open(name, encoding="utf-8") as f:
        return f.read()


def check(name):
    """Return None when the input parses, else the parser's message."""
    text = read(name)
    try:
        # The parser is a generator: only reading every family parses it all.
        families = list(text_string_to_metric_families(text))
    except Exception as err:  # the parser raises ValueError, and others on odd input
        return "%s: %s" % (type(err).__name__, err)
    if not families:
        return "no metric families"
    return None


def main(args):
    names = args or ["-"]
    failed = False
    for name in names:
        shown = "stdin" if name == "-" else name
        try:
            problem = check(name)
        except (OSError, UnicodeDecodeError) as err:
            sys.stderr.write("check-openmetrics: %s: %s\n" % (shown, err))
            return 2
        if problem is not None:
            sys.stderr.write("check-openmetrics: %s is refused: %s\n" % (shown, problem))
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
