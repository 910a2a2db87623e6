# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small FortiOS REST API emulator for tests: the CMDB tables the network_gear role touches, over HTTPS.

It answers like FortiOS 7.x does for the calls of fortinet.fortios' httpapi plugin and modules: bearer-token
authentication, GET/POST/PUT/DELETE on /api/v2/cmdb/<path>/<name>[/<mkey>[/<child>[/<child mkey>]]], PUT with
action=move, and ``revision_changed`` telling whether a write changed anything (the modules report ``changed``
from it). State lives in memory; GET /__emulator/state returns it with a count of the writes that changed it.

Usage: fortios.py --port-file FILE [--token TOKEN] [--seed seed.json] [--cert-dir DIR] [--max-seconds N]
"""

from __future__ import annotations

import copy
import ipaddress
import json
import os
import sys
import urllib.parse

if __package__ in (None, ""):  # run as a script: make the package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gear_emulators._https import CountingState, JsonHandler, make_tls_server, serve_main  # noqa: E402

# table -> primary key, as FortiOS defines them.
TABLES = {
    "firewall/address": "name",
    "firewall/address6": "name",
    "firewall/addrgrp": "name",
    "firewall/addrgrp6": "name",
    "firewall.service/custom": "name",
    "firewall.service/group": "name",
    "firewall/policy": "policyid",
    "firewall/ssl-ssh-profile": "name",
    "firewall.wildcard-fqdn/custom": "name",
}
# (table, child attribute) -> child primary key
CHILD_TABLES = {("firewall/ssl-ssh-profile", "ssl-exempt"): "id"}
VERSION = "v7.4.3"


def _normalise(table: str, obj: dict) -> dict:
    """Store values the way FortiOS shows them back (subnets as 'address mask')."""
    if table == "firewall/address" and "subnet" in obj and "/" in str(obj["subnet"]):
        net = ipaddress.ip_network(str(obj["subnet"]), strict=False)
        obj["subnet"] = f"{net.network_address} {net.netmask}"
    return obj


class State(CountingState):
    def __init__(self, seed: dict):
        super().__init__()
        self.tables = {table: [] for table in TABLES}
        for table, rows in (seed or {}).items():
            self.tables[table] = [_normalise(table, dict(row)) for row in rows]
        self.revision = 1

    def dump(self) -> dict:
        return {"tables": copy.deepcopy(self.tables), "revision": self.revision}


def _find(rows: list, key: str, value) -> int:
    for index, row in enumerate(rows):
        if str(row.get(key)) == str(value):
            return index
    return -1


class Handler(JsonHandler):
    server_version = "FortiOS-emulator"

    # ------------------------------------------------------------------ plumbing
    def _authorised(self, query: dict) -> bool:
        token = self.server.token
        header = self.headers.get("Authorization", "")
        return header == f"Bearer {token}" or query.get("access_token", [None])[0] == token

    def _route(self, method: str) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parsed.query)
        state: State = self.server.state
        state.record(f"{method} {parsed.path}")
        if self.serve_state():
            return None
        if not self._authorised(query):
            return self.send_json(401, {"http_status": 401, "status": "error"})
        body = self.read_json() if method in ("POST", "PUT") else None
        if parsed.path == "/api/v2/monitor/system/status":
            return self.send_json(200, {"http_method": "GET", "status": "success", "http_status": 200,
                                        "version": VERSION, "build": 2573, "serial": "FGVMEMULATOR",
                                        "results": {"hostname": "fortios-emulator", "model": "FGVM64"}})
        if not parsed.path.startswith("/api/v2/cmdb/"):
            return self.send_json(404, {"http_status": 404, "status": "error"})
        parts = [urllib.parse.unquote(p) for p in parsed.path[len("/api/v2/cmdb/"):].split("/") if p]
        if len(parts) < 2 or f"{parts[0]}/{parts[1]}" not in TABLES:
            return self.send_json(404, {"http_status": 404, "status": "error", "error": -3})
        table = f"{parts[0]}/{parts[1]}"
        with state.lock:
            status, reply = self._cmdb(state, method, table, parts[2:], query, body)
        reply.setdefault("http_method", method)
        reply.setdefault("http_status", status)
        reply.setdefault("vdom", query.get("vdom", ["root"])[0])
        reply.setdefault("path", parts[0])
        reply.setdefault("name", parts[1])
        return self.send_json(status, reply)

    # ------------------------------------------------------------------ the CMDB
    def _cmdb(self, state: State, method: str, table: str, rest: list, query: dict, body):
        key = TABLES[table]
        rows = state.tables[table]
        if rest and len(rest) >= 2:
            return self._child(state, method, table, rest, body)
        mkey = rest[0] if rest else None
        if method == "GET":
            if mkey is None:
                return 200, {"status": "success", "results": copy.deepcopy(rows), "revision": str(state.revision)}
            index = _find(rows, key, mkey)
            if index < 0:
                return 404, {"status": "error", "error": -3}
            return 200, {"status": "success", "results": [copy.deepcopy(rows[index])], "mkey": mkey}
        if method == "POST":
            obj = _normalise(table, dict(body or {}))
            if key not in obj:
                return 500, {"status": "error", "error": -651, "cli_error": f"missing {key}"}
            if _find(rows, key, obj[key]) >= 0:
                return 500, {"status": "error", "error": -5, "cli_error": "entry already exists"}
            rows.append(obj)
            return self._changed(state, True, obj[key])
        if mkey is None:
            return 405, {"status": "error", "error": -1}
        index = _find(rows, key, mkey)
        if method == "DELETE":
            if index < 0:
                return 404, {"status": "error", "error": -3}
            del rows[index]
            return self._changed(state, True, mkey)
        if method == "PUT":
            if index < 0:
                return 404, {"status": "error", "error": -3}
            if query.get("action", [None])[0] == "move":
                return self._move(state, rows, key, index, query)
            current = rows[index]
            updated = _normalise(table, {**current, **(body or {})})
            updated[key] = current[key]
            changed = updated != current
            rows[index] = updated
            return self._changed(state, changed, mkey)
        return 405, {"status": "error", "error": -1}

    def _move(self, state, rows, key, index, query):
        for where in ("before", "after"):
            target = query.get(where, [None])[0]
            if target is None:
                continue
            row = rows.pop(index)
            target_index = _find(rows, key, target)
            if target_index < 0:
                rows.insert(index, row)
                return 404, {"status": "error", "error": -3, "cli_error": f"{where} target {target} not found"}
            new_index = target_index if where == "before" else target_index + 1
            rows.insert(new_index, row)
            return self._changed(state, new_index != index, row[key])
        return 500, {"status": "error", "error": -651, "cli_error": "move needs before or after"}

    def _child(self, state, method, table, rest, body):
        parent_key = TABLES[table]
        rows = state.tables[table]
        parent_index = _find(rows, parent_key, rest[0])
        child_attr = rest[1]
        child_key = CHILD_TABLES.get((table, child_attr))
        if parent_index < 0 or child_key is None:
            return 404, {"status": "error", "error": -3}
        children = rows[parent_index].setdefault(child_attr, [])
        child_mkey = rest[2] if len(rest) > 2 else None
        if method == "POST":
            obj = dict(body or {})
            if child_key not in obj or _find(children, child_key, obj[child_key]) >= 0:
                return 500, {"status": "error", "error": -5}
            children.append(obj)
            return self._changed(state, True, obj[child_key])
        if child_mkey is None:
            if method == "GET":
                return 200, {"status": "success", "results": copy.deepcopy(children)}
            return 405, {"status": "error", "error": -1}
        index = _find(children, child_key, child_mkey)
        if index < 0:
            return 404, {"status": "error", "error": -3}
        if method == "GET":
            return 200, {"status": "success", "results": [copy.deepcopy(children[index])]}
        if method == "DELETE":
            del children[index]
            return self._changed(state, True, child_mkey)
        if method == "PUT":
            current = children[index]
            updated = {**current, **(body or {})}
            updated[child_key] = current[child_key]
            children[index] = updated
            return self._changed(state, updated != current, child_mkey)
        return 405, {"status": "error", "error": -1}

    @staticmethod
    def _changed(state: State, changed: bool, mkey):
        if changed:
            state.revision += 1
            state.writes += 1
        return 200, {"status": "success", "mkey": mkey, "revision": str(state.revision),
                     "revision_changed": changed}

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._route("GET")

    def do_POST(self):  # noqa: N802
        self._route("POST")

    def do_PUT(self):  # noqa: N802
        self._route("PUT")

    def do_DELETE(self):  # noqa: N802
        self._route("DELETE")


def make_server(token: str, seed: dict, cert_dir: str, host: str = "127.0.0.1", port: int = 0):
    """An HTTPS emulator bound to host:port (0 = a free port), with a throwaway trustme certificate."""
    server = make_tls_server(Handler, State(seed), cert_dir, host, port)
    server.token = token
    return server


def main(argv=None) -> int:
    def make(args):
        return make_server(args.token, json.loads(args.seed_text) if args.seed_text else {}, args.cert_dir)

    return serve_main(__doc__, make, user=None,
                      add_arguments=lambda parser: parser.add_argument("--token", default="test"), argv=argv)


if __name__ == "__main__":
    sys.exit(main())
