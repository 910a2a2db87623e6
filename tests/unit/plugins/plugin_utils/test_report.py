# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reports: input shapes, fleet merge, ordering, escaping, JUnit validated against the JUnit schema CI reads."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netallow.apple.plugins.filter.report import FilterModule
from ansible_collections.netallow.apple.plugins.plugin_utils import _report

XSD = os.path.join(os.path.dirname(__file__), *[".."] * 3, "integration", "targets", "reachability", "files",
                   "junit-10.xsd")


def result(status="ok", host="albert.apple.com", port=443, **over):
    item = {"host": host, "probe": host, "port": port, "protocol": "tcp", "id": f"devicesetup.{host}",
            "required": True, "status": status, "stage": "tls", "addresses": ["17.32.194.3"],
            "address_owner": "apple", "address": "17.32.194.3", "proxy": None, "issuer": None, "elapsed_ms": 12,
            "detail": f"{status} detail"}
    item.update(over)
    return item


def module_result(*results):
    return {"changed": False, "results": list(results), "summary": {"total": len(results)}}


class _Xmllint:
    """Validates with libxml2's xmllint where the xmlschema library is not installed (the 2.19 test venv)."""

    def validate(self, document: str):
        with tempfile.NamedTemporaryFile("w", suffix=".xml", prefix="nareach-", encoding="utf-8") as handle:
            handle.write(document)
            handle.flush()
            completed = subprocess.run(["xmllint", "--noout", "--schema", XSD, handle.name], capture_output=True,
                                       text=True, timeout=60, check=False)
        assert completed.returncode == 0, completed.stderr


@pytest.fixture(scope="module")
def schema():
    try:
        import xmlschema
    except ImportError:
        if not shutil.which("xmllint"):
            pytest.skip("neither the xmlschema library nor xmllint is available")
        return _Xmllint()
    return xmlschema.XMLSchema(XSD)


def fleet(count=300):
    """Like hostvars after a fleet run: every third host is behind an intercepting proxy, one skipped the task."""
    runs = {}
    for index in range(1, count + 1):
        name = f"h{index:03d}"
        push = result("intercepted", "*.push.apple.com", 5223, probe="1-courier.push.apple.com",
                      issuer="CN=Corp Inspection CA, O=Corp") if index % 3 == 0 else \
            result("ok", "*.push.apple.com", 5223, probe="1-courier.push.apple.com")
        runs[name] = module_result(result("ok"), push, result("skipped", "17.0.0.0/8", "1-65535"))
    runs["h999"] = {"skipped": True, "changed": False}
    return runs


def test_normalize_shapes():
    one = module_result(result())
    assert _report.normalize_runs(one, host="ctl") == [("ctl", one["results"])]
    assert _report.normalize_runs(one["results"]) == [("localhost", one["results"])]
    by_host = _report.normalize_runs({"b": one, "a": one["results"]})
    assert [name for name, _results in by_host] == ["a", "b"]
    per_host_items = [{"inventory_hostname": "z", "results": [result()]}, {"hostname": "y", "results": []}]
    items = _report.normalize_runs(per_host_items)
    assert [name for name, _results in items] == ["y", "z"]


@pytest.mark.parametrize(
    "data, message",
    [
        ("text", "got str"),
        ({"h1": {"msg": "boom"}}, "h1: a module result needs a 'results' list (keys found: msg)"),
        ({"h1": {"results": [{"host": "x"}]}}, "h1.results[0]: missing keys port, protocol, status"),
        ({"h1": {"results": ["x"]}}, "h1.results[0]: expected a result dict, got str"),
        ([{"results": []}], "needs 'inventory_hostname'"),
    ],
)
def test_bad_input_names_the_problem(data, message):
    with pytest.raises(_report.ReportError) as caught:
        _report.normalize_runs(data)
    assert message in str(caught.value)


def test_filters_wrap_errors_with_fqcn():
    filters = FilterModule().filters()
    assert set(filters) == {"to_junit", "to_markdown", "to_html", "reachability_summary"}
    with pytest.raises(AnsibleFilterError, match=r"^netallow\.apple\.to_html: expected reachability results"):
        filters["to_html"](42)
    with pytest.raises(AnsibleFilterError, match="must be strings"):
        filters["to_junit"]([], title=5)


