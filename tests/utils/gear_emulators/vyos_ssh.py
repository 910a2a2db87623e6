# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A scripted VyOS 1.4 device over SSH (paramiko server) for tests of ansible.netcommon.network_cli.

It speaks what vyos.vyos' terminal and cliconf plugins and vyos_config send: password login to an interactive shell
(prompt ``vyos@<host>:~$``), ``set terminal length|width``, ``show version``, ``show host name``, ``show
configuration commands``; ``configure`` (prompt ``[edit]`` / ``vyos@<host>#``), ``set ...`` and ``delete ...`` on
a candidate configuration, ``compare``, ``commit [comment "..."]``, ``compare saved``, ``save``, ``exit`` (refused
while uncommitted changes exist, as VyOS does) and ``exit discard``. The configuration is kept as VyOS keeps it: a
tree of nodes printed by ``show configuration commands`` with values in single quotes. A commit fails, as on
VyOS, when a firewall rule names a group that does not exist.

After every command the device writes its state (running, saved and candidate configuration; counts of commits,
saves and committed changes; the configuration commands received) to --state-file as JSON.

Usage: vyos_ssh.py --port-file FILE --state-file FILE [--seed config-commands.txt] [--user U --password-file F]
                   [--max-seconds N]
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import socketserver
import sys
import threading
import time

if __package__ in (None, ""):  # run as a script: make the package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gear_emulators._https import CountingState, serve_main  # noqa: E402

HOSTNAME = "vyos"
VERSION_TEXT = """Version:          VyOS 1.4.0
Release train:    sagitta

Built by:         autobuild@vyos.net
Built on:         Mon 01 Dec 2025 00:00 UTC
Build UUID:       00000000-0000-4000-8000-000000000000

Architecture:     x86_64
Boot via:         installed image
System type:      KVM guest

Hardware vendor:  QEMU
HW model:         Standard PC (Q35 + ICH9, 2009)
"""
# Nodes that take no value (printed without one).
VALUELESS = {"log", "disable"}
# Leaves that hold several values (each its own line); any other leaf holds one value, which a new set replaces.
MULTI_VALUED = {"network", "port", "address"}


def render_line(path: tuple) -> str:
    """A configuration line as 'show configuration commands' prints it: the leaf value in single quotes (a bare
    group definition, 'firewall group <kind> <name>', has no value)."""
    words = list(path)
    is_bare_group = len(words) == 4 and words[:2] == ["firewall", "group"]
    if len(words) >= 2 and words[-1] not in VALUELESS and not is_bare_group:
        words[-1] = "'" + words[-1] + "'"
    return "set " + " ".join(words)


def set_line(config: list, path: tuple) -> None:
    """Add a line to a configuration, replacing the old value of a single-valued leaf."""
    if path in config:
        return
    if len(path) >= 2 and path[-2] not in MULTI_VALUED and path[-1] not in VALUELESS:
        config[:] = [line for line in config if line[:-1] != path[:-1]]
    config.append(path)


class State(CountingState):
    def __init__(self, seed_lines: list):
        super().__init__()
        self.running = []
        for line in seed_lines:
            set_line(self.running, tuple(shlex.split(line)[1:]))
        self.saved = list(self.running)
        self.commits = self.saves = 0
        self.config_commands = []
        self.state_file = None

    def dump(self) -> dict:
        return {"running": [render_line(p) for p in self.running], "saved": [render_line(p) for p in self.saved],
                "commits": self.commits, "saves": self.saves, "config_commands": list(self.config_commands)}

    def write(self) -> None:
        """Dump the state to the state file (takes the lock: call it without holding it)."""
        tmp = self.state_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(self.snapshot(), handle, indent=1)
        os.replace(tmp, self.state_file)


def commit_errors(config: list) -> list:
    """What VyOS's commit checks refuse here: a rule whose destination group does not exist."""
    groups = {(path[2], path[3]) for path in config if len(path) > 3 and path[:2] == ("firewall", "group")}
    errors = []
    for path in config:
        if len(path) >= 9 and path[0] == "firewall" and path[1] in ("ipv4", "ipv6") and path[6:8] == (
                "destination", "group"):
            kind, name = path[8], path[9] if len(path) > 9 else ""
            if kind == "network-group" and path[1] == "ipv6":
                kind = "ipv6-network-group"
            if (kind, name) not in groups:
                errors.append(f"{kind} {name} does not exist (rule {path[5]} of {path[1]} name {path[3]})")
    return errors


class Session:
    """One interactive shell: operational mode, or configuration mode with a candidate configuration."""

    def __init__(self, state: State):
        self.state = state
        self.candidate = None  # None: operational mode

    def prompt(self) -> str:
        return f"[edit]\r\nvyos@{HOSTNAME}# " if self.candidate is not None else f"vyos@{HOSTNAME}:~$ "

    def run(self, line: str):
        """Run one command line; returns its output, or None to close the session."""
        state = self.state
        state.record(line)
        words = shlex.split(line) if line.strip() else []
        if not words:
            return ""
        if self.candidate is None:
            return self._operational(line, words)
        with state.lock:
            return self._configure(line, words)

    def _operational(self, line: str, words: list):
        state = self.state
        if words[:2] == ["set", "terminal"]:
            return ""
        if line.strip() == "show version":
            return VERSION_TEXT
        if line.strip() == "show host name":
            return HOSTNAME + "\n"
        if line.strip() == "show configuration commands":
            with state.lock:
                return "".join(render_line(path) + "\n" for path in state.running)
        if words[:5] == ["show", "configuration", "commands", "|", "match"] and len(words) == 6:
            # VyOS's "| match" keeps the lines an extended regular expression finds.
            with state.lock:
                shown = [render_line(path) for path in state.running]
            return "".join(text + "\n" for text in shown if re.search(words[5], text))
        if words == ["configure"]:
            with state.lock:
                self.candidate = list(state.running)
            return ""
        if words == ["exit"]:
            return None
        return f"\n  Invalid command: [{words[0]}]\n\n"

    def _configure(self, line: str, words: list):
        state = self.state
        running = state.running
        if words[0] in ("set", "delete"):
            state.config_commands.append(line.strip())
        if words[0] == "set" and len(words) > 1:
            set_line(self.candidate, tuple(words[1:]))
            return ""
        if words[0] == "delete" and len(words) > 1:
            prefix = tuple(words[1:])
            kept = [path for path in self.candidate if path[: len(prefix)] != prefix]
            if len(kept) == len(self.candidate):
                return "\n  Nothing to delete (the specified node does not exist)\n\n  Delete failed\n"
            self.candidate = kept
            return ""
        if words == ["compare"]:
            if self.candidate == running:
                return "No changes between working and active configurations.\n\n"
            removed = [render_line(p) for p in running if p not in self.candidate]
            added = [render_line(p) for p in self.candidate if p not in running]
            return "".join(f"- {text[4:]}\n" for text in removed) + "".join(f"+ {text[4:]}\n" for text in added)
        if words[0] == "commit":
            errors = commit_errors(self.candidate)
            if errors:
                return "\n[ firewall ]\n" + "".join(f"  {text}\n" for text in errors) + "\nCommit failed\n"
            if self.candidate != running:
                state.running = list(self.candidate)
                state.commits += 1
                state.writes += 1
            return ""
        if words == ["compare", "saved"]:
            if self.candidate == state.saved:
                return "No changes between working and saved configurations.\n\n"
            return "[firewall]\n+ changed\n\n"
        if words == ["save"]:
            state.saved = list(state.running)
            state.saves += 1
            return "Saving configuration to '/config/config.boot'...\nDone\n"
        if words == ["exit", "discard"]:
            self.candidate = None
            return ""
        if words == ["exit"]:
            if self.candidate != running:
                return "Cannot exit: configuration modified.\nUse 'exit discard' to discard the changes and exit.\n"
            self.candidate = None
            return ""
        return f"\n  Invalid command: [{words[0]}]\n\n"


def _server_interface(user: str, password: str):
    import paramiko

    class Interface(paramiko.ServerInterface):
        def __init__(self):
            self.shell = threading.Event()

        def check_auth_password(self, username, given):
            ok = username == user and given == password
            return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

        def get_allowed_auths(self, username):
            return "password"

        def check_channel_request(self, kind, chanid):
            return paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

        def check_channel_pty_request(self, *args):
            return True

        def check_channel_shell_request(self, channel):
            self.shell.set()
            return True

    return Interface()


def _serve_client(client: socket.socket, host_key, state: State, user: str, password: str, deadline: float) -> None:
    import paramiko

    transport = paramiko.Transport(client)
    transport.add_server_key(host_key)
    interface = _server_interface(user, password)
    try:
        transport.start_server(server=interface)
        channel = transport.accept(timeout=20)
        if channel is None or not interface.shell.wait(20):
            return
        session = Session(state)
        channel.settimeout(1.0)
        channel.sendall(f"Welcome to VyOS\r\n{session.prompt()}".encode())
        buffer = b""
        while time.monotonic() < deadline and not channel.closed:
            try:
                data = channel.recv(4096)
            except socket.timeout:
                continue
            if not data:
                break
            buffer += data
            while b"\r" in buffer or b"\n" in buffer:
                cut = min(i for i in (buffer.find(b"\r"), buffer.find(b"\n")) if i >= 0)
                line, buffer = buffer[:cut].decode(errors="replace"), buffer[cut + 1:].lstrip(b"\n")
                output = session.run(line)
                state.write()
                if output is None:
                    channel.sendall(f"{line}\r\nlogout\r\n".encode())
                    return
                channel.sendall((line + "\r\n" + output.replace("\n", "\r\n") + session.prompt()).encode())
    except (EOFError, OSError, paramiko.SSHException):
        pass
    finally:
        transport.close()


def make_server(state: State, user: str, password: str, max_seconds: float, host: str = "127.0.0.1", port: int = 0):
    """A threading TCP server on host:port (0 = a free port) that speaks SSH to each client until the deadline."""
    import paramiko

    host_key = paramiko.ECDSAKey.generate()  # fast, unlike RSA
    deadline = time.monotonic() + max_seconds

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            _serve_client(self.request, host_key, state, user, password, deadline)

    server = socketserver.ThreadingTCPServer((host, port), Handler, bind_and_activate=False)
    server.daemon_threads = True
    server.allow_reuse_address = True
    server.server_bind()
    server.server_activate()
    state.write()
    return server


def main(argv=None) -> int:
    def make(args):
        seed = [line.strip() for line in (args.seed_text or "").splitlines() if line.startswith("set ")]
        state = State(seed)
        state.state_file = args.state_file
        return make_server(state, args.user, args.password, args.max_seconds)

    def add_arguments(parser):
        parser.add_argument("--state-file", required=True, help="where to write the device's state after each command")

    return serve_main(__doc__, make, user="vyos", tls=False, add_arguments=add_arguments, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
