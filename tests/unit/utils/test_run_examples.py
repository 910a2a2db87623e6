# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The extractor and the judge of tests/utils/run_examples.py (the examples stage of make test)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import yaml

_PATH = Path(__file__).resolve().parents[2] / "utils" / "run_examples.py"
_SPEC = importlib.util.spec_from_file_location("run_examples", _PATH)
run_examples = importlib.util.module_from_spec(_SPEC)
sys.modules.setdefault("run_examples", run_examples)  # dataclasses look their module up there
_SPEC.loader.exec_module(run_examples)

MARKDOWN = """# Title

Text with `inline: yaml` that is no block.

```yaml
- name: First
  ansible.builtin.debug:
    msg: one
```

<!-- example: not run: needs a FortiGate -->

```yaml
- hosts: fortigates
  roles: [netallow.apple.network_gear]
```

```sh
make test
```

  ```yaml
  apple_hosts: "{{ query('netallow.apple.endpoints', output='hosts') }}"
  ```

<!-- a comment that is no mark -->
```yaml
# example: offline: needs Apple's servers
- netallow.apple.reachability: {}
```
"""

RST = """Guide
=====

.. example: not run: only a fragment

.. code-block:: yaml+jinja

    - name: In RST
      ansible.builtin.debug:
        msg: two

    - name: Second task of the block
      ansible.builtin.debug:
        msg: three

After the block.

.. code-block:: python

    print("not YAML")
"""


def test_markdown_blocks_lines_and_marks():
    examples = run_examples.extract_markdown(MARKDOWN, "README.md")
    assert [e.line for e in examples] == [5, 13, 22, 27]
    assert examples[0].marks == {}
    assert examples[0].text.startswith("- name: First\n")
    assert examples[1].marks == {"not run": "needs a FortiGate"}
    # An indented fence is dedented; a comment that is no mark is ignored; a YAML comment inside is a mark.
    assert examples[2].text.startswith("apple_hosts:")
    assert examples[3].marks == {"offline": "needs Apple's servers"}
    assert all(yaml.safe_load(e.text) for e in examples)


def test_markdown_mark_does_not_reach_past_text():
    text = "<!-- example: not run: old -->\n\nSome text.\n\n```yaml\n- name: x\n  ansible.builtin.debug: {}\n```\n"
    assert run_examples.extract_markdown(text, "x.md")[0].marks == {}


def test_markdown_unclosed_fence_is_an_error():
    with pytest.raises(ValueError, match="x.md:1: YAML block is never closed"):
        run_examples.extract_markdown("```yaml\n- a: b\n", "x.md")


def test_rst_code_blocks():
    examples = run_examples.extract_rst(RST, "guide.rst")
    assert len(examples) == 1
    example = examples[0]
    assert example.line == 6
    assert example.marks == {"not run": "only a fragment"}
    assert [task["name"] for task in yaml.safe_load(example.text)] == ["In RST", "Second task of the block"]


def test_plugin_examples_from_the_metadata_dump():
    dump = {"all": {
        "filter": {"netallow.apple.to_html": {"examples": "\n# example: setup: fleet (why)\n- name: Report\n"
                                                          "  ansible.builtin.debug: {}\n"}},
        "lookup": {"netallow.apple.endpoints": {"examples": "- name: Lookup\n  ansible.builtin.debug: {}\n"}},
        "module": {"netallow.apple.nothing": {"examples": ""}},
        "keyword": {"hosts": {"description": "not a plugin"}},
    }}
    examples = run_examples.extract_plugin_docs(json.loads(json.dumps(dump)))
    assert [e.source for e in examples] == [
        "filter netallow.apple.to_html EXAMPLES", "lookup netallow.apple.endpoints EXAMPLES"]
    assert examples[0].marks == {"setup": "fleet (why)"}
    assert run_examples.setup_of(examples[0]) == "fleet"
    assert run_examples.setup_of(examples[1]) == ""


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("- hosts: gateways\n  roles: [netallow.apple.nftables]\n", "playbook"),
        ("- name: t\n  ansible.builtin.debug: {}\n- block:\n    - ansible.builtin.debug: {}\n", "tasks"),
        ("apple_hosts: \"{{ query('netallow.apple.endpoints') }}\"\n", "vars"),
        ("- id: devicemanagement.push.apple.com-wildcard\n  section: devicemanagement\n", "data"),
        ("catalog_version: \"2026.3.2\"\nsources: {}\n", "data"),
        ("- hosts: a\n- name: a task\n  ansible.builtin.debug: {}\n", "data"),
    ],
)
def test_classify(text, kind):
    assert run_examples.classify(yaml.safe_load(text)) == kind


