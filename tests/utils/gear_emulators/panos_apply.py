# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Apply the network_gear role's PAN-OS payloads through pan-os-python, the way paloaltonetworks.panos' modules do.

paloaltonetworks.panos cannot be installed here (it is on neither PyPI nor in the ansible package), so this stands in
for its modules: each payload entry (the role's task arguments, rendered by the role in render-only mode) becomes the
pan-os-python object the matching module builds, and is applied with the modules' logic: refresh the existing
object (unset parameters take the SDK's defaults), then create (``set``) when missing, ``apply`` (``edit``) when
different, ``delete`` for state absent, nothing when equal; rules are then moved to their
``location``/``existing_rule`` unless they already sit right next to their reference (first/last for top/bottom).
The commit runs only when something changed (the role's handler is notified only by a change), and waits for its
job. Prints a JSON summary: changed, committed, the objects written.

Usage: panos_apply.py --payload rendered.json --port N --user U --password-file F --state present|absent
"""

from __future__ import annotations

import argparse
import json
import sys


def _build(payload: dict) -> list:
    """(class, object) pairs in the role's task order, built as the modules build them from their arguments."""
    from panos import objects, policies

    built = []
    for item in payload["address_objects"]:
        built.append(objects.AddressObject(item["name"], item["value"], type=item["address_type"],
                                           description=item["description"]))
    if payload["address_group"]:
        group = payload["address_group"]
        built.append(objects.AddressGroup(group["name"], static_value=group["static_value"],
                                          description=group["description"]))
    if payload["url_category"]:
        category = payload["url_category"]
        built.append(objects.CustomUrlCategory(category["name"], url_value=category["url_value"],
                                               description=category["description"], type=category["type"]))
    for item in payload["edls"]:
        built.append(objects.Edl(item["name"], edl_type=item["edl_type"], source=item["source"],
                                 repeat=item["repeat"], description=item["description"],
                                 expand_domain=item.get("expand_domain")))
    for item in payload["services"]:
        built.append(objects.ServiceObject(item["name"], protocol=item["protocol"],
                                           destination_port=item["destination_port"],
                                           description=item["description"]))
    if payload["service_group"]:
        group = payload["service_group"]
        built.append(objects.ServiceGroup(group["name"], value=group["value"]))
    for item in payload["security_rules"]:
        rule = policies.SecurityRule(item["rule_name"], description=item["description"],
                                     fromzone=item["source_zone"], tozone=item["destination_zone"],
                                     source=item["source_ip"], destination=item["destination_ip"],
                                     application=item["application"], category=item["category"],
                                     service=item["service"], action=item["action"], log_start=item["log_start"],
                                     log_end=item["log_end"])
        rule.placement = (item["location"], item.get("existing_rule"))
        built.append(rule)
    if payload["decryption_rule"]:
        item = payload["decryption_rule"]
        rule = policies.DecryptionRule(item["name"], description=item["description"],
                                       source_zones=item["source_zones"],
                                       destination_zones=item["destination_zones"],
                                       source_addresses=item["source_addresses"],
                                       destination_addresses=item["destination_addresses"],
                                       url_categories=item["url_categories"], services=item["services"],
                                       action=item["action"])
        rule.placement = (item["location"], None)
        built.append(rule)
    return built


def _apply_state(obj, present: bool) -> bool:
    """The modules' apply_state: a targeted refresh of the object, then write only a difference."""
    from panos.errors import PanObjectMissing

    current = type(obj)(obj.uid)
    current.parent = obj.parent
    try:
        current.refresh()
    except PanObjectMissing:
        current = None
    if not present:
        if current is None:
            return False
        obj.delete()
        return True
    # Unset parameters take the SDK's defaults before the comparison, as the modules' object_handling does.
    defaults = type(obj)()
    for key, value in obj.about().items():
        if value is None:
            setattr(obj, key, getattr(defaults, key, None))
    if current is None:
        obj.create()
        return True
    if not current.equal(obj, compare_children=True):
        obj.apply()
        return True
    return False


def _apply_position(rule, location: str, anchor) -> bool:
    """The modules' apply_position: move unless the rule sits right next to its reference (or first/last)."""
    refreshed = type(rule).refreshall(rule.parent, name_only=True)  # replaces the parent's rules, as in the modules
    names = [item.uid for item in refreshed]
    index = names.index(rule.uid)
    if location == "top":
        placed = index == 0
    elif location == "bottom":
        placed = index == len(names) - 1
    else:
        if anchor not in names:
            raise ValueError(f"Cannot do relative rule placement: {anchor} does not exist")
        placed = index + 1 == names.index(anchor) if location == "before" else names.index(anchor) + 1 == index
    if placed:
        return False
    refreshed[index].move(location, anchor)
    return True


def run(port: int, user: str, password: str, payload: dict, present: bool) -> dict:
    from panos.firewall import Firewall
    from panos.policies import Rulebase

    firewall = Firewall("127.0.0.1", api_username=user, api_password=password, port=port)
    firewall.refresh_system_info()
    built = _build(payload)
    if not present:  # the role removes rules first, then what they name
        built = list(reversed(built))
    written = []
    for obj in built:
        is_rule = hasattr(obj, "placement")
        parent = Rulebase() if is_rule else firewall
        if is_rule:
            firewall.add(parent)
        parent.add(obj)
        changed = _apply_state(obj, present)
        if is_rule and present:
            changed = _apply_position(obj, *obj.placement) or changed
        if changed:
            written.append(obj.uid)
    result = {"changed": bool(written), "written": written, "committed": False}
    if written:
        commit = firewall.commit(sync=True, exception=True)
        result["committed"] = bool(commit and commit.get("success"))
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payload", required=True, help="the role's rendered PAN-OS payload (JSON)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password-file", required=True)
    parser.add_argument("--state", choices=["present", "absent"], default="present")
    args = parser.parse_args(argv)
    with open(args.payload, encoding="utf-8") as handle:
        payload = json.load(handle)
    with open(args.password_file, encoding="utf-8") as handle:
        password = handle.read().strip()
    result = run(args.port, args.user, password, payload, args.state == "present")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
