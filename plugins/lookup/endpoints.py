# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: endpoints
author: netallow.apple contributors (@netallow)
version_added: 1.0.0
short_description: Select the hosts, wildcard domains, CIDRs and ports that Apple devices need
description:
  - Returns entries of the collection's catalog of Apple network requirements (Apple's enterprise-networks article,
    the server-hosts article, APNs and firewall advice, with later changes), filtered by the given options.
  - With no terms and no options it returns every current, verified and precise entry. Removed, renamed and
    unverified entries are history and are only returned on request.
  - The default selection is precise. Broad entries are only returned with O(include_broad=true) (see there).
    They are Apple's shortcuts C(*.apple.com) and C(17.0.0.0/8), third-party platform wildcards such as
    C(*.amazonaws.com), and entries whose ports Apple does not list for that host.
  - Every selector takes one value or a list; an entry passes when it matches any value of each given selector.
    Unknown option names and unknown values fail with a message that names them and lists the valid ones.
  - The catalog is read once per controller process and cached; later lookups only filter.
  - Use C(query) (or O(ignore:wantlist=true)) to always receive a list.
extends_documentation_fragment:
  - netallow.apple.selectors
options:
  _terms:
    description:
      - Section keys to select, merged with O(section). See O(section) for the list.
    type: list
    elements: str
    required: false
  proxy:
    description:
      - Filter on proxy support as Apple states it. V(true) and V(false) select what Apple says; V(not_stated)
        selects entries where Apple says nothing; V(any) does not filter.
      - Accepts booleans or the strings V(true), V(false), V(not_stated), V(any).
    type: raw
    default: any
  required:
    description:
      - Filter on whether Apple requires the host (V(false) marks optional hosts such as diagnostics).
      - Accepts booleans or the strings V(true), V(false), V(any).
    type: raw
    default: any
  output:
    description:
      - V(entries) returns one dict per entry (see RV(_raw)).
      - V(hosts) returns the unique hosts (names, wildcards and CIDRs); V(fqdns), V(wildcards) and V(cidrs) only that
        kind; V(ids) the entry ids.
      - V(ports) returns one dict with the keys C(tcp) and C(udp), each the sorted unique ports (ranges as
        C(low-high) strings).
      - V(changes) returns the change feed of the selected entries (removed, renamed and unverified ones included;
        broad ones only with O(include_broad=true)), one dict per event with C(date), C(change) (V(added),
        V(removed), V(renamed) or V(changed)), C(id), C(host), C(section) and C(detail), newest first. See
        O(since).
      - The following describe the catalog itself and ignore the selectors. V(info) returns its version, date,
        entry count, section and service keys; V(sections) the sections with their titles in each language;
        V(sources) the documents it cites; V(port_rows) the port-only rows (Apple's common-ports table, the
        iMessage and FaceTime activation ports); V(processes) the iTunes for Windows background processes.
    type: str
    choices: [entries, hosts, fqdns, wildcards, cidrs, ports, ids, changes, info, sections, sources, port_rows,
              processes]
    default: entries
  since:
    description:
      - With O(output=changes), only events dated in that month or later. A date C(YYYY-MM) (or C(YYYY)), or a
        C(catalog_version) C(YYYY.M.N), which stands for the changes made after that version's month (the feed
        since the version a gateway runs).
    type: str
    version_added: 1.1.0
  query:
    description:
      - A JMESPath expression applied to the result (after O(output)), as with the C(community.general.json_query)
        filter. Needs the C(jmespath) Python library on the controller.
    type: str
notes:
  - Entry dicts are copies; changing them does not change the catalog.
  - The C(kind), C(domain), C(family) and C(broad) keys are derived and are not stored in the catalog file.
seealso:
  - name: The catalog format
    description: Fields, section keys and the allow-list model.
    link: https://github.com/netallow/apple/blob/main/docs/catalog-format.md
"""

EXAMPLES = r"""
- name: Everything a Mac enrolled in MDM needs for device management
  ansible.builtin.debug:
    msg: "{{ query('netallow.apple.endpoints', section='devicemanagement', platform='macos') }}"

- name: Unique hosts for device setup and software updates, as a list of strings
  ansible.builtin.set_fact:
    apple_hosts: "{{ query('netallow.apple.endpoints', 'devicesetup', 'software', output='hosts') }}"

- name: Ports per protocol for everything iCloud needs
  ansible.builtin.debug:
    msg: "{{ lookup('netallow.apple.endpoints', section='icloud', output='ports') }}"

