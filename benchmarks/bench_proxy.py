# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark the proxy outputs, side by side in one run.

1. squid: requests per second through a real squid (in a private network namespace, needs root) to a local origin
   server, first with the site's configuration alone, then with the include for the whole catalog loaded. Plain
   HTTP GETs on persistent client connections; the site requires proxy authentication, the client always sends
   credentials, so the comparison shows what the include's ACLs cost (or save) per request.
2. PAC: time per FindProxyForURL call under pacparser, the generated PAC (table look-up) against the obvious PAC
   with one shExpMatch per catalog entry, for the catalog's names, look-alikes and unrelated names.

Run: PYTHONPATH=<dir holding ansible_collections> python benchmarks/bench_proxy.py
"""

from __future__ import annotations

import http.client
import os
import sys
import tempfile
import threading
import time
from base64 import b64encode

import pacparser

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "utils", "proxy"))

import proxyenv  # noqa: E402
from _bench import publish  # noqa: E402

from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist  # noqa: E402
from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import load_catalog, select  # noqa: E402
from ansible_collections.netallow.apple.plugins.plugin_utils.render.pac import render as render_pac  # noqa: E402
from ansible_collections.netallow.apple.plugins.plugin_utils.render.squid import render as render_squid  # noqa: E402

SECONDS = 3.0
WORKERS = 4
PAC_ROUNDS = 20


def measure_squid(state: dict, host: str, seconds: float = SECONDS) -> float:
    """Requests per second for GET http://host/ through the site squid, WORKERS persistent client connections."""
    squid = state["squids"]["site"]
    credentials = b64encode(f"{state['user']}:{state['password']}".encode()).decode()
    headers = {"Proxy-Authorization": f"Basic {credentials}", "Proxy-Connection": "keep-alive"}
    counts = [0] * WORKERS
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        with proxyenv.in_netns(state["netns"]):  # the thread's sockets are opened inside the namespace
            connection = http.client.HTTPConnection(squid["address"], squid["port"], timeout=10)
            while time.monotonic() < deadline:
                connection.request("GET", f"http://{host}/", headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(f"{host}: HTTP {response.status}")
                    return
                counts[index] += 1
                if response.will_close:
                    connection.close()
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(WORKERS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    if errors:
        raise RuntimeError(errors[0])
    return sum(counts) / (time.monotonic() - started)


def reconfigure(state: dict, include_text: str | None) -> None:
    squid = state["squids"]["site"]
    with open(squid["conf"] + ".orig", encoding="ascii") as handle:
        conf = handle.read()
    if include_text is not None:
        with open(squid["include"], "w", encoding="ascii") as handle:
            handle.write(include_text)
        first_rule = "http_access deny !Safe_ports"
        conf = conf.replace(first_rule, f"include {squid['include']}\n{first_rule}", 1)
    with open(squid["conf"], "w", encoding="ascii") as handle:
        handle.write(conf)
    proxyenv.run(proxyenv.SQUID, "-k", "reconfigure", "-f", squid["conf"])
    time.sleep(1.5)  # squid reconfigures asynchronously
    proxyenv.wait_for_port(state["netns"], squid["address"], squid["port"])


def bench_squid(model: dict) -> list[tuple[str, str, float]]:
    state = proxyenv.up()
    try:
        with open(state["squids"]["site"]["conf"], encoding="ascii") as handle:
            original = handle.read()
        with open(state["squids"]["site"]["conf"] + ".orig", "w", encoding="ascii") as handle:
            handle.write(original)
        include = render_squid(model, clients=["127.0.0.0/8"])
        rows = []
        for label, text in (("site config only", None), ("site config + netallow.apple include", include)):
            reconfigure(state, text)
            for host in ("1-courier.push.apple.com", "www.example.net"):
                measure_squid(state, host, 0.5)  # warm-up: authentication cache, connections
                rows.append((label, host, measure_squid(state, host)))
        return rows
    finally:
        proxyenv.down(state)


def naive_pac(entries: list, proxy: str) -> str:
    """What one writes by hand: one shExpMatch (or isInNet) per catalog entry, no normalisation."""
    lines = ["function FindProxyForURL(url, host) {"]
    for entry in entries:
        if entry["kind"] == "cidr":
            if ":" not in entry["host"]:
                network, prefix = entry["host"].split("/")
                mask = ".".join(str((0xFFFFFFFF << (32 - int(prefix)) >> shift) & 255) for shift in (24, 16, 8, 0))
                lines.append(f'  if (/^[0-9.]+$/.test(host) && isInNet(host, "{network}", "{mask}")) return "{proxy}";')
        else:
            lines.append(f'  if (shExpMatch(host, "{entry["host"]}")) return "{proxy}";')
    lines += ['  return "DIRECT";', "}"]
    return "\n".join(lines) + "\n"


def time_pac(text: str, hosts: list[str]) -> float:
    """Microseconds per find_proxy call."""
    with tempfile.NamedTemporaryFile("w", prefix="naproxy-", suffix=".pac", delete=False) as handle:
        handle.write(text)
    pacparser.init()
    try:
        pacparser.parse_pac_file(handle.name)
        started = time.perf_counter()
        for _round in range(PAC_ROUNDS):
            for host in hosts:
                pacparser.find_proxy(f"https://{host}/", host)
        elapsed = time.perf_counter() - started
    finally:
        pacparser.cleanup()
        os.unlink(handle.name)
    return elapsed / (PAC_ROUNDS * len(hosts)) * 1e6


def bench_pac(entries: list, model: dict) -> list[tuple[str, int, float, float]]:
    proxy = "PROXY apple-proxy.example.org:3128"
    names = [entry["probe"] or entry["host"] for entry in entries if entry["kind"] != "cidr"]
    look_alikes = [f"x{name}" for name in names] + [f"{name}.example.net" for name in names]
    unrelated = [f"host{index}.example.com" for index in range(len(names))]
    generated, naive = render_pac(model, proxy=proxy), naive_pac(entries, proxy)
    rows = []
    for label, hosts in (("catalog names", names), ("look-alikes", look_alikes), ("unrelated names", unrelated)):
        rows.append((label, len(hosts), time_pac(generated, hosts), time_pac(naive, hosts)))
    return rows


def main() -> int:
    entries = select(load_catalog())
    model = build_allowlist(entries)
    out = [f"# Proxy benchmarks\n\nCatalog: {len(entries)} current entries; {model['entry_count']} in the model.\n"]
    if os.geteuid() == 0:
        squid_rows = bench_squid(model)
        out.append(f"\n## squid: requests per second ({WORKERS} persistent clients, {SECONDS:.0f} s each, plain GET, "
                   "credentials always sent)\n\n| configuration | host | requests/s |\n|---|---|---:|")
        out += [f"| {label} | {host} | {rate:.0f} |" for label, host, rate in squid_rows]
    else:
        out.append("\n## squid\n\nskipped: needs root (network namespace)")
    out.append(f"\n\n## PAC: microseconds per FindProxyForURL under pacparser ({PAC_ROUNDS} rounds)\n\n"
               "| hosts | count | generated (table look-up) | naive (one shExpMatch per entry) |\n|---|---:|---:|---:|")
    for label, count, fast, slow in bench_pac(entries, model):
        out.append(f"| {label} | {count} | {fast:.1f} | {slow:.1f} |")
    text = "\n".join(out) + "\n"
    publish("proxy", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