def test_summary_across_a_fleet():
    summary = _report.summarize_runs(_report.normalize_runs(fleet()))
    totals = summary["totals"]
    assert totals["hosts"] == 301
    assert totals["results"] == 900
    assert totals["by_status"] == {"ok": 500, "intercepted": 100, "skipped": 300}
    assert totals["hosts_with_failures"] == 100 and totals["hosts_all_ok"] == 200
    first = summary["targets"][0]  # least reached first
    assert first["target"] == "*.push.apple.com (1-courier.push.apple.com) tcp/5223"
    assert (first["hosts"], first["hosts_ok"], first["by_status"]) == (300, 200, {"ok": 200, "intercepted": 100})
    assert first["failing_hosts"][:3] == ["h003", "h006", "h009"]
    albert = next(t for t in summary["targets"] if t["host"] == "albert.apple.com")
    assert (albert["hosts"], albert["hosts_ok"]) == (300, 300)


def test_junit_validates_and_counts(schema):
    xml = _report.to_junit(fleet(30))
    schema.validate(xml)
    root = ET.fromstring(xml)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("90", "10")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites][:3] == ["h001", "h002", "h003"]
    h003 = suites[2]
    assert (h003.get("tests"), h003.get("failures"), h003.get("skipped")) == ("3", "1", "1")
    cases = h003.findall("testcase")
    # failures first, then skipped, then ok
    assert cases[0].find("failure").get("type") == "intercepted"
    assert "Corp Inspection CA" in cases[0].find("failure").text
    assert cases[1].find("skipped") is not None
    assert cases[2].find("system-out") is not None


def test_junit_escapes_hostile_text(schema):
    nasty = result("refused", host='x"><script>alert(1)</script>', detail="a & b < c ]]> \x1b")
    xml = _report.to_junit(module_result(nasty), title="t & <t>")
    schema.validate(xml)
    root = ET.fromstring(xml)
    assert root.get("name") == "t & <t>"
    assert root.find("testsuite/testcase").get("name").startswith('x"><script>')


