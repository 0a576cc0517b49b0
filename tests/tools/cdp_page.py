#!/usr/bin/python3
"""Opens a page in headless Chromium and waits, in real time, for a condition.

    cdp_page.py URL SHOT.png [--ready JS] [--timeout S] [--size WxH] [--then JS SHOT2.png ...]

Starts Debian's chromium with a DevTools port, navigates to URL over the
Chrome DevTools Protocol (python3-websocket), polls the JavaScript
expression JS (default: window.footprint && window.footprint.ready) until
it is true or S seconds (default 60) pass, then saves a screenshot and
prints one JSON object: {"ready": bool, "footprint": window.footprint's
numbers and flags, "errors": console errors and exceptions}.

Each --then JS SHOT2 runs after that, in order: JS is evaluated in the page
(a Promise is awaited: e.g. move a slider, wait for the map's next idle,
return what it shows), then SHOT2 is saved; the JSON gets "steps": the
values JS returned, in order.

Real time rather than --virtual-time-budget: MapLibre works in web workers
that fetch tiles over the network, which virtual time does not wait for.

With FP_CDP_BROWSER_DIR set (tests/e2e/lib.sh sets it to a folder of the
suite's), one Chromium serves every page of a suite: the first call starts
it there (its own session, the pid in DIR/pid; lib.sh kills it when the
suite ends) and each page gets a browser context of its own (as a fresh
incognito profile: no cache, cookies or storage shared with other pages),
closed after it. A Chromium start costs about 4.5 s of CPU on the test
machine's 2 cores, a new context a fraction of that: test_tiles_browser
went from 98.7 to 64.1 s of CPU and 69 to 47 s
alone (tests/tools/suite_cpu.sh).
"""
import fcntl
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket


def wait_for_page(proc, port_file, bound):
    """The DevTools page target of the Chromium in proc, waited for, up to
    bound seconds. Each step waits for the condition itself: Chromium creates
    DevToolsActivePort before it writes the port into it, and its HTTP
    endpoint may list no page target for a moment after that."""
    t0 = time.time()
    last = "DevToolsActivePort never appeared"
    while time.time() - t0 < bound:
        if proc.poll() is not None:
            sys.exit("cdp_page: chromium exited with status %d before its DevTools port was up" % proc.returncode)
        try:
            lines = open(port_file).read().split("\n")
        except OSError:
            lines = []
        if lines and lines[0].strip().isdigit():
            try:
                targets = json.load(urllib.request.urlopen("http://127.0.0.1:%s/json" % lines[0].strip(), timeout=5))
                pages = [t for t in targets if t.get("type") == "page" and t.get("webSocketDebuggerUrl")]
                if pages:
                    return pages[0]
                last = "no page target yet"
            except (OSError, ValueError) as e:
                last = "DevTools endpoint not answering: %s" % e
        elif lines:
            last = "DevToolsActivePort holds no port yet"
        time.sleep(0.1)
    sys.exit("cdp_page: chromium's DevTools not ready after %.0f s (%s)" % (bound, last))


CHROMIUM_ARGS = ["chromium", "--headless=new", "--no-sandbox", "--no-first-run", "--disable-extensions",
                 "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist",
                 "--hide-scrollbars", "--force-color-profile=srgb", "--remote-debugging-port=0"]


