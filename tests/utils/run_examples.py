# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run every YAML example of the documentation as a test.

Examples come from README.md, docs/*.md, the guides under docs/docsite/rst/, roles/*/README.md and the EXAMPLES of
every plugin and module (read with ``ansible-doc --metadata-dump``). Each one runs as written, with
``ansible-playbook --check``, in a scratch directory of its own:

- a play or a list of plays runs against a fixture inventory whose hosts are this machine (local connection);
- a list of tasks runs in a play on localhost;
- a mapping of variables (``name: "{{ expression }}"``) is templated, each variable in turn.

The whole run happens inside a network namespace that has only loopback and a private mount namespace, so no
packet leaves the machine (a name lookup fails at once) and the fixture files shadow no real ones. Roles run in
check mode there: they read, validate and render, and change nothing.

An example passes when ansible-playbook succeeds with no failed or unreachable host and every task and play the
example names was reached. An example that cannot run here carries a mark in its source, printed with its reason:
``<!-- example: not run: REASON -->`` before a Markdown fence, ``.. example: not run: REASON`` before an RST
code block, or a YAML comment ``# example: not run: REASON`` inside the example. Other marks, in the same places:
``example: setup: fleet`` first runs a play that registers ``reach`` on every host of a fleet inventory (the reports'
examples start from it); ``example: offline: REASON`` says that the example needs Apple's servers, so it must fail,
and only because they cannot be reached; ``example: core only: REASON`` runs it with ansible-core and this
collection alone (no other collection on the path).
A block that is neither plays, tasks nor variables and carries no mark fails the run.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import dataclasses
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "examples"
SANDBOX_ENV = "NETALLOW_APPLE_EXAMPLES_SANDBOX"
WEB_ROOT = "/var/www"

MARK = re.compile(r"example:\s*(?P<key>not run|setup|offline|core only)\s*:\s*(?P<value>.*?)\s*(?:-->)?\s*$")
MD_FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>yaml|yml|yaml\+jinja)\s*$")
MD_END = re.compile(r"^\s*```\s*$")
MD_COMMENT = re.compile(r"^\s*<!--\s*(?P<body>.*?)\s*-->\s*$")
RST_BLOCK = re.compile(r"^(?P<indent>\s*)\.\. code-block::\s*(?P<lang>yaml|yml|yaml\+jinja)\s*$")
RST_COMMENT = re.compile(r"^\s*\.\.\s+(?P<body>example:.*)$")
YAML_MARK = re.compile(r"^\s*#\s*(?P<body>example:.*)$")
FQCN = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+$")
TASK_KEYWORDS = {"block", "include_tasks", "import_tasks", "include_role", "import_role"}
SETUPS = {"fleet"}
# What a task that needs Apple's servers says when it runs where no name resolves and no route leads out.
OFFLINE_FAILURE = re.compile(r"required targets of \d+ not reachable|Temporary failure in name resolution"
                             r"|Name or service not known|Network is unreachable")
FATAL = re.compile(r"^(?:fatal|failed): \[[^\]]+\].*? => (?P<result>\{.*\})$", re.M)


@dataclasses.dataclass
class Example:
    """One YAML example and where it comes from."""

    source: str
    line: int
    text: str
    marks: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


def _marks_from(lines: list[str], pattern: re.Pattern[str]) -> dict[str, str]:
    marks: dict[str, str] = {}
    for line in lines:
        comment = pattern.match(line)
        if not comment:
            continue
        mark = MARK.search(comment.group("body"))
        if mark:
            marks[mark.group("key")] = mark.group("value")
    return marks


def _preceding_comments(lines: list[str], index: int, pattern: re.Pattern[str]) -> list[str]:
    """The comment lines right above line ``index`` (blank lines between them allowed)."""
    found = []
    i = index - 1
    while i >= 0 and (not lines[i].strip() or pattern.match(lines[i])):
        if lines[i].strip():
            found.append(lines[i])
        i -= 1
    return found


def extract_markdown(text: str, source: str) -> list[Example]:
    """Every fenced YAML block of a Markdown text, with the marks of the HTML comments above it and inside it."""
    lines = text.splitlines()
    examples = []
    i = 0
    while i < len(lines):
        fence = MD_FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        start = i
        body = []
        i += 1
        while i < len(lines) and not MD_END.match(lines[i]):
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise ValueError(f"{source}:{start + 1}: YAML block is never closed")
        code = textwrap.dedent("\n".join(body)) + "\n"
        marks = _marks_from(_preceding_comments(lines, start, MD_COMMENT), MD_COMMENT)
        marks.update(_marks_from(body, YAML_MARK))
        examples.append(Example(source, start + 1, code, marks))
        i += 1
    return examples