def test_junit_of_empty_input_validates(schema):
    schema.validate(_report.to_junit({}))
    schema.validate(_report.to_junit({"h1": {"skipped": True}}))


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.scripts, self.external, self.text = [], 0, 0, []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.scripts += tag == "script"
        self.external += any(name in ("src", "href") and not str(value).startswith("#") for name, value in attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_self_contained_and_orders_failures_first():
    page = _report.to_html(fleet(6), title="Fleet <check>")
    parser = _Collector()
    parser.feed(page)
    assert parser.scripts == 1  # the inline filter script
    assert parser.external == 0
    assert "Fleet <check>" in "".join(parser.text)
    assert "<title>Fleet &lt;check&gt;</title>" in page
    assert "http" not in page.replace("http-equiv", "")  # no external resources
    # hosts with failures come first, then the rest in name order
    order = [line.split('id="host-')[1].split('"')[0] for line in page.splitlines() if 'id="host-' in line]
    assert order == ["h003", "h006", "h001", "h002", "h004", "h005", "h999"]
    assert _report.STATUS_COLOURS["intercepted"][0] in page


def test_html_escapes_hostile_text():
    page = _report.to_html(module_result(result("refused", detail="<img src=x onerror=alert(1)>")))
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_markdown_summary_tables():
    text = _report.to_markdown(fleet(12), title="Fleet")
    assert text.startswith("# Fleet\n")
    assert "13 host(s), 36 checks: **20 ok**, **4 failed**, 12 skipped." in text
    assert "| *.push.apple.com (1-courier.push.apple.com) tcp/5223 | yes | 8/12 | intercepted 4, ok 8 | " \
           "h003, h006, h009, h012 |" in text
    assert "### h003" in text and "### h001" not in text
    assert "issuer: CN=Corp Inspection CA, O=Corp" in text


def test_markdown_escapes_pipes_and_reports_no_failures():
    text = _report.to_markdown(module_result(result(detail="a|b")))
    assert "No failures." in text
    text = _report.to_markdown(module_result(result("timeout", detail="a|b\nc")))
    assert "a\\|b c" in text


def test_markdown_truncates_long_failing_host_lists():
    text = _report.to_markdown(fleet(60))
    assert "(+10)" in text


# ------------------------------------------------------------------------------------------------ Apple services

INDEX = {
    "devicemanagement.mdmenrollment.apple.com": ("devicemanagement", "mdm_enrollment", "Device management"),
    "devicemanagement.push.apple.com-wildcard": ("devicemanagement", "apns", "Device management"),
    "devicesetup.albert.apple.com": ("devicesetup", "activation", "Device setup"),
    "diagnostics.diags.apple.com": ("diagnostics", "diagnostics", "Apple Diagnostics"),
}


@pytest.mark.parametrize(
    "over, sentence",
    [
        ({"status": "intercepted", "host": "mdmenrollment.apple.com", "issuer": "CN=InspectCorp Root CA, O=Corp"},
         'TLS to mdmenrollment.apple.com intercepted by "InspectCorp Root CA"'),
        ({"status": "intercepted", "issuer": "Corp Filter"}, 'TLS to albert.apple.com intercepted by "Corp Filter"'),
        ({"status": "dns_failed", "stage": "dns"}, "albert.apple.com does not resolve"),
        ({"status": "proxy_denied", "stage": "proxy", "proxy": "http://bob:s3cret@proxy.corp:3128"},
         "proxy proxy.corp:3128 refuses CONNECT to albert.apple.com:443"),
        ({"status": "refused", "stage": "tcp"}, "TCP 443 to albert.apple.com refused"),
        ({"status": "timeout", "stage": "tcp", "protocol": "udp", "port": 123},
         "no answer from albert.apple.com on UDP 123 at the tcp stage"),
        ({"status": "service_failed", "stage": "service", "port": 80},
         "albert.apple.com answers on TCP 80, but not as Apple's service"),
        ({"status": "ok"}, ""),
    ],
)
def test_cause_is_one_sentence_without_secrets(over, sentence):
    item = result(**over)
    assert _report.cause(item) == sentence
    assert "s3cret" not in _report.cause(item)


def test_services_lead_the_report_with_what_breaks():
    runs = {"mac1": module_result(
        result("intercepted", "mdmenrollment.apple.com", id="devicemanagement.mdmenrollment.apple.com",
               issuer="CN=InspectCorp Root CA"),
        result("ok", "*.push.apple.com", 5223, probe="1-courier.push.apple.com",
               id="devicemanagement.push.apple.com-wildcard"),
        result("ok", id="devicesetup.albert.apple.com"),
        result("timeout", "diags.apple.com", id="diagnostics.diags.apple.com", required=False, stage="tcp"),
    )}
    text = _report.to_markdown(runs, catalog_index=INDEX)
    lead = text.split("## Apple services", 1)[1].split("##", 1)[0]
    assert '- **Device enrollment and MDM: blocked: TLS to mdmenrollment.apple.com intercepted by ' \
           '"InspectCorp Root CA"**' in lead
    assert "- Push notifications (APNs): works" in lead
    assert "- Activation and device setup: works" in lead
    assert "- **Apple Diagnostics: degraded: no answer from diags.apple.com on TCP 443 at the tcp stage**" in lead
    assert text.index("## Apple services") < text.index("## Targets across hosts") < text.index("## Failures")
    page = _report.to_html(runs, catalog_index=INDEX)
    assert page.index('id="services"') < page.index('id="per-host"') < page.index('id="details"')
    assert "Device enrollment and MDM: blocked: TLS to mdmenrollment.apple.com intercepted by " \
           "&quot;InspectCorp Root CA&quot;" in page


def test_explicit_targets_group_by_their_ids():
    assert _report.service_group(result(id="push"))[1] == "Push notifications (APNs)"
    assert _report.service_group(result(id="activation"))[1] == "Activation and device setup"
    assert _report.service_group(result(id="icloud.extra"))[1] == "iCloud"
    assert _report.service_group(result(id="mystery"))[1] == "Other targets"
    assert _report.service_group(result(id="diagnostics.diags.apple.com"), INDEX)[1] == "Apple Diagnostics"


def test_fleet_view_groups_hosts_that_fail_the_same_way():
    index = {"devicesetup.*.push.apple.com": ("devicemanagement", "apns", "Device management")}
    view = _report.service_view(_report.normalize_runs(fleet(12)), index)
    groups = view["groups"]
    assert [len(g["hosts"]) for g in groups] == [4, 8, 1]
    assert groups[0]["hosts"] == ["h003", "h006", "h009", "h012"]
    assert groups[0]["sentences"] == ['Push notifications (APNs): blocked: TLS to 1-courier.push.apple.com '
                                      'intercepted by "Corp Inspection CA"']
    assert groups[1]["sentences"] == [] and groups[2]["hosts"] == ["h999"]
    push = next(s for s in view["services"] if s["key"] == "push")
    assert (push["works"], push["blocked"]) == (8, 4)
    text = _report.to_markdown(fleet(12), catalog_index=index)
    assert "Push notifications (APNs): blocked on 4 of 13 hosts: TLS to 1-courier.push.apple.com intercepted " \
           'by "Corp Inspection CA" (4 hosts)' in text
    assert "| 4 | Push notifications (APNs): blocked: TLS to" in text


def test_html_of_a_large_fleet_keeps_only_failures_in_the_details():
    page = _report.to_html(fleet(120))
    assert page.count('<section class="host"') == 40
    assert page.count('<tr data-host="') == 121
    assert "only hosts with failures and their failed checks are listed" in page


# ------------------------------------------------------------------ hosts without results, and what each host runs


def read_back(path, version, digest, in_sync, added=(), removed=(), found=True):
    """One item of netallow.apple.deployed's files list."""
    return {"path": path, "exists": found, "found": found, "catalog_version": version if found else None,
            "digest": digest if found else None, "current_version": "2026.3.1",
            "current_digest": "sha256:1111111111111111", "in_sync": in_sync if found else None,
            "added": list(added), "removed": list(removed), "names_found": found}


DEPLOYED = {
    "gw-old": {
        "changed": False, "in_sync": False,
        "files": [read_back("/etc/squid/netallow-apple.conf", "2026.3.0", "sha256:0000000000000000", False,
                            added=["gdmf.apple.com"], removed=["albert.apple.com"])],
        "tables": [{"table": "inet netallow_apple", "exists": True, "found": True, "catalog_version": "2026.3.0",
                    "digest": "sha256:0000000000000000", "current_version": "2026.3.1",
                    "current_digest": "sha256:1111111111111111", "in_sync": False, "added": [], "removed": [],
                    "names_found": False}]},
    "gw-new": {"changed": False, "in_sync": True, "files": [
        read_back("/etc/squid/netallow-apple.conf", "2026.3.1", "sha256:1111111111111111", True)]},
    "gw-none": {"changed": False, "in_sync": False, "files": [
        read_back("/etc/squid/netallow-apple.conf", None, None, None, found=False)]},
    "gw-unread": None,
}


def test_host_drift_states_and_names():
    drift = _report.collect_drift(DEPLOYED)
    assert sorted(drift) == ["gw-new", "gw-none", "gw-old"]
    old = drift["gw-old"]
    assert (old["state"], old["versions"], old["digests"]) == ("out of date", ["2026.3.0"], ["sha256:0000000000000000"])
    assert (old["current_version"], old["current_digest"]) == ("2026.3.1", "sha256:1111111111111111")
    assert (old["added"], old["removed"]) == (["gdmf.apple.com"], ["albert.apple.com"])
    assert old["where"] == ["/etc/squid/netallow-apple.conf", "inet netallow_apple"]
    assert drift["gw-new"]["state"] == "in sync"
    assert drift["gw-none"]["state"] == "nothing deployed"
    assert _report.drift_counts(drift) == "What each host runs: 1 out of date, 1 nothing deployed, 1 in sync."
    assert _report.drift_sentence(old) == (
        "out of date: runs catalog 2026.3.0 selection sha256:0000000000000000, current catalog 2026.3.1 selection "
        "sha256:1111111111111111; added since: gdmf.apple.com; removed since: albert.apple.com")
    uncompared = dict(DEPLOYED["gw-new"]["files"][0], in_sync=None, current_version=None, current_digest=None)
    assert _report.host_drift({"files": [uncompared]})["state"] == "not compared"
    # One module result stands for the host named by ``host``.
    assert list(_report.collect_drift(DEPLOYED["gw-old"], host="gw1")) == ["gw1"]


def test_bad_deployed_input_is_named():
    with pytest.raises(_report.ReportError, match=r"deployed\[gw\]: a result of netallow.apple.deployed has 'files' "
                                                  r"\(keys found: rc\)"):
        _report.collect_drift({"gw": {"rc": 1}})
    with pytest.raises(_report.ReportError, match="deployed='dep' names a host variable"):
        _report.collect_drift("dep", {}, result=None)
    with pytest.raises(_report.ReportError, match="got int"):
        _report.collect_drift(3)


def _fleet_with_drift():
    return {"gw-old": module_result(result("ok")), "gw-new": module_result(result("ok")),
            "gw-none": module_result(result("ok")), "gw-unread": module_result(result("ok"))}


def test_markdown_shows_what_each_host_runs():
    text = _report.to_markdown(_fleet_with_drift(), deployed=DEPLOYED)
    assert "What each host runs: 1 out of date, 1 nothing deployed, 1 in sync." in text
    section = text.split("## What each host runs")[1].split("## Checks by status")[0]
    rows = [line for line in section.splitlines() if line.startswith("| gw")]
    assert rows == [
        "| gw-old | **out of date** | 2026.3.0 / sha256:0000000000000000 | 2026.3.1 / sha256:1111111111111111 | "
        "gdmf.apple.com | albert.apple.com |",
        "| gw-none | nothing deployed | - | 2026.3.1 / sha256:1111111111111111 | - | - |",
        "| gw-new | in sync | 2026.3.1 / sha256:1111111111111111 | 2026.3.1 / sha256:1111111111111111 | - | - |",
    ]
    assert "## What each host runs" not in _report.to_markdown(_fleet_with_drift())


def test_html_shows_what_each_host_runs():
    page = _report.to_html(_fleet_with_drift(), deployed=DEPLOYED)
    section = page.split('<h2 id="deployed">')[1].split("</table>")[0]
    assert section.index('data-host="gw-old"') < section.index('data-host="gw-none"') < \
        section.index('data-host="gw-new"')
    assert '<tr data-host="gw-old" data-drift="out of date">' in section
    assert "<td>gdmf.apple.com</td><td>albert.apple.com</td></tr>" in section
    parser = HTMLParser()
    parser.feed(page)
    parser.close()


def test_junit_fails_the_out_of_date_host(schema):
    document = _report.to_junit(_fleet_with_drift(), deployed=DEPLOYED)
    schema.validate(document)
    root = ET.fromstring(document)
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    old = suites["gw-old"].find("testcase[@name='deployed allow-list']")
    assert old.find("failure").get("type") == "out_of_date"
    assert "added since: gdmf.apple.com; removed since: albert.apple.com" in old.find("failure").text
    assert suites["gw-none"].find("testcase[@name='deployed allow-list']/skipped") is not None
    assert suites["gw-new"].find("testcase[@name='deployed allow-list']/system-out") is not None
    assert suites["gw-unread"].find("testcase[@name='deployed allow-list']") is None
    assert (root.get("tests"), root.get("failures")) == ("7", "1")


def test_hosts_without_results_are_skipped_and_counted():
    data = {"a": module_result(result("ok")), "b": None, "c": None}
    runs, without = _report.collect_runs(data)
    assert [name for name, _results in runs] == ["a"] and without == ["b", "c"]
    assert "_2 hosts without results: b, c_ (they did not run the check)." in _report.to_markdown(data)
    assert '<p class="lead" id="without-results">2 hosts without results: b, c' in _report.to_html(data)
    assert "<!-- 2 hosts without results: b, c -->" in _report.to_junit(data)
    assert _report.without_sentence([f"h{i}" for i in range(25)]).endswith("h19 (+5 more)")


def test_hostvars_shape_with_the_result_variable():
    """``hostvars | to_html(result='reach')``, ``groups['all'] | map('extract', hostvars)``: host variables."""
    hostvars = {"mac1": {"inventory_hostname": "mac1", "reach": module_result(result("ok")), "dep": DEPLOYED["gw-old"]},
                "printer": {"inventory_hostname": "printer"},
                "mac2": {"inventory_hostname": "mac2", "reach": module_result(result("timeout"))}}
    runs, without = _report.collect_runs(hostvars, result="reach")
    assert [name for name, _results in runs] == ["mac1", "mac2"] and without == ["printer"]
    assert _report.collect_runs(list(hostvars.values()), result="reach") == (runs, without)
    drift = _report.collect_drift("dep", hostvars, result="reach")
    assert list(drift) == ["mac1"] and drift["mac1"]["state"] == "out of date"
    with pytest.raises(_report.ReportError, match=r"\[0\]: with result='reach', each item is one host's variables"):
        _report.collect_runs([{"reach": {}}], result="reach")
    with pytest.raises(_report.ReportError, match=r"mac1.reach: a module result needs a 'results' list"):
        _report.collect_runs({"mac1": {"inventory_hostname": "mac1", "reach": {"rc": 0}}}, result="reach")


def test_filters_take_result_and_deployed():
    filters = FilterModule().filters()
    hostvars = {"mac1": {"reach": module_result(result("ok"))}, "idle": {}}
    assert filters["reachability_summary"](hostvars, result="reach")["totals"]["hosts_without_results"] == ["idle"]
    assert "1 host without results: idle" in filters["to_markdown"](hostvars, result="reach")
    with pytest.raises(AnsibleFilterError, match="'result' must be the name of the variable"):
        filters["to_html"](hostvars, result=["reach"])
    with pytest.raises(AnsibleFilterError, match=r"netallow.apple.to_junit: deployed\[gw\]"):
        filters["to_junit"](hostvars, result="reach", deployed={"gw": {"rc": 1}})
