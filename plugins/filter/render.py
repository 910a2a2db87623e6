# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import importlib
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import check_model
from ansible_collections.netallow.apple.plugins.plugin_utils.render._core import RenderError, option_doc

_PACKAGE = "ansible_collections.netallow.apple.plugins.plugin_utils.render"

# The format table: one line per format, name -> plugin_utils module with render(model, **options) and FORMAT_DOC.
# A module may also define OUTPUTS ({relative path: options}) for the files playbooks/render.yml writes.
FORMATS = {
    "lists": "lists",
    "dnsmasq": "dnsmasq",
    "iptables": "iptables",
    "nftables": "nftables",
    "firewalld": "firewalld",
    "squid": "squid",
    "pac": "pac",
    "fortios": "gear.fortios",
    "checkpoint": "gear.checkpoint",
    "asa": "gear.asa",
    "junos": "gear.junos",
    "vyos": "gear.vyos",
    "panos": "gear.panos",
}


def renderer(name):
    """The renderer module of format ``name``, or None when this installation does not ship it."""
    module = f"{_PACKAGE}.{FORMATS[name]}"
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        # Only the renderer's own absence means "not shipped"; a missing dependency inside it is a real error.
        if exc.name == module:
            return None
        raise


def declared_options(name):
    """The option declarations of format ``name`` (vendor formats: the common options, then their own)."""
    module = renderer(name)
    if hasattr(module, "VENDOR_OPTIONS"):
        from ansible_collections.netallow.apple.plugins.plugin_utils.render.gear._common import options_of

        return options_of(module.VENDOR_OPTIONS)
    return module.OPTIONS


def format_docs():
    """The render filter's description items for every format: its FORMAT_DOC, then one line per declared option.

    plugins/filter/render.yml carries exactly these (tests/utils/render-doc.py writes them), so no option can be
    undocumented or documented but refused.
    """
    items = []
    for name in available_formats():
        items.append(" ".join(renderer(name).FORMAT_DOC.split()))
        items += [option_doc(name, option, spec) for option, spec in declared_options(name).items()]
    return items


def available_formats():
    """The formats of the table whose renderer is present, in table order."""
    return [name for name in FORMATS if renderer(name) is not None]


def render(model, format, **options):
    """Render the allow-list model in ``format`` with the renderer's ``options``."""
    if not isinstance(model, Mapping) or not isinstance(model.get("groups"), list):
        raise AnsibleFilterError(
            "netallow.apple.render: the input must be the allow-list model from netallow.apple.to_allowlist"
            f" (a dict with 'groups'), got {type(model).__name__}"
        )
    module = renderer(format) if isinstance(format, str) and format in FORMATS else None
    if module is None:
        raise AnsibleFilterError(
            f"netallow.apple.render: unknown format {format!r}; valid formats: {', '.join(available_formats())}"
        )
    try:
        check_model(model)
        return module.render(model, **options)
    except RenderError as exc:
        # Already in the one shape: netallow.apple.render(<format>): <what> <value>: <why>
        raise AnsibleFilterError(str(exc)) from exc
    except ValueError as exc:
        raise AnsibleFilterError(f"netallow.apple.render({format}): {exc}") from exc


def render_outputs(model, formats=None):
    """The files every (or each given) format writes: a list of dicts with format, path and options."""
    if not isinstance(model, Mapping) or not isinstance(model.get("groups"), list):
        raise AnsibleFilterError("netallow.apple.render_outputs: the input must be the allow-list model")
    names = available_formats()
    if formats is not None:
        unknown = [name for name in formats if name not in names]
        if unknown:
            raise AnsibleFilterError(
                f"netallow.apple.render_outputs: unknown format(s) {', '.join(map(str, unknown))};"
                f" valid formats: {', '.join(names)}"
            )
        names = [name for name in names if name in formats]
    outputs = []
    for name in names:
        declared = getattr(renderer(name), "OUTPUTS", None) or {name: {}}
        for path, options in declared.items():
            outputs.append({"format": name, "path": path, "options": dict(options)})
    return outputs


class FilterModule:
    def filters(self):
        return {"render": render, "render_outputs": render_outputs}