def extract_rst(text: str, source: str) -> list[Example]:
    """Every ``code-block:: yaml`` (or ``yaml+jinja``) of an RST text, with the ``.. example:`` marks above it."""
    lines = text.splitlines()
    examples = []
    for start, line in enumerate(lines):
        block = RST_BLOCK.match(line)
        if not block:
            continue
        indent = len(block.group("indent"))
        body = []
        for following in lines[start + 1:]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            body.append(following)
        code = textwrap.dedent("\n".join(body)).strip("\n") + "\n"
        marks = _marks_from(_preceding_comments(lines, start, RST_COMMENT), RST_COMMENT)
        marks.update(_marks_from(body, YAML_MARK))
        examples.append(Example(source, start + 1, code, marks))
    return examples


def extract_plugin_docs(metadata: dict) -> list[Example]:
    """The EXAMPLES of every plugin and module in ``ansible-doc --metadata-dump`` output, one example each."""
    examples = []
    for plugin_type, plugins in sorted(metadata.get("all", {}).items()):
        for name, doc in sorted(plugins.items()):
            if not isinstance(doc, dict) or not doc.get("examples"):
                continue
            code = textwrap.dedent(doc["examples"]).strip("\n") + "\n"
            marks = _marks_from(code.splitlines(), YAML_MARK)
            examples.append(Example(f"{plugin_type} {name} EXAMPLES", 1, code, marks))
    return examples


def _is_task(item: object) -> bool:
    return isinstance(item, dict) and any(FQCN.match(str(key)) or key in TASK_KEYWORDS for key in item)


def classify(data: object) -> str:
    """``playbook``, ``tasks``, ``vars`` or ``data`` (anything else: a file format, a returned value)."""
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        if all("hosts" in item for item in data):
            return "playbook"
        if all(_is_task(item) for item in data):
            return "tasks"
    if isinstance(data, dict) and data and all(isinstance(v, str) and "{{" in v for v in data.values()):
        return "vars"
    return "data"


def named(data: object, kind: str) -> tuple[list[str], list[str]]:
    """The names of the plays and of the tasks an example holds (blocks included), in order."""
    plays: list[str] = []
    tasks: list[str] = []

    def walk(items: object) -> None:
        for task in items if isinstance(items, list) else []:
            if not isinstance(task, dict):
                continue
            if task.get("name") and "block" not in task:
                tasks.append(str(task["name"]))
            for key in ("block", "rescue", "always"):
                walk(task.get(key))

    if kind == "playbook":
        for play in data:
            if play.get("name"):
                plays.append(str(play["name"]))
            for key in ("pre_tasks", "tasks", "post_tasks"):
                walk(play.get(key))
    elif kind == "tasks":
        walk(data)
    return plays, tasks


