#!/usr/bin/python
# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: reachability
short_description: Prove from a managed host that Apple's services are reachable
version_added: 1.0.0
description:
  - Probes, from the managed host, the Apple hosts and ports of the catalog that apply (selected on the controller
    with the same options as the P(netallow.apple.endpoints#lookup) lookup), or an explicit O(targets) list.
  - Per target and port it runs the stages that apply and stops at the first that fails.
    C(dns) resolves A and AAAA records (wildcards use the entry's probe name) and tells whether the addresses
    are inside Apple's networks (the address blocks of the catalog's firewall section, 17.0.0.0/8 and the APNs
    IPv6 blocks) or belong to a CDN.
    C(proxy) opens an HTTP CONNECT tunnel when a proxy is given or set in the environment; the proxy's refusal is
    reported as RV(results[].status=proxy_denied).
    C(tcp) connects; for UDP, C(udp) sends an SNTP request to port 123 and checks the reply, or a QUIC
    version-negotiation probe to port 443.
    C(tls) handshakes with SNI on TLS ports, verified against the host's trust store (plus O(ca_path)); a chain
    that does not come from a CA Apple and its CDNs use is RV(results[].status=intercepted), with the issuer seen.
    C(service) checks that U(http://captive.apple.com) returns its Success page and that port 22 sends an SSH banner.
  - The catalog selectors (O(section), O(service), O(platform), O(protocol), O(port), O(proxy_supported),
    O(required), O(kind), O(host), O(ids), O(include_removed), O(include_unverified), O(include_broad) and
    O(catalog_path)) are those of the P(netallow.apple.endpoints#lookup) lookup. The action plugin applies them on
    the controller; they cannot be combined with O(targets).
  - The module runs on the managed host with Python 3.9 or newer and its standard library only.
    The catalog is read on the controller by the action plugin; the module itself never reads it.
author:
  - netallow.apple contributors (@netallow)
extends_documentation_fragment:
  - netallow.apple.attributes
  - netallow.apple.attributes.action
  - netallow.apple.selectors
attributes:
  check_mode:
    details: Probing changes nothing, so the probes also run in check mode.
  action:
    details: The action plugin selects the catalog's targets on the controller.
  platform:
    support: full
    platforms: posix
options:
  targets:
    description:
      - Explicit targets. When given, no catalog selection takes place.
      - When omitted, the action plugin selects catalog entries with O(section), O(service), O(platform),
        O(protocol), O(port), O(proxy_supported), O(kind), O(include_removed), O(include_unverified) and
        O(include_broad); each entry's TCP and UDP ports become targets. Like the lookup's, the default selection
        is precise, without broad entries (see O(include_broad)). Wildcards without a probe name (with the
        catalog's reason), CIDRs without an address in O(resolve) and port ranges are reported with
        RV(results[].status=skipped); a wildcard is never probed at its bare domain.
    type: list
    elements: dict
    suboptions:
      host:
        description: Host name or IP address the target stands for (reported as is).
        type: str
        required: true
      port:
        description: Port to probe.
        type: int
        required: true
      protocol:
        description: Transport protocol.
        type: str
        choices: [tcp, udp]
        default: tcp
      probe:
        description: Name to resolve and to send as SNI, when it differs from O(targets[].host) (wildcards).
        type: str
      id:
        description: Identifier carried into the results (catalog entry id).
        type: str
      required:
        description: Whether a failure of this target counts for O(fail_on=required).
        type: bool
        default: true
      tls:
        description: Whether to handshake TLS. Default is V(true) for the ports in O(tls_ports).
        type: bool
      check:
        description:
          - What the last stage checks. V(auto) picks by port; V(sntp) (the default for UDP 123) and V(quic)
            (UDP 443) apply to UDP; V(captive) (the default for C(captive.apple.com:80)) fetches the captive page
            and expects Apple's Success page; V(ssh) (the default for TCP 22) expects an SSH banner; V(connect)
            stops after the connection (and TLS).
          - UDP targets with no UDP check are reported as RV(results[].status=skipped).
        type: str
        choices: [auto, connect, sntp, quic, captive, ssh]
        default: auto
      entry_ids:
        description: Catalog entry ids this target stands for (set by the action plugin).
        type: list
        elements: str
  proxy_supported:
    description:
      - Catalog selector on what Apple says about proxying the entry, the lookup's
        O(netallow.apple.endpoints#lookup:proxy) option (renamed here because O(proxy) is the proxy to use).
      - V(true), V(false), V(not_stated) or V(any).
    type: raw
  required:
    description: Catalog selector on whether Apple requires the entry, V(true), V(false) or V(any).
    type: raw
  timeout:
    description: Seconds each stage may take (DNS, connect, TLS handshake, reply).
    type: float
    default: 3.0
  deadline:
    description:
      - Seconds the whole run may take. Targets still running then are reported as RV(results[].status=timeout)
        with a detail naming the deadline.
    type: float
    default: 60.0
  workers:
    description:
      - Targets probed in parallel. The probes wait on the network, not on the CPU, so many workers are cheap;
        with as many workers as targets the whole run takes about one O(timeout) even when everything is
        black-holed.
    type: int
    default: 256
  proxy:
    description:
      - HTTP proxy (V(http://host:port), credentials as V(http://user:password@host:port)) through which TCP targets
        are reached with CONNECT. UDP targets are always probed directly.
      - When omitted and O(use_proxy_env=true), C(https_proxy) or C(all_proxy) of the module's environment is used,
        honouring C(no_proxy).
    type: str
  use_proxy_env:
    description: Take the proxy from the environment when O(proxy) is not given.
    type: bool
    default: true
  ip_version:
    description: Address family to probe; V(any) tries every address the name resolves to.
    type: str
    choices: ['any', '4', '6']
    default: any
  resolve:
    description:
      - Map of name to address (or list of addresses) used instead of DNS for that name, for split-horizon DNS and
        for tests. Keys are probe names (or the CIDR of a catalog entry, to probe one concrete address of it).
    type: dict
  ca_path:
    description: Extra CA bundle file (or hashed directory) to trust in addition to the host's trust store.
    type: path
  expected_issuers:
    description:
      - Organisation names (or common-name prefixes) of the CAs whose certificates count as genuine. Matching
        ignores case, spaces and punctuation. A certificate from any other issuer, even one the host trusts (a
        corporate TLS inspection CA), is RV(results[].status=intercepted).
      - The default lists the CAs that issue the certificates of Apple's hosts and of the CDNs serving them.
    type: list
    elements: str
    default: ['Apple Inc.', 'DigiCert Inc', 'GeoTrust', 'Entrust, Inc.']
  tls_ports:
    description: Ports where a TLS handshake follows the TCP connect.
    type: list
    elements: int
    default: [443, 993, 995, 2197, 5223, 8443]
  fail_on:
    description:
      - When the task fails. V(none) never; V(required) when a target whose entry Apple marks as required fails;
        V(any) when any target fails. Skipped targets never fail the task.
    type: str
    choices: [none, required, any]
    default: required
  result_shape:
    description:
      - How much each host returns. V(full) returns every check in RV(results) with all its keys.
      - V(compact) is for fleets, where the controller holds every host's results at once. RV(results) then holds
        only the checks that did not pass, in full; the checks that passed are RV(passed), their positions among
        the targets and their milliseconds (their stage, addresses, issuer and detail are not returned), and the
        targets the selection skipped are not repeated per host. The report filters and the
        C(netallow.apple.reachability_report) role select the targets again on the controller (RV(selection)) and
        report the same as from V(full), except that a passing check's case says no more than its status and time.
      - RV(summary) counts every check in both shapes.
    type: str
    choices: [full, compact]
    default: full
notes:
  - The results go into one report for many hosts with the P(netallow.apple.to_junit#filter),
    P(netallow.apple.to_markdown#filter) and P(netallow.apple.to_html#filter) filters, or the
    C(netallow.apple.reachability_report) role.
seealso:
  - plugin: netallow.apple.endpoints
    plugin_type: lookup
  - module: ansible.builtin.wait_for
    description: Waits for one port at a time; this module checks a whole catalog in parallel and explains failures.
"""

EXAMPLES = r"""
- name: Check what a Mac needs for device management, through the site proxy
  netallow.apple.reachability:
    section: [devicemanagement]
    platform: [macos]
    proxy: http://proxy.example.net:3128
    timeout: 3
    fail_on: none  # keep every host's results for the report; the default fails on a required target
  register: reach

- name: Probe explicit targets, with a split-horizon address and no failure
  netallow.apple.reachability:
    targets:
      - {host: albert.apple.com, port: 443}
      - {host: time.apple.com, port: 123, protocol: udp}
      - {host: "*.push.apple.com", probe: 1-courier.push.apple.com, port: 5223}
    resolve:
      albert.apple.com: 17.32.194.3
    fail_on: none

- name: Write one report for every host of the play
  ansible.builtin.copy:
    content: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'reach')))
                 | netallow.apple.to_html }}"
    dest: out/reachability.html
    mode: "0644"
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
results:
  description:
    - One result per target and port, in the order of the targets.
    - With O(result_shape=compact), only the checks that did not pass (failed or skipped by the module).
  returned: always
  type: list
  elements: dict
  contains:
    host:
      description: The target's host (catalog host, wildcards included).
      type: str
      sample: "*.push.apple.com"
    probe:
      description: The name resolved and sent as SNI.
      type: str
      sample: 1-courier.push.apple.com
    port:
      description: Port probed.
      type: int
      sample: 5223
    protocol:
      description: V(tcp) or V(udp).
      type: str
    id:
      description: Catalog entry id (or the target's O(targets[].id)).
      type: str
    entry_ids:
      description: All catalog entry ids this target stands for.
      type: list
      elements: str
      returned: when the target came from the catalog
    required:
      description: Whether Apple marks the entry as required.
      type: bool
    status:
      description: Outcome.
      type: str
      choices: [ok, dns_failed, timeout, refused, unreachable, proxy_denied, intercepted, tls_failed, service_failed,
                skipped]
    stage:
      description: Last stage run (the failing one when RV(results[].status) is not V(ok)).
      type: str
      choices: [dns, proxy, tcp, udp, tls, service]
    addresses:
      description: Addresses the name resolved to (or was given in O(resolve)).
      type: list
      elements: str
    address_owner:
      description: V(apple) when every address is in Apple's networks, V(cdn) when none is, V(mixed) otherwise.
      type: str
    address:
      description: Address the probe connected to (none through a proxy).
      type: str
    proxy:
      description: Proxy used, if any.
      type: str
    issuer:
      description: Issuer of the certificate presented, for TLS targets that got that far.
      type: str
      sample: "CN=Apple Public Server RSA CA 12 - G1, O=Apple Inc., C=US"
    elapsed_ms:
      description: Milliseconds spent on this target.
      type: int
    detail:
      description: What each stage saw, ending with the failure.
      type: str
passed:
  description: The checks that passed, with O(result_shape=compact).
  returned: when O(result_shape=compact)
  type: dict
  contains:
    index:
      description: Position of each passing check in the targets probed (the selection's, or O(targets)).
      type: list
      elements: int
      sample: [0, 1, 3]
    elapsed_ms:
      description: Milliseconds of each passing check, in the order of RV(passed.index).
      type: list
      elements: int
      sample: [41, 38, 112]
selection:
  description:
    - With O(result_shape=compact), where the targets come from, for the reports to select them again on the
      controller - C(options), the catalog selectors and O(resolve) (or C(targets), the explicit O(targets)) - and
      C(key), a digest of the catalog file and those options. A report fails when the catalog changed since.
  returned: when O(result_shape=compact), through the action plugin
  type: dict
summary:
  description: Counts over every check (RV(results), and RV(passed) with O(result_shape=compact)).
  returned: always
  type: dict
  contains:
    total:
      description: Number of results.
      type: int
    ok:
      description: Targets reached.
      type: int
    failed:
      description: Targets not reached.
      type: int
    skipped:
      description: Targets not probed.
      type: int
    required_failed:
      description: Failed targets that Apple marks as required.
      type: int
    by_status:
      description: Count per status.
      type: dict
    elapsed_ms:
      description: Milliseconds for the whole run.
      type: int
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netallow.apple.plugins.module_utils.probes.argspec import (
    SELECTORS,
    argument_spec,
    check_params,
)
from ansible_collections.netallow.apple.plugins.module_utils.probes.pool import run_probes
from ansible_collections.netallow.apple.plugins.module_utils.probes.prober import Prober
from ansible_collections.netallow.apple.plugins.module_utils.probes.result import compact_results, summarize


def failure_message(summary: dict, fail_on: str) -> str | None:
    if fail_on == "any" and summary["failed"]:
        return f"{summary['failed']} of {summary['total']} targets not reachable"
    if fail_on == "required" and summary["required_failed"]:
        return f"{summary['required_failed']} required targets of {summary['total']} not reachable"
    return None


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    error = check_params(params)
    if error:
        module.fail_json(msg=error)
    if params["targets"] is None:
        module.fail_json(
            msg="no targets: the catalog selectors (" + ", ".join(SELECTORS) + ") are resolved by the action "
            "plugin on the controller; give targets when calling the module directly"
        )
    given = [name for name in SELECTORS if params[name] not in (None, False)]
    if given:
        module.fail_json(msg=f"targets and the catalog selectors ({', '.join(given)}) are mutually exclusive")
    try:
        prober = Prober(
            timeout=params["timeout"],
            proxy=params["proxy"],
            use_proxy_env=params["use_proxy_env"],
            ip_version=params["ip_version"],
            resolve=params["resolve"],
            ca_path=params["ca_path"],
            expected_issuers=params["expected_issuers"],
            tls_ports=params["tls_ports"],
        )
    except ValueError as exc:
        module.fail_json(msg=f"invalid option: {exc}")
    except OSError as exc:
        module.fail_json(msg=f"ca_path {params['ca_path']!r} could not be loaded: {exc}")

    started = time.monotonic()
    results = run_probes(params["targets"], prober, workers=params["workers"], deadline=params["deadline"])
    summary = summarize(results, elapsed_ms=int((time.monotonic() - started) * 1000))
    shaped = compact_results(results) if params["result_shape"] == "compact" else {"results": results}
    message = failure_message(summary, params["fail_on"])
    if message:
        module.fail_json(msg=message, summary=summary, changed=False, **shaped)
    module.exit_json(changed=False, summary=summary, **shaped)


if __name__ == "__main__":
    main()
