#!/usr/bin/env python3
"""The shape of combined/nginx access logs, to compare the realistic benchmark log with real ones.

usage: benches/log-shape.py [--head MB] [--markdown] FILE...

Per file: size, lines, mean line length, and per MB the distinct client addresses, IPv4 /16s (IPv6 /32s
counted with them), visitor-days (address + user agent + day), paths (without the query string), user
agents and referrers; the share of lines from bots (user agent of a crawler, monitor, script or empty),
with a query string, with an identifier-looking query or path (sid=, token=, session, cid=, gclid=,
fbclid=, email=, /reset/), from IPv6 clients, and of 4xx/5xx answers. `--head MB` reads only the first MB
megabytes of each file (to compare files of the same size: distinct counts grow slower than the size).
Lines that are not combined/common are counted as skipped. Standard library only.
"""

import argparse
import ipaddress
import re
import sys

LINE = re.compile(
    rb'^(\S+) \S+ (\S+) \[([^:\]]+)[^\]]*\] "([^"\\]*(?:\\.[^"\\]*)*)" (\d{3}) (\S+)'
    rb'(?: "([^"\\]*(?:\\.[^"\\]*)*)" "([^"\\]*(?:\\.[^"\\]*)*)")?'
)
BOT = re.compile(
    rb"bot|crawl|spider|slurp|curl/|python|wget|go-http|okhttp|axios|java/|httpclient|uptime|pingdom"
    rb"|kube-probe|statuscake|feedly|inoreader|newsblur|externalhit|whatsapp|zgrab|censys|expanse"
    rb"|bytespider|^-$|^$",
    re.I,
)
TOKEN = re.compile(rb"[?&;](?:sid|token|session_?id|cid|gclid|fbclid|email|cart_token|jsessionid)=|/reset/", re.I)


def network(address):
    text = address.decode("ascii", "replace")
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text
    if ip.version == 4:
        return ".".join(text.split(".")[:2])
    return ipaddress.ip_network(f"{text}/32", strict=False).network_address.exploded[:9]


def shape(path, head):
    clients, nets, visitor_days, paths, agents, referrers = set(), set(), set(), set(), set(), set()
    lines = skipped = size = length = bots = queries = tokens = v6 = errors = 0
    limit = head * 1_000_000 if head else None
    with open(path, "rb") as f:
        for raw in f:
            if limit is not None and size + len(raw) > limit:
                break
            size += len(raw)
            line = raw.rstrip(b"\r\n")
            m = LINE.match(line)
            if not m:
                skipped += 1
                continue
            lines += 1
            length += len(line)
            client, _user, day, request, status, _bytes, referrer, agent = m.groups()
            agent = agent or b""
            if client not in clients:
                clients.add(client)
                nets.add(network(client))
            visitor_days.add((client, agent, day))
            parts = request.split(b" ")
            target = parts[1] if len(parts) > 1 else parts[0]
            paths.add(target.split(b"?", 1)[0])
            agents.add(agent)
            referrers.add(referrer or b"-")
            bots += bool(BOT.search(agent))
            queries += b"?" in target
            tokens += bool(TOKEN.search(target))
            v6 += b":" in client
            errors += status[:1] in b"45"
    mb = size / 1e6
    n = max(lines, 1)
    return {
        "file": path.rsplit("/", 1)[-1],
        "MB": round(mb, 2),
        "lines": lines,
        "skipped": skipped,
        "line length": round(length / n, 1),
        "clients/MB": round(len(clients) / mb),
        "/16s/MB": round(len(nets) / mb),
        "visitor-days/MB": round(len(visitor_days) / mb),
        "paths/MB": round(len(paths) / mb),
        "UAs/MB": round(len(agents) / mb),
        "referrers/MB": round(len(referrers) / mb),
        "bots %": round(100 * bots / n, 1),
        "query %": round(100 * queries / n, 1),
        "token %": round(100 * tokens / n, 1),
        "IPv6 %": round(100 * v6 / n, 1),
        "4xx/5xx %": round(100 * errors / n, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--head", type=float, help="read only the first MB megabytes of each file")
    parser.add_argument("--markdown", action="store_true", help="a Markdown table")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    rows = [shape(path, args.head) for path in args.files]
    keys = list(rows[0])
    if args.markdown:
        print("| " + " | ".join(keys) + " |")
        print("|" + "---|" * len(keys))
        for row in rows:
            print("| " + " | ".join(f"{row[k]:,}" if isinstance(row[k], int) else str(row[k]) for k in keys) + " |")
    else:
        width = max(len(k) for k in keys)
        for row in rows:
            for k in keys:
                print(f"{k:>{width}}  {row[k]}")
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
