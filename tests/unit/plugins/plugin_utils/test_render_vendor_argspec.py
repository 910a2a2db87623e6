# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every vendor task of the network_gear role, templated from the role's own task files with the renderers' output,
validated against the vendor module's own argument spec (captured from the installed module at test time).

PAN-OS's collection is not installable here: its specs are recorded in fixtures/panos_argspecs.json from the public
collection's documentation and argument specs.
"""

from __future__ import annotations

import importlib
import json
import os

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
from ansible_collections.netallow.apple.tests.unit.plugins.plugin_utils.vendor_argspec import (
    capture_argspec,
    module_available,
)

HERE = os.path.dirname(__file__)
ROLE = os.path.join(HERE, *([os.pardir] * 4), "roles", "network_gear")
FIXTURES = os.path.join(HERE, "fixtures")
VENDOR_PREFIXES = {
    "fortios": "fortinet.fortios.", "checkpoint": "check_point.mgmt.", "asa": "cisco.asa.",
    "junos": "junipernetworks.junos.", "vyos": "vyos.vyos.", "panos": "paloaltonetworks.panos.",
}
OMIT = "__netallow_apple_gear_test_omit__"
# Options each renderer gets in this test: every placement branch that reaches a module argument is used.
OPTIONS = {
    "fortios": {"position": "before", "anchor": 2, "ssl_ssh_profile": "deep-inspection"},
    # The device already has .time.apple.com, the site's own: the role must use it as it is.
    "checkpoint": {"position": "before", "anchor": "Cleanup rule", "targets": ["gw1"],
                   "existing_dns_domains": [{"name": ".time.apple.com", "is-sub-domain": False, "comments": "site"}]},
    "asa": {"position": "top"},
    "junos": {"position": "before", "anchor": "deny-all"},
    "vyos": {"position": "bottom", "running_config": "set firewall ipv4 name APPLE-OUT rule 10 action 'drop'\n"},
    "panos": {"position": "after", "anchor": "dns", "edl_base_url": "https://edl.example.net/apple"},
}


def _selection() -> list:
    with open(os.path.join(FIXTURES, "network_gear_selection.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["network_gear_test_entries"]


def _payload(vendor: str) -> dict:
    renderer = importlib.import_module(f"ansible_collections.netallow.apple.plugins.plugin_utils.render.gear.{vendor}")
    return renderer.render(build_allowlist(_selection()), **OPTIONS[vendor])


def _conditions(task: dict) -> list:
    when = task.get("when", [])
    return list(when) if isinstance(when, list) else [when]


def _tasks(tasks: list):
    """Tasks of a task list, blocks flattened, with the block vars and conditions they inherit."""
    for task in tasks or []:
        if "block" in task:
            for inner, block_vars, block_when in _tasks(task["block"]):
                yield inner, {**task.get("vars", {}), **block_vars}, _conditions(task) + block_when
        else:
            yield task, {}, []


def _vendor_calls(vendor: str, state: str) -> list:
    """(module FQCN, templated arguments) for every vendor-module call of tasks/<vendor>.yml and the handlers."""
    loader = DataLoader()
    payload = _payload(vendor)
    with open(os.path.join(ROLE, "defaults", "main.yml"), encoding="utf-8") as handle:
        defaults = yaml.safe_load(handle)
    base_vars = {
        **defaults,
        "netallow_apple_gear_state": state,
        "netallow_apple_gear_panos_provider": {"ip_address": "192.0.2.1", "api_key": "secret"},
        "__netallow_apple_gear": payload,
        "omit": OMIT,
        # What the role registers from fortios_configuration_fact: the device's policy order before the run.
        "__netallow_apple_gear_fortios_order": {"meta": {"results": [{"policyid": 1}, {"policyid": 2}]}},
        "ansible_check_mode": False,
        # What the role registers from cp_mgmt_dns_domain_facts: a first page of a device with 1200 DNS domains.
        "__netallow_apple_gear_cp_dns_first": {"ansible_facts": {"dns_domains": {"objects": [], "total": 1200}}},
        # The SSL/SSH profile whose exemptions the FortiOS path reads.
        "netallow_apple_gear_vendor_options": {"ssl_ssh_profile": OPTIONS["fortios"]["ssl_ssh_profile"]},
    }
    handlers = os.path.join(ROLE, "handlers")
    # What the role reads from the device before rendering (tasks/main.yml includes it for these platforms), then
    # what it sends.
    files = [path for path in [os.path.join(ROLE, "tasks", f"{vendor}_read.yml")] if os.path.exists(path)]
    files += [os.path.join(ROLE, "tasks", f"{vendor}.yml")]
    files += [os.path.join(handlers, name) for name in sorted(os.listdir(handlers)) if name != "main.yml"]
    calls = []
    for path in files:
        for task, block_vars, block_when in _tasks(loader.load_from_file(path, trusted_as_template=True)):
            modules = [key for key in task if key.startswith(VENDOR_PREFIXES[vendor])]
            if not modules:
                continue
            assert len(modules) == 1, task
            module = modules[0]
            variables = {**base_vars, **block_vars, **task.get("vars", {})}
            templar = Templar(loader=loader, variables=variables)
            conditions = block_when + _conditions(task)
            items = templar.template(task["loop"]) if "loop" in task else [None]
            for item in items:
                item_templar = Templar(loader=loader, variables={**variables, "item": item})
                if not all(item_templar.evaluate_conditional(c) if hasattr(item_templar, "evaluate_conditional")
                           else item_templar.template(f"{{{{ {c} }}}}") for c in conditions):
                    continue
                args = item_templar.template(task[module] or {})
                calls.append((module, _drop_omitted(args)))
    return calls


def _drop_omitted(value):
    if isinstance(value, dict):
        return {k: _drop_omitted(v) for k, v in value.items() if v != OMIT}
    if isinstance(value, list):
        return [_drop_omitted(v) for v in value if v != OMIT]
    return value


def _spec(module: str) -> tuple:
    if module.startswith("paloaltonetworks.panos."):
        with open(os.path.join(FIXTURES, "panos_argspecs.json"), encoding="utf-8") as handle:
            return json.load(handle)[module], {}
    if not module_available(module):
        pytest.skip(f"{module} is not installed (cisco.asa/junipernetworks.junos come from the ansible 11.x package)")
    return capture_argspec(module)


def _validate(module: str, args: dict) -> list:
    spec, kwargs = _spec(module)
    names = ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")
    constraints = {key: kwargs[key] for key in names if kwargs.get(key)}
    result = ArgumentSpecValidator(spec, **constraints).validate(json.loads(json.dumps(args)))
    return result.error_messages


@pytest.mark.parametrize("state", ["present", "absent"])
@pytest.mark.parametrize("vendor", sorted(OPTIONS))
def test_role_task_arguments_match_vendor_argspec(vendor, state):
    calls = _vendor_calls(vendor, state)
    assert calls, f"no {vendor} module call found in the role for state {state}"
    # Block and task conditions were applied: only the calls of the requested state are present. (The FortiOS
    # ssl-exempt member calls carry state present in both cases; member_state decides.)
    states = {args.get("member_state", args.get("state")) for _module, args in calls} - {None}
    assert states <= ({"present", "merged"} if state == "present" else {"absent"}), states
    for module, args in calls:
        errors = _validate(module, args)
        assert not errors, f"{module} rejects {args}: {errors}"


def test_present_calls_cover_every_object_kind():
    """The templated calls carry the rendered names, members, ports, placement and exemption."""
    fortios = _vendor_calls("fortios", "present")
    by_module: dict = {}
    for module, args in fortios:
        by_module.setdefault(module, []).append(args)
    addresses = {a["firewall_address"]["name"]: a["firewall_address"] for a in
                 by_module["fortinet.fortios.fortios_firewall_address"]}
    assert addresses["apple-albert.apple.com"]["fqdn"] == "albert.apple.com"
    assert any(a.get("fqdn") == "*.push.apple.com" for a in addresses.values())
    policy = by_module["fortinet.fortios.fortios_firewall_policy"][0]["firewall_policy"]
    assert policy["logtraffic"] == "all" and policy["dstaddr"] == [{"name": "apple-destinations"}]
    move = by_module["fortinet.fortios.fortios_firewall_policy"][1]
    assert move["action"] == "move" and move["before"] == "2" and move["self"] == "4000"
    exempt = [c["firewall_ssl_ssh_profile"]["ssl_exempt"][0] for c in
              by_module["fortinet.fortios.fortios_firewall_ssl_ssh_profile"]]
    assert {e["type"] for e in exempt} == {"wildcard-fqdn", "address"}

    checkpoint = dict(_vendor_calls("checkpoint", "present")[-4:])
    rule = checkpoint["check_point.mgmt.cp_mgmt_access_rule"]
    assert rule["relative_position"] == {"above": "Cleanup rule"} and rule["track"] == {"type": "Log"}
    assert checkpoint["check_point.mgmt.cp_mgmt_https_rule"]["action"] == "Bypass"
    assert checkpoint["check_point.mgmt.cp_mgmt_install_policy"]["targets"] == ["gw1"]

    panos = _vendor_calls("panos", "present")
    decrypt = [args for module, args in panos if module.endswith("panos_decryption_rule")][0]
    assert decrypt["action"] == "no-decrypt" and decrypt["url_categories"] == ["apple-domains"]
    rules = [args for module, args in panos if module.endswith("panos_security_rule")]
    assert rules[0]["location"] == "after" and rules[0]["existing_rule"] == "dns" and rules[0]["log_end"] is True


@pytest.mark.parametrize("state", ["present", "absent"])
def test_device_reads_and_the_sites_dns_domain(state):
    """The role reads the device's DNS domains (every page) and firewall rules with the vendors' own modules, and
    sends nothing for the site's own DNS domain, in either state."""
    checkpoint = _vendor_calls("checkpoint", state)
    reads = [args for module, args in checkpoint if module == "check_point.mgmt.cp_mgmt_dns_domain_facts"]
    assert [args.get("offset") for args in reads] == [None, 500, 1000]
    assert all(args["details_level"] == "full" and args["limit"] == 500 for args in reads)
    domains = [args["name"] for module, args in checkpoint if module == "check_point.mgmt.cp_mgmt_dns_domain"]
    assert ".albert.apple.com" in domains and ".time.apple.com" not in domains
    if state == "present":
        group = [args for module, args in checkpoint if module == "check_point.mgmt.cp_mgmt_group"][0]
        assert ".time.apple.com" in group["members"]
    vyos = _vendor_calls("vyos", state)
    assert vyos[0] == ("vyos.vyos.vyos_command", {"commands": ["show configuration commands | match firewall"]})
    fortios = _vendor_calls("fortios", state)
    assert fortios[:2] == [
        ("fortinet.fortios.fortios_configuration_fact",
         {"vdom": "root", "selector": "firewall_policy", "formatters": ["policyid", "name", "comments"]}),
        ("fortinet.fortios.fortios_configuration_fact",
         {"vdom": "root", "selector": "firewall_ssl-ssh-profile", "params": {"name": "deep-inspection"}})]


def test_validation_rejects_a_wrong_argument():
    """The check can fail: a value outside the vendor's choices and an unknown option are reported."""
    errors = _validate("fortinet.fortios.fortios_firewall_address",
                       {"state": "present", "firewall_address": {"name": "x", "type": "not-a-type"}})
    assert any("not-a-type" in str(e) for e in errors)
    errors = _validate("paloaltonetworks.panos.panos_security_rule", {"rule_name": "x", "log_everything": True})
    assert any("log_everything" in str(e) for e in errors)
