# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Proxy credentials never appear in the module's results, its errors or the reports made from them.

A real squid on loopback requires basic authentication (407 without it); the module runs as Ansible runs it (a
separate process reading its arguments file), and every byte it prints, and every report rendered from its
results, is searched for the password in clear, URL-encoded and base64 form.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import urllib.parse

import pytest

from ansible_collections.netallow.apple.plugins.modules import reachability
from ansible_collections.netallow.apple.plugins.plugin_utils import _report
from ansible_collections.netallow.apple.tests.unit.plugins.module_utils.reachability_servers import (
    TRUSTED_ORG,
)

MODULE_FILE = reachability.__file__
COLLECTIONS_ROOT = os.path.abspath(os.path.join(os.path.dirname(MODULE_FILE), *[".."] * 5))
USER = "nauser"
PASSWORD = "Pw-s3cret-4242xyz"
WRONG = "Wr0ng-pass-9911qq"
# The shared squid fixture (tests/unit/conftest.py) requires these credentials.
SQUID_CREDENTIALS = (USER, PASSWORD)


def forms(secret: str) -> list:
    return [secret, urllib.parse.quote(secret), base64.b64encode(f"{USER}:{secret}".encode()).decode()]


def assert_no_secret(text: str, secret: str = PASSWORD) -> None:
    for form in forms(secret):
        assert form not in text, f"{form!r} leaked into: {text[:400]}"


def run_module(tmp_path, env_extra=None, **args):
    args_file = tmp_path / "args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    env = {key: value for key, value in os.environ.items() if "proxy" not in key.lower()}
    env.update(PYTHONPATH=COLLECTIONS_ROOT, **(env_extra or {}))
    completed = subprocess.run([sys.executable, MODULE_FILE, str(args_file)], capture_output=True, text=True,
                               timeout=120, env=env, check=False)
    assert completed.stdout.strip(), completed.stderr
    return completed.stdout + completed.stderr, json.loads(completed.stdout)


def targets(servers):
    return [{"host": "allowed.nareach.test", "port": servers.ports["tls_trusted"], "tls": True, "id": "a"},
            {"host": "denied.nareach.test", "port": servers.ports["tls_trusted"], "tls": True, "id": "b",
             "required": False}]


def common(servers):
    return {"targets": targets(servers), "resolve": {}, "ca_path": servers.trusted_ca_file,
            "expected_issuers": [TRUSTED_ORG], "timeout": 3, "fail_on": "none"}


def reports(result) -> str:
    return "\n".join([_report.to_markdown(result), _report.to_html(result), _report.to_junit(result)])


def test_credentials_reach_the_proxy_and_nothing_else(servers, squid, tmp_path):
    url = f"http://{USER}:{PASSWORD}@127.0.0.1:{squid.port}"
    output, result = run_module(tmp_path, proxy=url, use_proxy_env=False, **common(servers))
    assert [item["status"] for item in result["results"]] == ["ok", "proxy_denied"], result
    assert result["results"][0]["proxy"] == squid.url
    assert_no_secret(output)
    assert_no_secret(reports(result))


def test_a_wrong_password_is_a_407_that_names_no_password(servers, squid, tmp_path):
    url = f"http://{USER}:{WRONG}@127.0.0.1:{squid.port}"
    output, result = run_module(tmp_path, proxy=url, use_proxy_env=False, **common(servers))
    assert [item["status"] for item in result["results"]] == ["proxy_denied", "proxy_denied"], result
    assert "407" in result["results"][0]["detail"]
    assert_no_secret(output, WRONG)
    assert_no_secret(reports(result), WRONG)


@pytest.mark.parametrize("template", [
    "https://{user}:{password}@127.0.0.1:3128",
    "http://{user}:{password}@127.0.0.1:31x8",
    "http://{user}:{password}@127.0.0.1:99999",
    "ftp://{user}:{password}@127.0.0.1:3128",
])
def test_a_bad_proxy_option_fails_without_the_password(servers, tmp_path, template):
    url = template.format(user=USER, password=PASSWORD)
    output, result = run_module(tmp_path, proxy=url, use_proxy_env=False, **common(servers))
    assert result.get("failed") and "proxy" in result["msg"], result
    assert_no_secret(output)


@pytest.mark.parametrize("template", [
    "https://{user}:{password}@127.0.0.1:{port}",
    "http://{user}:{password}@127.0.0.1:bad",
])
def test_a_bad_proxy_from_the_environment_leaks_into_no_result(servers, squid, tmp_path, template):
    env = {"https_proxy": template.format(user=USER, password=PASSWORD, port=squid.port)}
    output, result = run_module(tmp_path, env_extra=env, use_proxy_env=True, **common(servers))
    assert result["results"] and all(item["status"] != "ok" for item in result["results"]), result
    assert all("proxy" in item["detail"] for item in result["results"])
    assert_no_secret(output)
    assert_no_secret(reports(result))


def test_a_good_proxy_from_the_environment_authenticates(servers, squid, tmp_path):
    env = {"https_proxy": f"http://{USER}:{PASSWORD}@127.0.0.1:{squid.port}"}
    output, result = run_module(tmp_path, env_extra=env, use_proxy_env=True, **common(servers))
    assert [item["status"] for item in result["results"]] == ["ok", "proxy_denied"], result
    assert_no_secret(output)
    assert_no_secret(reports(result))


def test_a_target_host_cannot_add_a_header_to_connect(servers, tmp_path):
    args = common(servers)
    args["targets"] = [{"host": "allowed.nareach.test\r\nX-Injected: 1", "port": 443}]
    _output, result = run_module(tmp_path, proxy="http://127.0.0.1:9", use_proxy_env=False, **args)
    assert result.get("failed") and "control character" in result["msg"], result
