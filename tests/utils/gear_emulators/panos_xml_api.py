# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A PAN-OS XML API emulator for tests: the calls pan-os-python makes for the network_gear role's objects.

``/api/`` (GET or POST form) with ``type=keygen`` (user, password -> key), ``type=op`` (``show system info``,
``show jobs id N``), ``type=config`` with ``action=get`` (candidate) / ``show`` (running) / ``set`` (merge an
element under an xpath, creating the path) / ``edit`` (replace the element at an xpath) / ``delete`` / ``move``
(where=before|after|top|bottom, dst), and ``type=commit`` (a job that ``show jobs`` reports FIN/OK; the running
configuration becomes the candidate). The configuration is one XML tree under ``/config`` with vsys1 of
``localhost.localdomain``, as on a single-vsys firewall; xpaths are resolved on it with ElementTree's
``entry[@name='...']`` predicates. ``GET /__emulator/state`` returns the candidate and running XML and the counters
(writes that changed the candidate, commits).

Usage: panos_xml_api.py --port-file FILE [--seed seed.xml] [--cert-dir DIR] [--user U --password-file F]
                        [--max-seconds N]
"""

from __future__ import annotations

import copy
import itertools
import os
import re
import sys
import urllib.parse
import xml.etree.ElementTree as ET

if __package__ in (None, ""):  # run as a script: make the package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gear_emulators._https import CountingState, JsonHandler, make_tls_server, serve_main  # noqa: E402

EMPTY_CONFIG = """<config version="10.2.0"><devices><entry name="localhost.localdomain"><vsys><entry name="vsys1">
<address/><address-group/><service/><service-group/><profiles><custom-url-category/></profiles>
<external-list/><rulebase><security><rules/></security><decryption><rules/></decryption></rulebase>
</entry></vsys></entry></devices><shared/></config>"""
SYSTEM_INFO = ("<system><hostname>pa-emulator</hostname><ip-address>127.0.0.1</ip-address><model>PA-VM</model>"
               "<serial>EMULATOR0001</serial><sw-version>10.2.0</sw-version><app-version>8700-8000</app-version>"
               "<multi-vsys>off</multi-vsys>"
               "<family>vm</family></system>")
VSYS1 = "devices/entry[@name='localhost.localdomain']/vsys/entry[@name='vsys1']/"
# The state dump's JSON view: section -> where its entries live under vsys1.
SECTIONS = {"address": "address", "address-group": "address-group", "service": "service",
            "service-group": "service-group", "custom-url-category": "profiles/custom-url-category",
            "external-list": "external-list", "security": "rulebase/security/rules",
            "decryption": "rulebase/decryption/rules"}
_SEGMENT = re.compile(r"([^/\[]+)((?:\[[^\]]*\])*)")


def _strip(tree: ET.Element) -> ET.Element:
    for element in tree.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        element.tail = None
    return tree


def _segments(xpath: str) -> list:
    """'/config/devices/entry[@name='x']/vsys' -> [('devices', ''), ('entry', "[@name='x']"), ('vsys', '')]."""
    parts = _SEGMENT.findall(xpath)
    if not parts or parts[0][0] != "config":
        raise ValueError(f"xpath {xpath} is not under /config")
    return parts[1:]


def _find(root: ET.Element, xpath: str, create: bool = False):
    node = root
    for tag, predicate in _segments(xpath):
        child = node.find(tag + predicate)
        if child is None:
            if not create:
                return None
            child = ET.SubElement(node, tag)
            name = re.match(r"\[@name='([^']*)'\]", predicate)
            if name:
                child.set("name", name.group(1))
        node = child
    return node


def _as_json(element: ET.Element):
    """An element as JSON: member lists as lists, entries by name, leaves as text."""
    children = list(element)
    if not children:
        return element.text
    if all(child.tag == "member" for child in children):
        return [child.text for child in children]
    if all(child.tag == "entry" for child in children):
        return {child.get("name"): _as_json(child) for child in children}
    return {child.tag: _as_json(child) for child in children}


def json_view(root: ET.Element) -> dict:
    """Each section of vsys1 as a list of [name, fields] in configuration order (rule order matters)."""
    view = {}
    for section, path in SECTIONS.items():
        node = root.find(VSYS1 + path)
        view[section] = [[entry.get("name"), _as_json(entry)] for entry in (node if node is not None else [])]
    return view


def _parent(root: ET.Element, target: ET.Element):
    return next((p for p in root.iter() if target in list(p)), None)


def _merge(node: ET.Element, element: ET.Element) -> None:
    """PAN-OS 'set': entries merge by name, members add, other elements merge or replace their text."""
    for child in element:
        if child.tag == "entry":
            existing = node.find(f"entry[@name='{child.get('name')}']")
        elif child.tag == "member":
            existing = next((m for m in node.findall("member") if m.text == child.text), None)
            if existing is not None:
                continue
        else:
            existing = node.find(child.tag)
        if existing is None:
            node.append(copy.deepcopy(child))
        elif len(child):
            _merge(existing, child)
        else:
            existing.text = child.text


class State(CountingState):
    def __init__(self, seed: str, user: str, password: str):
        super().__init__()
        self.candidate = _strip(ET.fromstring(seed or EMPTY_CONFIG))
        self.running = copy.deepcopy(self.candidate)
        self.user, self.password = user, password
        self.key = "LUFRPT-emulator-" + os.urandom(8).hex()
        self.jobs = itertools.count(1)
        self.commits = 0

    def dump(self) -> dict:
        return {"candidate": json_view(self.candidate), "running": json_view(self.running), "commits": self.commits}


def _reply(status: str, inner: str = "", code: str | None = None) -> bytes:
    code_attr = f' code="{code}"' if code else ""
    return f'<response status="{status}"{code_attr}>{inner}</response>'.encode()


def _error(message: str, code: str = "12") -> bytes:
    return _reply("error", f"<msg><line>{message}</line></msg>", code)


class Handler(JsonHandler):
    server_version = "PAN-OS-emulator"

    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.serve_state():
            return
        self._api(urllib.parse.urlsplit(self.path).query)

    def do_POST(self):  # noqa: N802
        self._api(self.read_body().decode())

    def _api(self, query: str) -> None:
        params = {key: values[0] for key, values in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
        state: State = self.server.state
        state.record(" ".join(f"{k}={params[k]}" for k in ("type", "action", "xpath", "cmd") if k in params))
        with state.lock:
            body = self._dispatch(state, params)
        self.send_json(200, body, "application/xml")

    def _dispatch(self, state: State, params: dict) -> bytes:
        kind = params.get("type")
        if kind == "keygen":
            if params.get("user") != state.user or params.get("password") != state.password:
                return _reply("error", "<result><msg>Invalid Credential</msg></result>", "403")
            return _reply("success", f"<result><key>{state.key}</key></result>")
        if params.get("key") != state.key:
            return _reply("error", "<result><msg>Invalid Credential</msg></result>", "403")
        if kind == "op":
            return self._op(state, params.get("cmd", ""))
        if kind == "commit":
            state.running = copy.deepcopy(state.candidate)
            state.commits += 1
            job = next(state.jobs)
            return _reply("success", f"<result><msg><line>Commit job enqueued with jobid {job}</line></msg>"
                                     f"<job>{job}</job></result>", "19")
        if kind == "config":
            try:
                return self._config(state, params)
            except (ValueError, ET.ParseError) as exc:
                return _error(str(exc))
        return _error(f"Unknown request type {kind}", "13")

    @staticmethod
    def _op(state: State, cmd: str) -> bytes:
        compact = re.sub(r"\s+", "", cmd)
        if compact in ("<show><system><info></info></system></show>", "<show><system><info/></system></show>"):
            return _reply("success", f"<result>{SYSTEM_INFO}</result>")
        job = re.fullmatch(r"<show><jobs><id>(\d+)</id></jobs></show>", compact)
        if job:
            return _reply("success", "<result><job><tenq>2026/01/01 00:00:00</tenq><tfin>2026/01/01 00:00:01</tfin>"
                                     f"<id>{job.group(1)}</id>"
                                     "<user>admin</user><type>Commit</type><status>FIN</status><result>OK</result>"
                                     "<progress>100</progress><details><line>Configuration committed successfully"
                                     "</line></details><warnings/></job></result>")
        return _error(f"op command not emulated: {cmd}", "17")

    @staticmethod
    def _config(state: State, params: dict) -> bytes:
        action, xpath = params.get("action"), params.get("xpath", "")
        if action == "get" and xpath.endswith("/entry/@name"):  # names only (pan-os-python's name_only refresh)
            node = _find(state.candidate, xpath[: -len("/entry/@name")])
            names = "".join(f'<entry name="{e.get("name")}"/>' for e in (node if node is not None else []))
            return _reply("success", f"<result>{names}</result>", "19")
        if action in ("get", "show"):
            node = _find(state.candidate if action == "get" else state.running, xpath)
            if node is None:
                if action == "show":
                    return _error("No such node", "7")
                return _reply("success", '<result total-count="0" count="0"/>', "19")
            inner = ET.tostring(node, encoding="unicode")
            return _reply("success", f'<result total-count="1" count="1">{inner}</result>', "19")
        before = ET.tostring(state.candidate)
        if action == "set":
            element = ET.fromstring(f"<wrap>{params.get('element', '')}</wrap>")
            _merge(_find(state.candidate, xpath, create=True), _strip(element))
        elif action == "edit":
            element = _strip(ET.fromstring(params.get("element", "")))
            node = _find(state.candidate, xpath)
            if node is None:
                parent_xpath = xpath.rsplit("/", 1)[0]
                _find(state.candidate, parent_xpath, create=True).append(element)
            else:
                parent = _parent(state.candidate, node)
                index = list(parent).index(node)
                parent.remove(node)
                parent.insert(index, element)
        elif action == "delete":
            node = _find(state.candidate, xpath)
            if node is None:
                return _error("Object doesn't exist", "7")
            _parent(state.candidate, node).remove(node)
        elif action == "move":
            node = _find(state.candidate, xpath)
            if node is None:
                return _error("No such node", "7")
            parent = _parent(state.candidate, node)
            parent.remove(node)
            where, dst = params.get("where"), params.get("dst")
            if where == "top":
                parent.insert(0, node)
            elif where == "bottom":
                parent.append(node)
            else:
                anchor = parent.find(f"entry[@name='{dst}']")
                if anchor is None:
                    parent.append(node)
                    return _error(f"{dst} does not exist", "12")
                index = list(parent).index(anchor)
                parent.insert(index if where == "before" else index + 1, node)
        else:
            return _error(f"action {action} not emulated", "12")
        if ET.tostring(state.candidate) != before:
            state.writes += 1
        return _reply("success", '<msg>command succeeded</msg>', "20")


def main(argv=None) -> int:
    def make(args):
        return make_tls_server(Handler, State(args.seed_text or "", args.user, args.password), args.cert_dir)

    return serve_main(__doc__, make, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
