# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sphinx configuration of the netallow.apple documentation site (built by tests/utils/build-docsite.sh)."""

from __future__ import annotations

project = "netallow.apple"
copyright = "netallow.apple contributors"  # noqa: A001 - Sphinx's own name for it
title = "netallow.apple"
html_short_title = "netallow.apple"

extensions = ["sphinx_antsibull_ext"]

pygments_style = "ansible"
highlight_language = "YAML+Jinja"

html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
html_theme_options = {"analytics_id": "", "collapse_navigation": False}

# The site builds offline: no intersphinx inventories are fetched, and every reference must resolve inside it.
intersphinx_mapping: dict = {}
default_role = "any"
nitpicky = True