- name: Apple's address blocks (IPv4 and IPv6) for a firewall that only takes addresses
  ansible.builtin.debug:
    msg: "{{ query('netallow.apple.endpoints', kind='cidr', output='cidrs') }}"

- name: Hosts that Apple says work through a proxy, with a JMESPath query
  ansible.builtin.debug:
    msg: "{{ lookup('netallow.apple.endpoints', proxy='true', query='[].host') }}"

- name: Opt in to Apple's shortcuts, platform wildcards and inferred ports (broad; see include_broad)
  ansible.builtin.debug:
    msg: "{{ query('netallow.apple.endpoints', section='firewall', include_broad=true, output='hosts') }}"

- name: History - a host Apple removed in April 2025
  ansible.builtin.debug:
    msg: "{{ query('netallow.apple.endpoints', host='ns.itunes.apple.com', include_removed=true) }}"

- name: What Apple changed since the catalog version a gateway runs
  ansible.builtin.debug:
    msg: "{{ query('netallow.apple.endpoints', output='changes', since='2025.3.0') }}"
"""

RETURN = r"""
_raw:
  description:
    - With O(output=entries), one dict per entry; other outputs are described under O(output).
  type: list
  elements: dict
  contains:
    id:
      description: Stable identifier, C(<section>.<host>).
      type: str
      sample: devicemanagement.push.apple.com-wildcard
    section:
      description: Apple's section key.
      type: str
      sample: devicemanagement
    service:
      description: Service key inside the section.
      type: str
      sample: apns
    host:
      description: A host name, a wildcard C(*.domain) or a CIDR.
      type: str
      sample: "*.push.apple.com"
    kind:
      description: V(fqdn), V(wildcard) or V(cidr).
      type: str
    domain:
      description: For a wildcard, the domain under C(*.); otherwise null.
      type: str
    family:
      description: For a CIDR, 4 or 6; otherwise null.
      type: int
    tcp:
      description: TCP ports (ints; a range is a string C(low-high)).
      type: list
      elements: raw
      sample: [443, 80, 5223, 2197]
    udp:
      description: UDP ports, as for RV(_raw[].tcp).
      type: list
      elements: raw
      sample: []
    platforms:
      description: Lower-case platforms; empty when the entry is not device-specific.
      type: list
      elements: str
      sample: [ios, ipados, tvos, macos, visionos]
    proxy:
      description: V(true) or V(false) as Apple states it, null when Apple does not say.
      type: bool
    required:
      description: Whether Apple requires the host (false for optional ones).
      type: bool
    status:
      description: V(current), V(renamed), V(removed) or V(unverified).
      type: str
    scope:
      description:
        - How broad the entry is. V(host) is one host name; V(domain) a wildcard or address block of one service;
          V(shortcut) Apple's allow-all firewall advice; V(platform) a third party's whole hosting or CDN platform.
      type: str
      sample: domain
    port_basis:
      description:
        - V(listed) when Apple's table lists these ports for this host, V(inferred) when they come from a general
          table or advice.
      type: str
      sample: listed
    broad:
      description:
        - Whether the entry is broad (scope V(shortcut) or V(platform), or V(inferred) ports); broad entries are
          only returned with O(include_broad=true).
      type: bool
    no_probe_reason:
      description: For a wildcard without a probe name, why there is none; otherwise null.
      type: str
    description:
      description: Short descriptions by language code (C(en) always, plus C(fr), C(nl), C(cs), C(de) when known).
      type: dict
    probe:
      description: A concrete, resolvable name a reachability probe can use (for a wildcard), or null.
      type: str
      sample: 1-courier.push.apple.com
    added:
      description: Earliest edition or date (C(YYYY) or C(YYYY-MM)) that lists the entry.
      type: str
    last_seen:
      description: Newest edition or date that lists the entry.
      type: str
    removed:
      description: When Apple removed or renamed the entry, otherwise null.
      type: str
    renamed_to:
      description: For a renamed entry, the id of its successor.
      type: str
    sources:
      description: Keys of the documents the entry comes from.
      type: list
      elements: str
    notes:
      description: Corrections made to the source text and other remarks, or null.
      type: str
    history:
      description: Changes to the entry while listed (C(date), C(change=changed), C(detail)); often empty.
      type: list
      elements: dict
      version_added: 1.1.0
