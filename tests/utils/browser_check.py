# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Open a local HTML file in headless Chromium, act on it like a reader, and report what the page did.

Drives Chromium over the DevTools protocol (one websocket, loopback only): loads the page, records every console
error and uncaught exception, runs the steps given as JSON, takes a screenshot, and prints one JSON document:

    {"load_ms": ..., "console_errors": [...], "steps": [{"step": ..., "value": ...}, ...]}

Steps (a JSON list): {"type": "#css", "text": "push"} focuses an input and types into it as keystrokes would;
{"select": "#css", "value": "icloud"} picks an option and fires the change event; {"click": "#css"};
{"eval": "JS expression", "name": "label"} records the expression's value. Exit status 0 unless the browser could
not be driven; the caller asserts on the JSON.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
]


class Page:
    """One tab, driven over its DevTools websocket; collects console errors as events arrive."""

    def __init__(self, ws_url: str, timeout: float):
        self.ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        self.next_id = 0
        self.errors: list[str] = []
        self.events: list[dict] = []

    def _note(self, message: dict) -> None:
        method = message.get("method")
        params = message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text")
            self.errors.append(f"exception: {text}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append("console: " + " ".join(str(a.get("value", a.get("description")))
                                                      for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            self.errors.append(f"log: {entry.get('text')} {entry.get('url') or ''}".strip())
        elif method:
            self.events.append(message)

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._note(message)

    def wait_for(self, method: str, deadline: float) -> None:
        while time.monotonic() < deadline:
            for index, event in enumerate(self.events):
                if event["method"] == method:
                    del self.events[index]
                    return
            self._note(json.loads(self.ws.recv()))
        raise TimeoutError(f"no {method} event in time")

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r}: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")

    def settle(self) -> None:
        # Two animation frames: the page's input handlers have run and the layout is current.
        self.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")


def _devtools_port(profile: pathlib.Path, process: subprocess.Popen, deadline: float) -> int:
    marker = profile / "DevToolsActivePort"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chromium exited with {process.returncode}")
        if marker.exists():
            lines = marker.read_text().splitlines()
            if lines and lines[0].isdigit():
                return int(lines[0])
        time.sleep(0.1)
    raise TimeoutError("chromium did not open its DevTools port in time")


def run(page_path: str, steps: list, screenshot: str | None, chromium: str, timeout: float,
        width: int, height: int) -> dict:
    profile = pathlib.Path(tempfile.mkdtemp(prefix="nachromium-"))
    process = subprocess.Popen([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                                f"--window-size={width},{height}", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        port = _devtools_port(profile, process, deadline)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=timeout) as response:
            targets = json.load(response)
        ws_url = next(t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page")
        page = Page(ws_url, timeout)
        for domain in ("Page", "Runtime", "Log"):
            page.call(f"{domain}.enable")
        url = pathlib.Path(page_path).resolve().as_uri()
        start = time.monotonic()
        page.call("Page.navigate", url=url)
        page.wait_for("Page.loadEventFired", deadline)
        page.settle()
        load_ms = round((time.monotonic() - start) * 1000)
        results = []
        for step in steps:
            started = time.monotonic()
            if "type" in step:
                # Clear the field as a reader would (select all, delete), then type: both fire input events.
                selector = json.dumps(step["type"])
                page.evaluate(f"(e => {{ e.focus(); e.select(); }})(document.querySelector({selector}))")
                page.call("Input.dispatchKeyEvent", type="keyDown", key="Delete", code="Delete",
                          windowsVirtualKeyCode=46)
                page.call("Input.dispatchKeyEvent", type="keyUp", key="Delete", code="Delete",
                          windowsVirtualKeyCode=46)
                page.call("Input.insertText", text=step["text"])
                value = step["text"]
                name = f"type {step['type']}"
            elif "select" in step:
                page.evaluate(
                    f"(e => {{ e.value = {json.dumps(step['value'])}; e.dispatchEvent(new Event('change', "
                    f"{{bubbles: true}})); }})(document.querySelector({json.dumps(step['select'])}))")
                value = step["value"]
                name = f"select {step['select']}"
            elif "click" in step:
                page.evaluate(f"document.querySelector({json.dumps(step['click'])}).click()")
                value = None
                name = f"click {step['click']}"
            else:
                page.settle()
                started = time.monotonic()
                value = page.evaluate(step["eval"])
                name = step.get("name", step["eval"])
                results.append({"step": name, "value": value, "ms": round((time.monotonic() - started) * 1000)})
                continue
            page.settle()
            results.append({"step": name, "value": value, "ms": round((time.monotonic() - started) * 1000)})
        if screenshot:
            page.evaluate("document.activeElement && document.activeElement.blur(), window.scrollTo(0, 0), true")
            page.settle()
            shot = page.call("Page.captureScreenshot", format="png")
            pathlib.Path(screenshot).write_bytes(base64.b64decode(shot["data"]))
        page.settle()
        page.ws.close()
        return {"url": url, "load_ms": load_ms, "console_errors": page.errors, "steps": results}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(profile, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help="the HTML file to open")
    parser.add_argument("--steps", default="[]", help="JSON list of steps, or @file")
    parser.add_argument("--screenshot", help="write a PNG of the page after the steps")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", shutil.which("chromium") or "chromium"))
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--window", default="1280,1000", help="width,height")
    args = parser.parse_args(argv)
    steps_text = pathlib.Path(args.steps[1:]).read_text() if args.steps.startswith("@") else args.steps
    width, height = (int(n) for n in args.window.split(","))
    report = run(args.page, json.loads(steps_text), args.screenshot, args.chromium, args.timeout, width, height)
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