def shared_browser(folder):
    """The DevTools port and browser WebSocket URL of the suite's Chromium in
    folder, started there first if it is not running. Under a lock, as two
    pages of a suite may be opened at once."""
    os.makedirs(folder, exist_ok=True)
    profile = os.path.join(folder, "profile")
    port_file = os.path.join(profile, "DevToolsActivePort")
    with open(os.path.join(folder, "lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        alive = False
        try:
            os.kill(int(open(os.path.join(folder, "pid")).read()), 0)
            alive = True
        except (OSError, ValueError):
            pass
        if not alive:
            if os.path.exists(port_file):
                os.unlink(port_file)
            proc = subprocess.Popen(CHROMIUM_ARGS + ["--window-size=1000,700", "--user-data-dir=" + profile, "about:blank"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            with open(os.path.join(folder, "pid"), "w") as f:
                f.write(str(proc.pid))
            wait_for_page(proc, port_file, 60.0)
        lines = open(port_file).read().split("\n")
        return lines[0].strip(), "ws://127.0.0.1:%s%s" % (lines[0].strip(), lines[1].strip())


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    url, shot = argv[1], argv[2]
    ready = "window.footprint && window.footprint.ready === true"
    timeout, size = 60.0, "1000,700"
    steps = []
    i = 3
    while i < len(argv):
        if argv[i] == "--then":
            steps.append((argv[i + 1], argv[i + 2]))
            i += 3
            continue
        if argv[i] == "--ready":
            ready = argv[i + 1]
        elif argv[i] == "--timeout":
            timeout = float(argv[i + 1])
        elif argv[i] == "--size":
            size = argv[i + 1].replace("x", ",")
        i += 2
    shared = os.environ.get("FP_CDP_BROWSER_DIR")
    proc = profile = browser = None
    if shared:
        port, browser_url = shared_browser(shared)
        browser = websocket.create_connection(browser_url, timeout=timeout)
        bseq = [0]

        def bcall(method, **params):
            bseq[0] += 1
            browser.send(json.dumps({"id": bseq[0], "method": method, "params": params}))
            while True:
                msg = json.loads(browser.recv())
                if msg.get("id") == bseq[0]:
                    if "error" in msg:
                        sys.exit("cdp_page: %s: %s" % (method, msg["error"].get("message")))
                    return msg.get("result", {})
        width, height = (int(v) for v in size.split(","))
        context = bcall("Target.createBrowserContext")["browserContextId"]
        target = bcall("Target.createTarget", url="about:blank", browserContextId=context,
                       newWindow=True, width=width, height=height)["targetId"]
        page = {"webSocketDebuggerUrl": "ws://127.0.0.1:%s/devtools/page/%s" % (port, target)}
    else:
        profile = tempfile.mkdtemp(prefix="fp-chromium-")
        proc = subprocess.Popen(CHROMIUM_ARGS + ["--window-size=" + size, "--user-data-dir=" + profile, "about:blank"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not shared:
            page = wait_for_page(proc, os.path.join(profile, "DevToolsActivePort"), 60.0)
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=timeout)
        seq = [0]
        errors = []

        def call(method, **params):
            seq[0] += 1
            ws.send(json.dumps({"id": seq[0], "method": method, "params": params}))
            while True:
                msg = json.loads(ws.recv())
                if msg.get("method") == "Runtime.exceptionThrown":
                    errors.append(msg["params"]["exceptionDetails"].get("exception", {}).get("description", "exception"))
                elif msg.get("method") == "Runtime.consoleAPICalled" and msg["params"]["type"] == "error":
                    errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in msg["params"]["args"]))
                elif msg.get("method") == "Log.entryAdded" and msg["params"]["entry"]["level"] == "error":
                    errors.append(msg["params"]["entry"].get("text", "") + " " + msg["params"]["entry"].get("url", ""))
                if msg.get("id") == seq[0]:
                    return msg.get("result", {})

        # The viewport is --size exactly, in either mode (a window of that
        # size has less: headless Chromium keeps room for its frame).
        width, height = (int(v) for v in size.split(","))
        call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        call("Runtime.enable")
        call("Log.enable")
        call("Page.enable")
        call("Page.navigate", url=url)
        ok = False
        t0 = time.time()
        while time.time() - t0 < timeout:
            r = call("Runtime.evaluate", expression="!!(%s)" % ready, returnByValue=True)
            if r.get("result", {}).get("value") is True:
                ok = True
                break
            time.sleep(0.25)
        time.sleep(0.5)                       # let the last frame reach the screen
        fp = call("Runtime.evaluate", expression="JSON.stringify(window.footprint || {}, function (k, v) {"
                  " return typeof v === 'object' && v !== null && k !== '' && !(k === 'overlays') ? undefined : v; })",
                  returnByValue=True)
        shot_data = call("Page.captureScreenshot", format="png")
        with open(shot, "wb") as f:
            f.write(base64.b64decode(shot_data["data"]))
        results = []
        for js, step_shot in steps:
            r = call("Runtime.evaluate", expression=js, awaitPromise=True, returnByValue=True)
            if "exceptionDetails" in r:
                errors.append("--then: " + r["exceptionDetails"].get("exception", {}).get("description", "exception"))
            results.append(r.get("result", {}).get("value"))
            time.sleep(0.5)                   # the last frame on the screen, as above
            shot_data = call("Page.captureScreenshot", format="png")
            with open(step_shot, "wb") as f:
                f.write(base64.b64decode(shot_data["data"]))
        ws.close()
        out = {"ready": ok, "footprint": json.loads(fp.get("result", {}).get("value") or "{}"), "errors": errors}
        if steps:
            out["steps"] = results
        print(json.dumps(out))
    finally:
        if shared:
            bcall("Target.closeTarget", targetId=target)
            bcall("Target.disposeBrowserContext", browserContextId=context)
            browser.close()
        else:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv)
