# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A Check Point Management API emulator for tests: the web_api calls check_point.mgmt makes for the network_gear role.

Every call is ``POST /web_api/[v<version>/]<command>`` with a JSON body, as the collection's httpapi plugin sends it:
``login`` (user and password) returns a ``sid`` that later calls carry in ``X-chkp-sid``; changes go into that
session and only ``publish`` makes them visible to others (``discard`` drops them). Objects: host, network,
dns-domain, group, service-tcp, service-udp, service-group (``add-``/``set-``/``show-``/``delete-``, the plural
``show-<type>s`` with ``limit``/``offset`` paging, and ``equals``,
the comparison call the modules make before writing); rules: access-rule and https-rule in layers, with
``show-access-rulebase``/``show-https-rulebase`` paging and ``position``/``new-position`` (top, bottom, a number,
above/below a rule). ``publish`` and ``install-policy`` return a task id that ``show-task`` reports as succeeded.
Errors are shaped like the real API's: ``{"code": ..., "message": ...}`` with ``generic_err_object_not_found``,
``err_validation_failed`` (duplicate name, unknown member, object in use) and ``generic_err_command_not_found``.

Test controls (loopback only): ``GET /__emulator/state`` dumps the published database, the open sessions and the
counters (writes, publishes, discards, installs); ``POST /__emulator/fail`` with ``{"command": ..., "name": ...}``
makes that one call answer an error (``{}`` clears it).

Usage: checkpoint.py --port-file FILE [--seed seed.json] [--cert-dir DIR] [--user U --password P] [--max-seconds N]
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import sys
import uuid

if __package__ in (None, ""):  # run as a script: make the package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gear_emulators._https import CountingState, JsonHandler, make_tls_server, serve_main  # noqa: E402

OBJECT_TYPES = ("host", "network", "dns-domain", "group", "service-tcp", "service-udp", "service-group")
RULE_TYPES = {"access-rule": "access", "https-rule": "https"}
# Fields that name other objects, per type: shown as objects, compared by name, checked to exist.
REFERENCES = {"group": ("members",), "service-group": ("members",),
              "access-rule": ("source", "destination", "service"), "https-rule": ("source", "destination", "service")}
# Objects every management server has, usable in rules without being created.
BUILT_IN = ("Any", "HTTPS default services")
# Call parameters that are not object fields.
NOT_FIELDS = {"details-level", "ignore-warnings", "ignore-errors", "position", "new-position", "new-name",
              "search-entire-rulebase", "layer"}
API_VERSION = "1.9.1"


def _error(status: int, code: str, message: str, errors: list | None = None):
    body = {"code": code, "message": message}
    if errors:
        body["errors"] = [{"message": text} for text in errors]
    return status, body


def _not_found(name):
    return _error(404, "generic_err_object_not_found", f"Requested object [{name}] not found")


def _validation(text: str):
    return _error(400, "err_validation_failed", "Validation failed with 1 error", [text])


class Database:
    """Objects by name and rules per (kind, layer): one published copy, and one per session while it edits."""

    def __init__(self, seed: dict):
        self.objects = {}
        self.layers = {"access": {}, "https": {}}
        for obj in seed.get("objects", []):
            self.objects[obj["name"]] = {"uid": str(uuid.uuid4()), **obj}
        for kind in ("access", "https"):
            for layer, rules in seed.get(f"{kind}_layers", {}).items():
                rule_type = f"{kind}-rule"
                self.layers[kind][layer] = [{"uid": str(uuid.uuid4()), "type": rule_type, **rule} for rule in rules]

    def dump(self) -> dict:
        return {"objects": copy.deepcopy(self.objects), "layers": copy.deepcopy(self.layers)}


class State(CountingState):
    def __init__(self, seed: dict, user: str, password: str):
        super().__init__()
        self.published = Database(seed)
        self.sessions = {}  # sid -> {"uid", "db", "changes"}
        self.user, self.password = user, password
        self.tasks = {}
        self.task_ids = itertools.count(1)
        self.publishes = self.discards = self.installs = self.logins = self.logouts = 0
        self.installed = []
        self.fail = {}

    def dump(self) -> dict:
        return {**self.published.dump(), "publishes": self.publishes, "discards": self.discards,
                "installs": self.installs, "installed": list(self.installed), "logins": self.logins,
                "logouts": self.logouts,
                "sessions": {session["uid"]: {"changes": session["changes"]} for session in self.sessions.values()}}


