# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A hold point for the mid-run reboot test: the run stops before one task until the test lets it go on.

Without it the test can only watch the log and reboot "soon after" a task starts, and a fast run finishes first.
When the task named in NAHOST_HOLD_TASK is about to start, this callback writes ``held`` into NAHOST_HOLD_DIR and
waits (at most NAHOST_HOLD_SECONDS, 300 by default) for a file ``release`` there. Callbacks run in the controller's
main process before the task is queued, so no host runs the task while the run is held: the test reboots the host at
a known point of the role, then releases the run. Without NAHOST_HOLD_DIR the callback does nothing.
"""

from __future__ import annotations

import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: nahost_hold
type: aggregate
short_description: Hold a run before a named task until a release file appears (test aid)
description:
  - Used by the booted_faults molecule scenario only.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "nahost_hold"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hold_dir = os.environ.get("NAHOST_HOLD_DIR")
        self.hold_task = os.environ.get("NAHOST_HOLD_TASK", "")
        self.hold_seconds = int(os.environ.get("NAHOST_HOLD_SECONDS", "300"))
        self.held = False

    def v2_playbook_on_task_start(self, task, is_conditional):
        if not self.hold_dir or self.held or not task.get_name().endswith(self.hold_task):
            return
        self.held = True  # once per run: a second match passes straight through
        with open(os.path.join(self.hold_dir, "held"), "w", encoding="utf-8") as marker:
            marker.write(task.get_name() + "\n")
        release = os.path.join(self.hold_dir, "release")
        deadline = time.monotonic() + self.hold_seconds
        while not os.path.exists(release) and time.monotonic() < deadline:
            time.sleep(0.2)
        if not os.path.exists(release):
            self._display.warning(f"nahost_hold: no release after {self.hold_seconds} s, going on")