def test_named_plays_and_tasks_in_order_with_blocks():
    data = yaml.safe_load("""
- name: Play one
  hosts: all
  pre_tasks:
    - name: Before
      ansible.builtin.debug: {}
  tasks:
    - name: A block
      block:
        - name: Inside
          ansible.builtin.debug: {}
      rescue:
        - name: Rescue
          ansible.builtin.debug: {}
- hosts: all
  roles: [x]
""")
    assert run_examples.named(data, "playbook") == (["Play one"], ["Before", "Inside", "Rescue"])


RECAP_OK = "PLAY RECAP ****\nlocalhost : ok=2 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0\n"


def test_judge_passes_a_run_that_reached_every_named_task():
    output = "PLAY [Play one] ***\nTASK [First] ***\nok\nTASK [netallow.apple.nftables : Second] ***\n" + RECAP_OK
    assert run_examples.judge(output, 0, ["Play one"], ["First", "Second"]) == ""


@pytest.mark.parametrize(
    ("output", "returncode", "reason"),
    [
        ("boom", 2, "exited with 2"),
        ("[WARNING]: provided hosts list is empty\n", 0, "no PLAY RECAP"),
        ("TASK [First] ***\n" + RECAP_OK.replace("failed=0", "failed=1"), 0, "a host failed"),
        ("TASK [First] ***\n" + RECAP_OK, 0, "task 'Last' was never reached"),
        ("[WARNING]: Found variable using reserved name 'hosts'.\nTASK [First] ***\nTASK [Last] ***\n" + RECAP_OK, 0,
         "reserved variable name 'hosts'"),
    ],
)
def test_judge_failures(output, returncode, reason):
    assert reason in run_examples.judge(output, returncode, [], ["First", "Last"])


def _fatal(msg):
    return "fatal: [localhost]: FAILED! => " + json.dumps({"changed": False, "msg": msg}) + "\n"


def test_judge_offline_example_must_fail_for_want_of_a_network_only():
    reached = "TASK [First] ***\nTASK [Last] ***\n"
    unreachable = reached + _fatal("13 required targets of 13 not reachable") + RECAP_OK
    assert run_examples.judge(unreachable, 2, [], ["First", "Last"], offline=True) == ""
    other = reached + _fatal("unknown section 'beta' in exclude_sections") + RECAP_OK
    assert "another reason" in run_examples.judge(other, 2, [], ["First", "Last"], offline=True)
    assert "remove the mark" in run_examples.judge(reached + RECAP_OK, 0, [], ["First", "Last"], offline=True)
    # The task that failed must come after every earlier named task: here "First" never ran.
    skipped_first = "TASK [Last] ***\n" + _fatal("Temporary failure in name resolution") + RECAP_OK
    assert "'First' was never reached" in run_examples.judge(skipped_first, 2, [], ["First", "Last"], offline=True)


def test_the_projects_examples_all_parse_and_are_runnable_or_marked():
    """Every Markdown and RST example of the project is YAML and either runs or says why not."""
    root = Path(__file__).resolve().parents[3]
    examples = run_examples.collect(root, None)
    assert len(examples) >= 25
    for example in examples:
        data = yaml.safe_load(example.text)
        assert "not run" in example.marks or run_examples.classify(data) != "data", example.where


def test_only_plain_task_lists_and_variables_share_the_batch():
    def example(text, marks=None):
        return run_examples.Example("x.md", 1, text, marks or {})

    tasks = "- name: t\n  ansible.builtin.debug: {}\n"
    assert run_examples.batchable(example(tasks))
    assert run_examples.batchable(example("apple_x: \"{{ 1 }}\"\n"))
    assert not run_examples.batchable(example("- hosts: macs\n  tasks: []\n"))
    for mark in ("setup", "offline", "core only"):
        assert not run_examples.batchable(example(tasks, {mark: "why"}))


def test_local_play_runs_tasks_or_templates_each_variable():
    play = run_examples.local_play([{"name": "t"}], "tasks", "Example 007", "example-007", "example-007.yml")
    assert play["hosts"] == "example-007"
    assert play["tasks"][0]["ansible.builtin.import_tasks"] == "example-007.yml"
    play = run_examples.local_play({"apple_a": "{{ 1 }}", "apple_b": "{{ 2 }}"}, "vars", "E", "h", "f.yml")
    assert play["vars_files"] == ["f.yml"]
    assert play["tasks"][0]["loop"] == ["apple_a", "apple_b"]
    rescued = run_examples.local_play([{"name": "t"}], "tasks", "E", "h", "f.yml", rescue=True)["tasks"][0]
    assert rescued["block"][0]["ansible.builtin.import_tasks"] == "f.yml"
    assert rescued["rescue"][0]["name"] == "The example failed"
