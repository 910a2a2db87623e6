# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The module run as Ansible runs it (a separate Python process reading its JSON arguments) against real local
servers, and its argument checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.netallow.apple.plugins.module_utils.probes.argspec import argument_spec, check_params
from ansible_collections.netallow.apple.plugins.modules import reachability
from ansible_collections.netallow.apple.tests.unit.plugins.module_utils.reachability_servers import (
    TRUSTED_ORG,
)

MODULE_FILE = reachability.__file__
COLLECTIONS_ROOT = os.path.abspath(os.path.join(os.path.dirname(MODULE_FILE), *[".."] * 5))


def run_module(tmp_path, **args):
    args_file = tmp_path / "args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    env = dict(os.environ, PYTHONPATH=COLLECTIONS_ROOT)
    completed = subprocess.run([sys.executable, MODULE_FILE, str(args_file)], capture_output=True, text=True,
                               timeout=60, env=env, check=False)
    assert completed.stdout.strip(), completed.stderr
    return json.loads(completed.stdout)


def local_args(servers, **over):
    args = {
        "targets": [
            {"host": "apple.nareach.test", "port": servers.ports["tls_trusted"], "tls": True, "id": "a"},
            {"host": "apple.nareach.test", "port": servers.ports["closed"], "id": "b", "required": False},
            {"host": "apple.nareach.test", "port": servers.ports["sntp"], "protocol": "udp", "check": "sntp"},
        ],
        "resolve": {"apple.nareach.test": "127.0.0.1"},
        "ca_path": servers.trusted_ca_file,
        "expected_issuers": [TRUSTED_ORG],
        "timeout": 1,
        "use_proxy_env": False,
    }
    args.update(over)
    return args


def test_module_probes_and_summarises(servers, tmp_path):
    result = run_module(tmp_path, **local_args(servers))
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert [r["status"] for r in result["results"]] == ["ok", "refused", "ok"]
    assert [r["id"] for r in result["results"]] == ["a", "b", None]
    for item in result["results"]:
        assert set(item) >= {"host", "port", "protocol", "status", "stage", "addresses", "elapsed_ms", "detail"}
    assert result["summary"]["total"] == 3
    assert result["summary"]["by_status"] == {"ok": 2, "refused": 1}
    assert result["summary"]["required_failed"] == 0


def test_module_runs_in_check_mode(servers, tmp_path):
    result = run_module(tmp_path, _ansible_check_mode=True, **local_args(servers))
    assert result["changed"] is False
    assert result["summary"]["ok"] == 2


@pytest.mark.parametrize("fail_on, failed", [("none", False), ("required", False), ("any", True)])
def test_fail_on(servers, tmp_path, fail_on, failed):
    result = run_module(tmp_path, **local_args(servers, fail_on=fail_on))
    assert bool(result.get("failed")) is failed
    assert len(result["results"]) == 3  # results are returned on failure too
    if failed:
        assert result["msg"] == "1 of 3 targets not reachable"


def test_fail_on_required(servers, tmp_path):
    args = local_args(servers)
    args["targets"][1]["required"] = True
    result = run_module(tmp_path, **args)
    assert result["failed"] and "1 required targets of 3" in result["msg"]


@pytest.mark.parametrize(
    "over, message",
    [
        ({"targets": [{"host": "x", "port": 70000}]}, "targets[0].port=70000 is out of range"),
        ({"targets": [{"host": "x", "port": 443, "protocol": "sctp"}]}, "sctp"),
        ({"timeout": 0}, "timeout=0.0 is out of range"),
        ({"workers": 0}, "workers=0 is out of range"),
        ({"resolve": {"x": "not-an-ip; rm -rf /"}}, "resolve: x -> 'not-an-ip; rm -rf /' is not an IPv4 or IPv6"),
        ({"proxy": "socks5://p:1080"}, "scheme 'socks5' is not supported"),
        ({"fail_on": "sometimes"}, "sometimes"),
        ({"section": ["icloud"]}, "mutually exclusive"),
    ],
)
def test_bad_input_is_named(servers, tmp_path, over, message):
    result = run_module(tmp_path, **local_args(servers, **over))
    assert result["failed"]
    assert message in result["msg"], result["msg"]
    assert "results" not in result


def test_selectors_without_targets_need_the_action_plugin(tmp_path):
    result = run_module(tmp_path, section=["icloud"])
    assert result["failed"] and "action plugin" in result["msg"]


def test_check_params_accepts_defaults():
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    validated = ArgumentSpecValidator(argument_spec()).validate({"targets": [{"host": "a", "port": 1}]})
    assert validated.error_messages == []
    assert check_params(validated.validated_parameters) is None


def test_compact_shape_keeps_failures_in_full(servers, tmp_path):
    """result_shape=compact: the failed check in full, the two passing ones as positions and milliseconds, the same
    summary as the full shape."""
    full = run_module(tmp_path, **local_args(servers))
    compact = run_module(tmp_path, **local_args(servers, result_shape="compact"))
    assert not compact.get("failed"), compact
    assert [r["status"] for r in compact["results"]] == ["refused"]
    assert compact["results"][0]["id"] == "b" and compact["results"][0]["detail"]
    assert compact["passed"]["index"] == [0, 2]
    assert len(compact["passed"]["elapsed_ms"]) == 2
    assert all(isinstance(ms, int) and ms >= 0 for ms in compact["passed"]["elapsed_ms"])
    for key in ("total", "ok", "failed", "skipped", "required_failed", "by_status"):
        assert compact["summary"][key] == full["summary"][key], key
    assert compact["summary"]["total"] == 3 and compact["summary"]["ok"] == 2


def test_result_shape_is_checked(tmp_path):
    result = run_module(tmp_path, targets=[{"host": "a.test", "port": 443}], result_shape="small")
    assert result["failed"]
    assert "result_shape" in result["msg"] and "small" in result["msg"] and "compact" in result["msg"]