"""

from ansible.errors import AnsibleLookupError, AnsibleOptionsError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.lookup import LookupBase

from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import (
    CATALOG_OUTPUTS,
    CatalogError,
    changes,
    describe,
    load_catalog,
    select,
    summarize,
)
from ansible_collections.netallow.apple.plugins.plugin_utils._syntax import parse_bool

try:
    import jmespath
except ImportError:  # pragma: no cover - checked when a query is given
    jmespath = None

_SELECTORS = ("section", "service", "platform", "protocol", "port", "proxy", "required", "kind", "host", "ids")


def _option_specs() -> dict:
    """The options as documented: this lookup's own and the selectors it shares through a doc fragment."""
    import yaml

    from ansible_collections.netallow.apple.plugins.doc_fragments.selectors import ModuleDocFragment

    options = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    options.update(yaml.safe_load(DOCUMENTATION)["options"])
    options.pop("_terms")
    return options


def _check_arguments(specs: dict, kwargs: dict) -> dict:
    """Refuse unknown option names and values outside an option's choices, naming them and the valid ones.

    ansible-core 2.21 ignores unknown keyword arguments (a typo would silently widen a selection), and its own
    choices check does not say which values are valid. Values of options with choices are matched without regard
    to case (``iOS`` is ``ios``); the returned arguments carry them in lower case.
    """
    checked = dict(kwargs)
    unknown = sorted(set(kwargs) - set(specs))
    if unknown:
        raise AnsibleOptionsError(f"netallow.apple.endpoints: unknown option(s) {', '.join(unknown)}; "
                                  f"valid options: {', '.join(sorted(specs))}")
    for name, value in kwargs.items():
        if specs[name].get("type") == "bool" and value is not None:
            # Ansible's own conversion takes any unknown string as false: "maybe" must not quietly mean no.
            try:
                checked[name] = parse_bool(value, name)
            except ValueError as exc:
                raise AnsibleOptionsError(f"netallow.apple.endpoints: {exc}") from None
            continue
        choices = specs[name].get("choices")
        if not choices or value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        bad = [v for v in values if str(v).strip().lower() not in choices]
        if bad:
            raise AnsibleOptionsError(f"netallow.apple.endpoints: invalid {name} {', '.join(repr(b) for b in bad)}; "
                                      f"valid {name} values: {', '.join(choices)}")
        lowered = [str(v).strip().lower() for v in values]
        checked[name] = lowered if isinstance(value, (list, tuple)) else lowered[0]
    return checked


class LookupModule(LookupBase):
    _specs: dict | None = None

    def run(self, terms, variables=None, **kwargs):
        if LookupModule._specs is None:
            LookupModule._specs = _option_specs()
        kwargs = _check_arguments(LookupModule._specs, kwargs)
        try:
            self.set_options(var_options=variables, direct=kwargs)
        except AnsibleOptionsError as exc:
            raise AnsibleOptionsError(f"netallow.apple.endpoints: {to_native(exc)}") from exc

        selectors = {name: self.get_option(name) for name in _SELECTORS}
        if terms:
            selectors["section"] = list(selectors["section"] or []) + [str(t) for t in terms]
        try:
            catalog = load_catalog(self.get_option("catalog_path"))
            output = self.get_option("output")
            since = self.get_option("since")
            if since is not None and output != "changes":
                raise CatalogError(f"since: only used with output='changes', not output={output!r}")
            if output in CATALOG_OUTPUTS:
                result = describe(catalog, output)
            elif output == "changes":
                entries = select(catalog, include_removed=True, include_unverified=True,
                                 include_broad=self.get_option("include_broad"), **selectors)
                result = changes(entries, since)
            else:
                entries = select(catalog, include_removed=self.get_option("include_removed"),
                                 include_unverified=self.get_option("include_unverified"),
                                 include_broad=self.get_option("include_broad"), **selectors)
                result = summarize(entries, output)
        except CatalogError as exc:
            raise AnsibleLookupError(f"netallow.apple.endpoints: {exc}") from exc
        except (OSError, RecursionError) as exc:
            # A directory or unreadable file given as the catalog, or a document nested too deeply to load.
            raise AnsibleLookupError(f"netallow.apple.endpoints: cannot read the catalog "
                                     f"{self.get_option('catalog_path')!r}: {type(exc).__name__}: {exc}") from None

        query = self.get_option("query")
        if query:
            if jmespath is None:
                raise AnsibleLookupError("netallow.apple.endpoints: the 'query' option needs the jmespath library "
                                         "on the controller (pip install jmespath)")
            try:
                result = jmespath.search(query, result)
            except jmespath.exceptions.JMESPathError as exc:
                raise AnsibleLookupError(f"netallow.apple.endpoints: invalid query {query!r}: {exc}") from exc
        if isinstance(result, list):
            return result
        return [result]