class Handler(JsonHandler):
    server_version = "CPM-emulator"

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.server.state.record(f"GET {self.path}")
        if not self.serve_state():
            self.send_json(404, {"code": "generic_err_command_not_found", "message": "Unknown command"})

    def do_POST(self):  # noqa: N802
        state: State = self.server.state
        path = self.path.split("?", 1)[0]
        try:
            body = self.read_json() or {}
        except ValueError:
            return self.send_json(400, {"code": "generic_err_invalid_syntax", "message": "Invalid JSON"})
        if path == "/__emulator/fail":
            with state.lock:
                state.fail = body
            return self.send_json(200, {"fail": body})
        parts = [p for p in path.split("/") if p]
        if len(parts) < 2 or parts[0] != "web_api":
            return self.send_json(404, {"code": "generic_err_command_not_found", "message": "Unknown command"})
        command = parts[-1]
        state.record(command)
        with state.lock:
            status, reply = self._call(state, command, body)
        return self.send_json(status, reply)

    # ------------------------------------------------------------------ the API
    def _call(self, state: State, command: str, body: dict):
        if command == "login":
            return self._login(state, body)
        session = state.sessions.get(self.headers.get("X-chkp-sid", ""))
        if session is None:
            return _error(400, "generic_err_wrong_session_id",
                          "Wrong session id. Session may be expired. Please check session id and resend the request")
        if state.fail and state.fail.get("command") == command and state.fail.get("name") == body.get("name"):
            return _validation(f"Object '{body.get('name')}': the management server refused {command}")
        if command == "logout":
            state.logouts += 1
            sid = self.headers.get("X-chkp-sid")
            if not state.sessions[sid]["changes"]:
                del state.sessions[sid]
            else:  # a real server keeps a disconnected session with its unpublished changes
                state.sessions[f"disconnected-{sid}"] = state.sessions.pop(sid)
            return 200, {"message": "OK"}
        if command == "publish":
            state.published = copy.deepcopy(session["db"])
            session["changes"] = 0
            state.publishes += 1
            return 200, self._task(state, "Publish operation")
        if command == "discard":
            discarded = session["changes"]
            session["db"] = copy.deepcopy(state.published)
            session["changes"] = 0
            state.discards += 1
            return 200, {"number-of-discarded-changes": discarded, "message": "OK"}
        if command == "show-task":
            task = state.tasks.get(body.get("task-id"))
            if task is None:
                return _not_found(body.get("task-id"))
            return 200, {"tasks": [task]}
        if command == "install-policy":
            package = body.get("policy-package")
            if package != "standard":
                return _not_found(package)
            state.installs += 1
            state.installed.append({"policy-package": package, "targets": body.get("targets", [])})
            return 200, self._task(state, "Policy installation - standard")
        if command == "equals":
            return self._equals(session["db"], body)
        verb, _dash, kind = command.partition("-")
        if kind in RULE_TYPES:
            return self._rule(state, session, verb, kind, body)
        if kind.endswith("-rulebase") and kind[: -len("base")] in RULE_TYPES:
            return self._rulebase(session["db"], RULE_TYPES[kind[: -len("base")]], body)
        if verb == "show" and kind[:-1] in OBJECT_TYPES and kind.endswith("s"):
            return self._objects(session["db"], kind[:-1], body)
        if kind in OBJECT_TYPES and verb in ("add", "set", "show", "delete"):
            return self._object(state, session, verb, kind, body)
        return _error(404, "generic_err_command_not_found", f'Unknown command "{command}"')

    def _login(self, state: State, body: dict):
        if body.get("user") != state.user or body.get("password") != state.password:
            return _error(400, "err_login_failed", "Authentication to server failed.")
        sid = uuid.uuid4().hex
        state.sessions[sid] = {"uid": str(uuid.uuid4()), "db": copy.deepcopy(state.published), "changes": 0}
        state.logins += 1
        return 200, {"sid": sid, "uid": state.sessions[sid]["uid"], "url": "https://127.0.0.1/web_api",
                     "session-timeout": 600, "api-server-version": API_VERSION, "read-only": False}

    @staticmethod
    def _task(state: State, name: str) -> dict:
        task_id = f"01234567-89ab-cdef-0000-{next(state.task_ids):012d}"
        state.tasks[task_id] = {"task-id": task_id, "task-name": name, "status": "succeeded",
                                "progress-percentage": 100, "suppressed": False, "task-details": []}
        return {"task-id": task_id}

    @staticmethod
    def _write(state: State, session: dict) -> None:
        state.writes += 1
        session["changes"] += 1

    # ------------------------------------------------------------------ objects
    @staticmethod
    def _show(db: Database, obj: dict) -> dict:
        """An object as the API shows it: references as objects with name, uid and type."""
        shown = copy.deepcopy(obj)
        for field in REFERENCES.get(obj["type"], ()):
            shown[field] = [Handler._reference(db, name) for name in obj.get(field, [])]
        if obj["type"] in RULE_TYPES:
            if isinstance(obj.get("action"), str):
                shown["action"] = {"name": obj["action"], "type": "RulebaseAction"}
            if obj["type"] == "access-rule" and isinstance(obj.get("track"), dict):
                shown["track"] = {**obj["track"], "type": {"name": obj["track"].get("type", "None"),
                                                           "type": "Track"}}
        shown.setdefault("domain", {"name": "SMC User", "domain-type": "domain"})
        return shown

    @staticmethod
    def _reference(db: Database, name: str) -> dict:
        obj = db.objects.get(name)
        if obj is None:
            return {"name": name, "uid": f"built-in-{name}", "type": "CpmiAnyObject"}
        return {"name": name, "uid": obj["uid"], "type": obj["type"]}

    @staticmethod
    def _fields(body: dict) -> dict:
        return {key: value for key, value in body.items() if key not in NOT_FIELDS}

    @staticmethod
    def _missing_reference(db: Database, obj: dict):
        for field in REFERENCES.get(obj["type"], ()):
            for name in obj.get(field, []):
                if name not in db.objects and name not in BUILT_IN:
                    return _validation(f"Invalid object '{name}' in field '{field}' of '{obj['name']}'")
        return None

    @staticmethod
    def _users(db: Database, name: str) -> list:
        users = [obj["name"] for obj in db.objects.values()
                 if any(name in obj.get(field, []) for field in REFERENCES.get(obj["type"], ()))]
        for rules in list(db.layers["access"].values()) + list(db.layers["https"].values()):
            users += [rule["name"] for rule in rules
                      if any(name in rule.get(field, []) for field in REFERENCES[rule["type"]])]
        return users

    def _object(self, state: State, session: dict, verb: str, kind: str, body: dict):
        db: Database = session["db"]
        name = body.get("name")
        current = db.objects.get(name)
        if verb == "add":
            if name in db.objects:
                return _validation(f"More than one object named '{name}' exists.")
            obj = {"uid": str(uuid.uuid4()), "type": kind, **self._fields(body)}
            error = self._missing_reference(db, obj)
            if error:
                return error
            db.objects[name] = obj
            self._write(state, session)
            return 200, self._show(db, obj)
        if current is None or current["type"] != kind:
            return _not_found(name)
        if verb == "show":
            return 200, self._show(db, current)
        if verb == "delete":
            users = self._users(db, name)
            if users:
                return _validation(f"Object '{name}' is in use by {', '.join(users)}")
            del db.objects[name]
            self._write(state, session)
            return 200, {"message": "OK"}
        updated = {**current, **self._fields(body)}
        error = self._missing_reference(db, updated)
        if error:
            return error
        if updated != current:
            db.objects[name] = updated
            self._write(state, session)
        return 200, self._show(db, updated)

    def _objects(self, db: Database, kind: str, body: dict):
        """show-<kind>s: one page (offset, limit: 50 by default, 500 at most) of the objects of a type, by name."""
        limit, offset = body.get("limit", 50), body.get("offset", 0)
        if not isinstance(limit, int) or not 1 <= limit <= 500 or not isinstance(offset, int) or offset < 0:
            return _error(400, "generic_err_invalid_parameter", f"Invalid limit {limit!r} or offset {offset!r}")
        matching = sorted((obj for obj in db.objects.values() if obj["type"] == kind), key=lambda obj: obj["name"])
        page = [self._show(db, obj) for obj in matching[offset:offset + limit]]
        reply = {"objects": page, "total": len(matching)}
        if page:
            reply.update({"from": offset + 1, "to": offset + len(page)})
        return 200, reply

    def _equals(self, db: Database, body: dict):
        kind = body.get("type")
        params = dict(body.get("params") or {})
        name = params.get("name")
        if kind in RULE_TYPES:
            rules = db.layers[RULE_TYPES[kind]].get(params.get("layer"), [])
            current = next((rule for rule in rules if rule["name"] == name), None)
        elif kind in OBJECT_TYPES:
            current = db.objects.get(name)
            current = current if current and current["type"] == kind else None
        else:
            return _error(400, "generic_err_invalid_parameter", f"Invalid type '{kind}'")
        if current is None:
            return _not_found(name)
        wanted = self._fields(params)
        equal = all(self._same(current.get(key), value, key in REFERENCES.get(kind, ()))
                    for key, value in wanted.items())
        return 200, {"equals": equal}

    @staticmethod
    def _same(have, want, is_reference: bool) -> bool:
        if is_reference and isinstance(want, list):
            return sorted(have or []) == sorted(want)
        if isinstance(want, dict) and isinstance(have, dict):
            return all(have.get(key) == value for key, value in want.items())
        return have == want

    # ------------------------------------------------------------------ rules
    @staticmethod
    def _place(rules: list, rule: dict, position):
        """Insert rule at position (1-based number, top, bottom, or {above|below|top|bottom: name})."""
        if isinstance(position, dict):
            (where, anchor), = position.items()
            if where in ("top", "bottom"):
                return "sections are not emulated"
            index = next((i for i, other in enumerate(rules) if other["name"] == anchor), None)
            if index is None:
                return f"Requested object [{anchor}] not found"
            rules.insert(index if where == "above" else index + 1, rule)
            return None
        if position in (None, "bottom"):
            rules.append(rule)
        elif position == "top":
            rules.insert(0, rule)
        else:
            number = int(position)
            if not 1 <= number <= len(rules) + 1:
                return f"position {number} is out of the rulebase (1-{len(rules) + 1})"
            rules.insert(number - 1, rule)
        return None

    def _rule(self, state: State, session: dict, verb: str, kind: str, body: dict):
        db: Database = session["db"]
        layer = body.get("layer")
        rules = db.layers[RULE_TYPES[kind]].get(layer)
        if rules is None:
            return _not_found(layer)
        name = body.get("name")
        index = next((i for i, rule in enumerate(rules) if rule["name"] == name), None)
        if verb == "add":
            if index is not None:
                return _validation(f"More than one rule named '{name}' exists in layer '{layer}'.")
            rule = {"uid": str(uuid.uuid4()), "type": kind, **self._fields(body)}
            error = self._missing_reference(db, rule) or (None if "position" in body else
                                                          _error(400, "generic_err_missing_required_parameters",
                                                                 "Missing parameter: [position]"))
            if error:
                return error
            problem = self._place(rules, rule, body["position"])
            if problem:
                return _validation(problem)
            self._write(state, session)
            return 200, self._show(db, rule)
        if index is None:
            return _not_found(name)
        if verb == "show":
            return 200, self._show(db, rules[index])
        if verb == "delete":
            del rules[index]
            self._write(state, session)
            return 200, {"message": "OK"}
        if verb != "set":
            return _error(404, "generic_err_command_not_found", f'Unknown command "{verb}-{kind}"')
        current = rules[index]
        updated = {**current, **self._fields(body)}
        error = self._missing_reference(db, updated)
        if error:
            return error
        before = [rule["name"] for rule in rules]
        rules[index] = updated
        if "new-position" in body:
            rule = rules.pop(index)
            problem = self._place(rules, rule, body["new-position"])
            if problem:
                rules.insert(index, rule)
                return _validation(problem)
        if updated != current or [rule["name"] for rule in rules] != before:
            self._write(state, session)
        return 200, self._show(db, updated)

    def _rulebase(self, db: Database, kind: str, body: dict):
        layer = body.get("name")
        rules = db.layers[kind].get(layer)
        if rules is None:
            return _not_found(layer)
        offset = int(body.get("offset", 0))
        limit = int(body.get("limit", 50))
        page = rules[offset: offset + limit]
        shown = [{**self._show(db, rule), "rule-number": offset + i + 1} for i, rule in enumerate(page)]
        reply = {"uid": f"layer-{layer}", "name": layer, "rulebase": shown, "total": len(rules),
                 "objects-dictionary": []}
        if shown:
            reply.update({"from": offset + 1, "to": offset + len(shown)})
        else:
            reply["to"] = offset
        return 200, reply


def make_server(seed: dict, cert_dir: str, user: str, password: str, host: str = "127.0.0.1", port: int = 0):
    return make_tls_server(Handler, State(seed, user, password), cert_dir, host, port)


def main(argv=None) -> int:
    def make(args):
        seed = json.loads(args.seed_text) if args.seed_text else {}
        return make_server(seed, args.cert_dir, args.user, args.password)

    return serve_main(__doc__, make, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