def collect(root: Path, metadata: dict | None) -> list[Example]:
    """Every example of the project, in a stable order."""
    examples: list[Example] = []
    markdown = [root / "README.md", *sorted((root / "docs").glob("*.md")), *sorted(root.glob("roles/*/README.md"))]
    for path in markdown:
        examples += extract_markdown(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    for path in sorted((root / "docs" / "docsite" / "rst").glob("*.rst")):
        examples += extract_rst(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    if metadata is not None:
        examples += extract_plugin_docs(metadata)
    return examples


# ------------------------------------------------------------------------------------------------ running


def setup_of(example: Example) -> str:
    """The setup an example asks for (the first word of its mark; the rest says why), or ""."""
    words = (example.marks.get("setup") or "").split()
    return words[0] if words else ""


def playbook_for(example: Example, data: object, kind: str) -> tuple[str, dict[str, str]]:
    """The playbook that runs the example as written, and the extra files it needs (name -> text)."""
    files = {"example.yml": example.text}
    plays: list[dict] = []
    if setup_of(example) == "fleet":
        plays += yaml.safe_load((FIXTURES / "setup_fleet.yml").read_text(encoding="utf-8"))
    if kind == "playbook":
        plays.append({"name": "Run the example", "ansible.builtin.import_playbook": "example.yml"})
    else:
        plays.append(local_play(data, kind, "Run the example", "localhost", "example.yml"))
    return yaml.safe_dump(plays, sort_keys=False), files


def local_play(data: object, kind: str, name: str, host: str, file: str, rescue: bool = False) -> dict:
    """A play on ``host`` that runs the task list in ``file``, or templates each of its variables.

    With ``rescue``, a failure is rescued (and shows in the recap), so that the plays after it still run.
    """
    if kind == "tasks":
        tasks = [{"name": "The example", "ansible.builtin.import_tasks": file}]
        play = {"name": name, "hosts": host, "gather_facts": False}
    else:
        tasks = [{"name": "Template each variable",
                  "ansible.builtin.debug": {"msg": "{{ lookup('ansible.builtin.vars', item) }}"},
                  "loop": list(data)}]
        play = {"name": name, "hosts": host, "gather_facts": False, "vars_files": [file]}
    if rescue:
        failed = {"name": "The example failed", "ansible.builtin.debug": {"var": "ansible_failed_result"}}
        tasks = [{"name": "The example, rescued when it fails", "block": tasks, "rescue": [failed]}]
    return dict(play, tasks=tasks)


def batchable(example: Example) -> bool:
    """Task lists and variables with no mark that changes how they run share one ansible-playbook run."""
    return (classify(yaml.safe_load(example.text)) in ("tasks", "vars")
            and not {"setup", "offline", "core only"} & set(example.marks))


@dataclasses.dataclass
class Outcome:
    example: Example
    ok: bool
    seconds: float
    reason: str = ""
    log: str = ""


RECAP = re.compile(r"^\S+\s*:\s*ok=\d+\s+changed=\d+\s+unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)", re.M)


def judge(output: str, returncode: int, plays: list[str], tasks: list[str], offline: bool = False) -> str:
    """Why a run failed, or "" when it passed.

    An ``offline`` example needs Apple's servers: it passes when it fails, and only because they cannot be reached.
    """
    reserved = re.search(r"Found variable using reserved name '?([^'.\s]+)", output)
    if reserved:
        return f"uses the reserved variable name {reserved.group(1)!r}"
    if offline:
        messages = [str(json.loads(result).get("msg", result)) for result in FATAL.findall(output)]
        if returncode == 0:
            return "marked offline, but it passed: remove the mark"
        if not messages:
            return f"ansible-playbook exited with {returncode} before any task failed"
        wrong = [m for m in messages if not OFFLINE_FAILURE.search(m)]
        if wrong:
            return f"failed for another reason than the missing network: {wrong[0]}"
        # Every task up to the one that failed must have run.
        failing = re.findall(r"^TASK \[(?:[^\]]* : )?(.*?)\] ", output[:FATAL.search(output).start()], re.M)
        if failing and failing[-1] in tasks:
            tasks = tasks[:tasks.index(failing[-1]) + 1]
            return next((f"task {task!r} was never reached" for task in tasks if not _reached(output, task)), "")
        return ""
    if returncode != 0:
        return f"ansible-playbook exited with {returncode}"
    recaps = RECAP.findall(output)
    if not recaps:
        return "no PLAY RECAP: no host ran"
    if any(int(unreachable) or int(failed) for unreachable, failed in recaps):
        return "a host failed or was unreachable"
    for play in plays:
        if f"PLAY [{play}]" not in output:
            return f"play {play!r} never started"
    for task in tasks:
        if not _reached(output, task):
            return f"task {task!r} was never reached"
    return ""


def _reached(output: str, task: str) -> bool:
    return re.search(r"^TASK \[(?:[^\]]* : )?" + re.escape(task) + r"\] ", output, re.M) is not None


def run_one(example: Example, number: int, scratch: Path, env: dict[str, str]) -> Outcome:
    start = time.monotonic()
    data = yaml.safe_load(example.text)
    kind = classify(data)
    directory = scratch / f"{number:03d}"
    directory.mkdir(parents=True)
    playbook, files = playbook_for(example, data, kind)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    (directory / "run.yml").write_text(playbook, encoding="utf-8")
    inventory = "fleet_inventory.yml" if setup_of(example) == "fleet" else "inventory.yml"
    if "core only" in example.marks:
        env = dict(env, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="0", ANSIBLE_COLLECTIONS_PATH=own_collections_path(env))
    command = ["ansible-playbook", "--check", "-i", str(FIXTURES / inventory), "run.yml"]
    try:
        done = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True, timeout=300, check=False)
        output, returncode = done.stdout + done.stderr, done.returncode
    except subprocess.TimeoutExpired as exc:
        output, returncode = f"{exc.stdout or ''}{exc.stderr or ''}\ntimed out after 300 s", -1
    plays, tasks = named(data, kind)
    reason = judge(output, returncode, plays, tasks, offline="offline" in example.marks)
    (directory / "output.txt").write_text(output, encoding="utf-8")
    return Outcome(example, not reason, time.monotonic() - start, reason, output)


def run_batch(numbered: list[tuple[int, Example]], scratch: Path, env: dict[str, str]) -> list[Outcome]:
    """Run many task-list and variable examples in one ansible-playbook run, each in its own play on its own host
    (so that one failing example stops only its own play), and judge each from its part of the output."""
    start = time.monotonic()
    directory = scratch / "batch"
    directory.mkdir(parents=True)
    plays, hosts = [], {}
    for number, example in numbered:
        data = yaml.safe_load(example.text)
        (directory / f"example-{number:03d}.yml").write_text(example.text, encoding="utf-8")
        hosts[f"example-{number:03d}"] = None
        plays.append(local_play(data, classify(data), f"Example {number:03d}", f"example-{number:03d}",
                                f"example-{number:03d}.yml", rescue=True))
    fixture = yaml.safe_load((FIXTURES / "inventory.yml").read_text(encoding="utf-8"))
    inventory = {"all": {"vars": fixture["all"]["vars"], "hosts": hosts}}
    (directory / "inventory.yml").write_text(yaml.safe_dump(inventory), encoding="utf-8")
    (directory / "run.yml").write_text(yaml.safe_dump(plays, sort_keys=False), encoding="utf-8")
    command = ["ansible-playbook", "--check", "-i", "inventory.yml", "run.yml"]
    try:
        done = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True, timeout=600, check=False)
        output = done.stdout + done.stderr
    except subprocess.TimeoutExpired as exc:
        output = f"{exc.stdout or ''}{exc.stderr or ''}\ntimed out after 600 s"
    (directory / "output.txt").write_text(output, encoding="utf-8")
    seconds = time.monotonic() - start
    parts = re.split(r"^(?=PLAY \[Example \d{3}\])", output, flags=re.M)
    preamble, segments = parts[0], {int(p[len("PLAY [Example "):][:3]): p for p in parts[1:]}
    outcomes = []
    for number, example in numbered:
        recap = re.search(rf"^example-{number:03d}\s*:.*$", output, re.M)
        segment = segments.get(number)
        if segment is None or recap is None or "[WARNING]" in preamble or "[ERROR]" in preamble:
            reason = "the batch did not run it cleanly"
        elif re.search(r"rescued=[1-9]", recap.group(0)):
            reason = "failed in the batch"
        else:
            data = yaml.safe_load(example.text)
            segment = segment.split("PLAY RECAP")[0] + "PLAY RECAP ***\n" + recap.group(0) + "\n"
            reason = judge(segment, 0, [], named(data, classify(data))[1])
        outcomes.append(Outcome(example, not reason, seconds, reason, segment or output))
    return outcomes


