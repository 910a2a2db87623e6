# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reachability probes that run on the managed host, one job a file.

Python 3.9+, standard library only: these files travel inside the module payload, so nothing may need installing.
They know nothing of the catalog; they receive concrete targets (host, port, protocol, probe name) and run, per
target, the stages that apply (dns, proxy, tcp or udp, tls, service), stopping at the first that fails.

- argspec: the module's argument spec and the checks it cannot express (the action plugin uses it too)
- result: a target's result, the failure a stage raises, and the summary of a run
- dns, proxy, tls (with der), sntp, quic: the stages and the protocols they speak
- prober: one target through its stages; pool: every target in parallel, bounded by a deadline
"""