def own_collections_path(env: dict[str, str]) -> str:
    """The entry of ANSIBLE_COLLECTIONS_PATH that holds this collection (and, there, nothing else is looked at)."""
    for entry in env.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep):
        if (Path(entry) / "ansible_collections" / "netallow" / "apple").is_dir():
            return entry
    raise SystemExit("run_examples.py: netallow.apple is on no entry of ANSIBLE_COLLECTIONS_PATH (make link)")


class TcpListener:
    """Accepts and closes connections on 127.0.0.1:PORT until stopped (the fleet setup probes it)."""

    def __init__(self, port: int) -> None:
        self.socket = socket.create_server(("127.0.0.1", port))
        self.socket.settimeout(0.5)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _address = self.socket.accept()
            except OSError:
                continue
            connection.close()

    def __enter__(self) -> TcpListener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.socket.close()


def prepare_sandbox() -> None:
    """Inside the new namespaces: loopback up, fixture files over the directories the examples name."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["nft", "-f", str(FIXTURES / "ruleset.nft")], check=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0755", "tmpfs", WEB_ROOT], check=True)
    os.makedirs(f"{WEB_ROOT}/html", exist_ok=True)
    shutil.copy(FIXTURES / "site.pac", "/var/www/html/site.pac")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=max(2, (os.cpu_count() or 2) + 1))
    parser.add_argument("--scratch", default=str(ROOT / ".build" / "examples"))
    parser.add_argument("--list", action="store_true", help="list the examples and their marks, run nothing")
    parser.add_argument("match", nargs="*", help="run only examples whose source contains one of these")
    args = parser.parse_args(argv)

    if not args.list and os.environ.get(SANDBOX_ENV) != "1":
        if os.geteuid() != 0:
            print("run_examples.py: needs root (network and mount namespaces)", file=sys.stderr)
            return 2
        env = dict(os.environ, **{SANDBOX_ENV: "1"})
        # The examples' web root is shadowed by a tmpfs inside the mount namespace; its mount point must exist.
        created = not os.path.isdir(WEB_ROOT)
        os.makedirs(WEB_ROOT, exist_ok=True)
        try:
            return subprocess.run(["unshare", "--net", "--mount", "--propagation", "private", sys.executable,
                                   __file__, *(argv if argv is not None else sys.argv[1:])], env=env,
                                  check=False).returncode
        finally:
            if created:
                with contextlib.suppress(OSError):
                    os.rmdir(WEB_ROOT)

    started = time.monotonic()
    dump = subprocess.run(["ansible-doc", "--metadata-dump", "--no-fail-on-errors", "netallow.apple"],
                          capture_output=True, text=True, check=True)
    examples = collect(ROOT, json.loads(dump.stdout))
    if args.match:
        examples = [e for e in examples if any(m in e.source for m in args.match)]

    marked, runnable, invalid = [], [], []
    for example in examples:
        try:
            data = yaml.safe_load(example.text)
        except yaml.YAMLError as exc:
            invalid.append((example, f"not valid YAML: {exc}".replace("\n", " ")))
            continue
        if "not run" in example.marks:
            marked.append(example)
        elif "setup" in example.marks and setup_of(example) not in SETUPS:
            invalid.append((example, f"unknown setup {example.marks['setup']!r}; valid: {', '.join(sorted(SETUPS))}"))
        elif classify(data) == "data":
            invalid.append((example, "neither plays, tasks nor variables: mark it 'example: not run: REASON'"))
        else:
            runnable.append(example)

    for example in marked:
        print(f"marked   {example.where}: not run: {example.marks['not run']}")
    for example in runnable:
        if "offline" in example.marks:
            print(f"offline  {example.where}: must fail only for want of a network: {example.marks['offline']}")
    if args.list:
        for example in runnable:
            print(f"runnable {example.where} ({classify(yaml.safe_load(example.text))})")
        return 0

    prepare_sandbox()
    scratch = Path(args.scratch)
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_HOST_KEY_CHECKING="0", ANSIBLE_STDOUT_CALLBACK="default",
               ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_CALLBACK_FORMAT_PRETTY="0", ANSIBLE_TIMEOUT="10",
               ANSIBLE_PIPELINING="1", ANSIBLE_GATHER_SUBSET="min")
    outcomes: list[Outcome] = []
    with TcpListener(5223), concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        # Plays (roles) take longest: start them first; the batch of task lists and variables runs beside them.
        numbered = list(enumerate(runnable, 1))
        batch = [(n, e) for n, e in numbered if batchable(e)]
        alone = sorted((pair for pair in numbered if not batchable(pair[1])),
                       key=lambda pair: classify(yaml.safe_load(pair[1].text)) != "playbook")
        futures = [pool.submit(run_one, example, n, scratch, env) for n, example in alone]
        if batch:
            futures.append(pool.submit(run_batch, batch, scratch, env))
        for future in concurrent.futures.as_completed(futures):
            result = future.result()
            from_batch = isinstance(result, list)
            for outcome in result if from_batch else [result]:
                if from_batch and not outcome.ok:
                    # Failed in the batch: run it alone, for a verdict and a log of its own.
                    number = next(n for n, e in batch if e is outcome.example)
                    outcome = run_one(outcome.example, number, scratch, env)
                outcomes.append(outcome)
                state = "ok    " if outcome.ok else "FAILED"
                reason = f": {outcome.reason}" if outcome.reason else ""
                print(f"{state}   {outcome.example.where} ({outcome.seconds:.1f} s){reason}", flush=True)

    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        print(f"\n===== {outcome.example.where}: {outcome.reason}\n{outcome.log[-6000:]}")
    for example, reason in invalid:
        print(f"INVALID  {example.where}: {reason}")
    offline = sum(1 for o in outcomes if o.ok and "offline" in o.example.marks)
    print(f"\nexamples: {len(examples)} found, {len(outcomes) - len(failed)} run and passed ({offline} of them "
          f"offline, failing as expected without Apple's servers), {len(failed)} failed, {len(marked)} marked not run, "
          f"{len(invalid)} invalid ({time.monotonic() - started:.0f} s)")
    return 1 if failed or invalid else 0


if __name__ == "__main__":
    sys.exit(main())
