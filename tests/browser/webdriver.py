"""What the browser tests share: a W3C WebDriver client, a test's checks, and its main().

    from webdriver import BrowserTest, run

A test subclasses BrowserTest, lists its steps in `steps()`, and ends with
`sys.exit(run(TheTest, __doc__))`, which takes APP_URL and CHROMEDRIVER_URL from the command
line (tests/browser/run.sh starts both), opens a session of headless Chromium, runs the steps
in order, and prints a line per step that passes; on the first failure, what failed, where
the browser is and the start of its page, and the exit status is 1.

Python's standard library only: the WebDriver protocol (W3C) is JSON over HTTP.
"""

import json
import sys
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

# The key under which W3C WebDriver returns an element reference.
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"

# How long to wait for a page, an element or an alert to show up.
WAIT_SECONDS = 10


class WebDriverError(Exception):
    """An error chromedriver answered with: its W3C error code and message."""

    def __init__(self, method, path, code, message):
        super().__init__(f"{method} {path}: {code}: {message}")
        self.code = code


class StepFailed(Exception):
    """What the page shows is not what the step expects."""


class Browser:
    """One WebDriver session: the few commands these tests need."""

    def __init__(self, driver_url):
        self.driver_url = driver_url.rstrip("/")
        self.session = None
        self.log_path = None
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--window-size=1280,900",
                ],
            },
            "goog:loggingPrefs": {"browser": "ALL"},
            # An alert the test did not expect fails the next command instead of being
            # dismissed behind its back.
            "unhandledPromptBehavior": "ignore",
            "timeouts": {"pageLoad": WAIT_SECONDS * 1000, "script": 5000, "implicit": 0},
        }
        value = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self.session = value["sessionId"]
        version = value.get("capabilities", {}).get("browserVersion", "?")
        print(f"ok   session {self.session[:8]}: {value['capabilities']['browserName']} {version}")

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.driver_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            try:
                value = json.loads(text)["value"]
                code, message = value.get("error", "?"), value.get("message", "")
            except (ValueError, KeyError, TypeError, AttributeError):
                code, message = f"HTTP {error.code}", text[:500]
            # chromedriver appends its own stack trace; the first line says what happened.
            raise WebDriverError(method, path, code, message.split("\n")[0]) from None
        return answer.get("value")

    def _session_call(self, method, path, body=None):
        return self._call(method, f"/session/{self.session}{path}", body)

    def quit(self):
        if self.session is not None:
            try:
                self._session_call("DELETE", "")
            except (WebDriverError, OSError) as error:
                print(f"note: could not end the session: {error}", file=sys.stderr)
            self.session = None

    # Navigation and the page.

    def get(self, url):
        self._session_call("POST", "/url", {"url": url})

    def current_url(self):
        return self._session_call("GET", "/url")

    def title(self):
        return self._session_call("GET", "/title")

    def script(self, source, *args):
        return self._session_call("POST", "/execute/sync", {"script": source, "args": list(args)})

    # Windows: every command above and below acts in the current one.

    def window(self):
        """The current window's handle."""
        return self._session_call("GET", "/window")

    def windows(self):
        """The handles of every window the session has open."""
        return self._session_call("GET", "/window/handles")

    def new_window(self):
        """Opens a window (a window, not a tab: the page in it is not hidden behind another)
        and returns its handle; the current window stays the current one."""
        return self._session_call("POST", "/window/new", {"type": "window"})["handle"]

    def switch_to_window(self, handle):
        self._session_call("POST", "/window", {"handle": handle})

    def close_window(self):
        """Closes the current window; another must be switched to before the next command."""
        return self._session_call("DELETE", "/window")

    # Elements.

    def find_all(self, css):
        found = self._session_call("POST", "/elements", {"using": "css selector", "value": css})
        return [element[ELEMENT] for element in found]

    def find(self, css):
        """The first element `css` selects; waits a little for it, then fails the step."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            found = self.find_all(css)
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise StepFailed(f"nothing on the page matches {css!r}")
            time.sleep(0.1)

    def text(self, element):
        return self._session_call("GET", f"/element/{element}/text")

    def property(self, element, name):
        return self._session_call("GET", f"/element/{element}/property/{name}")

    def click(self, element):
        self._session_call("POST", f"/element/{element}/click", {})

    def clear(self, element):
        self._session_call("POST", f"/element/{element}/clear", {})

    def send_keys(self, element, text):
        self._session_call("POST", f"/element/{element}/value", {"text": text})

    # Alerts, for confirm().

    def alert_text(self):
        """The text of the alert the page opened, waiting a little for it to open."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                return self._session_call("GET", "/alert/text")
            except WebDriverError as error:
                if error.code != "no such alert" or time.monotonic() > deadline:
                    raise
            time.sleep(0.1)

    def accept_alert(self):
        self._session_call("POST", "/alert/accept", {})

    def dismiss_alert(self):
        self._session_call("POST", "/alert/dismiss", {})

    # The console.

    def console(self):
        """The browser's console entries since the last call, of every window of the session.
        chromedriver serves the log at /se/log (its W3C-mode path) and, older ones, at /log:
        whichever this one answers."""
        paths = [self.log_path] if self.log_path else ["/se/log", "/log"]
        for path in paths:
            try:
                entries = self._session_call("POST", path, {"type": "browser"})
            except WebDriverError as error:
                if error.code in ("unknown command", "unknown method") and path != paths[-1]:
                    continue
                raise
            self.log_path = path
            return entries or []
        return []

    # Waiting for the next page.

    def mark_page(self):
        """Marks the current document, so that the next one can be told from it."""
        self.script("window.__browserTestOldPage = true;")

    def wait_for_new_page(self):
        """Waits until the marked document is gone and the next one has loaded. While one
        document replaces another, chromedriver may answer with errors (a node that no longer
        belongs to the document, a context destroyed): those are retried, not failed."""
        deadline = time.monotonic() + WAIT_SECONDS
        last_error = None
        while True:
            try:
                if self.script("return !window.__browserTestOldPage"
                               " && document.readyState === 'complete';"):
                    return
            except WebDriverError as error:
                if error.code == "unexpected alert open":
                    raise
                last_error = error
            if time.monotonic() > deadline:
                raise StepFailed("clicking did not load another page"
                                 + (f" (the last answer: {last_error})" if last_error else ""))
            time.sleep(0.1)

    def excerpt(self):
        """Where the current window is and the start of what it shows, for a failure's
        report."""
        lines = []
        try:
            lines.append(f"     at {self.current_url()}")
            text = self.script("return document.body ? document.body.innerText : ''") or ""
            text = " | ".join(line.strip() for line in text.splitlines() if line.strip())
            lines.append(f"     page: {text[:600]}")
        except (WebDriverError, OSError) as error:
            lines.append(f"     (could not read the page: {error})")
        return "\n".join(lines)

    def console_excerpt(self):
        """The console's entries not yet checked, for a failure's report."""
        try:
            return "\n".join(f"     console {entry.get('level')}: {entry.get('message')}"
                             for entry in self.console())
        except (WebDriverError, OSError) as error:
            return f"     (could not read the console: {error})"


class BrowserTest:
    """A test's steps and the checks they share. A subclass names its steps, in order, in
    `steps()`: methods whose names, less `step_`, say what they check."""

    def __init__(self, browser, app_url):
        self.browser = browser
        self.app_url = app_url.rstrip("/")
        self.step = "starting"
        self.favicon_noted = False

    def steps(self):
        raise NotImplementedError

    def run(self):
        for step in self.steps():
            self.step = step.__name__.removeprefix("step_").replace("_", " ")
            step()
        # An error the last page logged late, after its own check.
        self.step = "console at the end"
        time.sleep(0.2)
        self.check_console()

    def report(self):
        """What a failure shows besides its message: where the browser is, what its page
        says, and the console."""
        return "\n".join(part for part in (self.browser.excerpt(), self.browser.console_excerpt())
                         if part)

    # What every check uses.

    def url(self, path):
        return self.app_url + path

    def path(self):
        parsed = urllib.parse.urlsplit(self.browser.current_url())
        return parsed.path + (f"?{parsed.query}" if parsed.query else "")

    def expect(self, condition, message):
        if not condition:
            raise StepFailed(message)

    def expect_path(self, path):
        actual = self.path()
        self.expect(actual == path, f"expected to be at {path}, but the browser is at {actual}")

    def wait_until(self, read, ready, describe):
        """Reads `read()` until `ready` holds of what it read, and returns that; fails after a
        while with `describe(the last reading)`. `ready` may also raise StepFailed at once,
        for a reading that can no longer become ready."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            value = read()
            if ready(value):
                return value
            if time.monotonic() > deadline:
                raise StepFailed(f"{describe(value)} after {WAIT_SECONDS}s")
            time.sleep(0.05)

    def page_text(self):
        return self.browser.text(self.browser.find("body"))

    def check_console(self, *expected):
        """Fails on any entry of level SEVERE in the browser's console since the last check,
        but those a step expects: each text of `expected` (say "status of 400", for an answer
        the step asked for) must be in one at least, and the entries holding one are not
        counted. The console may report an answer a little after the page has it: an entry
        expected is waited for a while."""
        def says(entry, texts):
            return any(text in entry.get("message", "") for text in texts)

        entries = self.browser.console()
        deadline = time.monotonic() + WAIT_SECONDS
        while (not all(any(says(entry, [text]) for entry in entries) for text in expected)
               and time.monotonic() < deadline):
            time.sleep(0.05)
            entries += self.browser.console()
        severe = [entry for entry in entries
                  if entry.get("level") == "SEVERE" and not self.unasked_favicon(entry)]
        for text in expected:
            self.expect(any(says(entry, [text]) for entry in severe),
                        f"the browser's console has no SEVERE entry with {text!r}, expected;"
                        f" it has {[entry.get('message') for entry in severe]}")
        severe = [entry for entry in severe if not says(entry, expected)]
        self.expect(not severe, f"{len(severe)} SEVERE entries in the browser's console:"
                    + "".join(f"\n     console SEVERE: {entry.get('message')}"
                              for entry in severe))

    def unasked_favicon(self, entry):
        """Whether `entry` is the 404 for /favicon.ico, which Chromium asks for by itself when
        a page names no icon (flaskr has none, as Flask's tutorial has none). Noted once, not
        failed; an icon the page does name must load like everything else."""
        message = entry.get("message", "")
        if not (message.startswith(self.url("/favicon.ico") + " ") and "404" in message):
            return False
        if self.browser.find_all("link[rel~=icon]"):
            return False
        if not self.favicon_noted:
            print(f"note {self.step}: the browser's own request for /favicon.ico got a 404 "
                  "(the page names no icon); not counted as an error")
            self.favicon_noted = True
        return True

    def passed(self, message):
        print(f"ok   {self.step}: {message}")


def run(test_class, doc):
    """The main() of a test: `python3 TEST.py APP_URL CHROMEDRIVER_URL`. Returns the exit
    status: 0 when every step passed, 1 on the first that did not, 2 for a wrong command
    line (with the usage, the second paragraph of `doc`)."""
    if len(sys.argv) != 3:
        print(doc.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    app_url, driver_url = sys.argv[1], sys.argv[2]
    # A line per step as it passes, also when the output is a pipe (CI's log).
    sys.stdout.reconfigure(line_buffering=True)
    started = time.monotonic()
    try:
        browser = Browser(driver_url)
    except (WebDriverError, OSError) as error:
        print(f"FAIL cannot start a browser session through {driver_url}: {error}",
              file=sys.stderr)
        return 1
    test = test_class(browser, app_url)
    try:
        test.run()
    except (StepFailed, WebDriverError, OSError) as error:
        print(f"FAIL {test.step}: {error}", file=sys.stderr)
        print(test.report(), file=sys.stderr)
        return 1
    except Exception:  # A bug of the test's own: still say where the browser was.
        print(f"FAIL {test.step}: the test itself broke:", file=sys.stderr)
        traceback.print_exc()
        print(test.report(), file=sys.stderr)
        return 1
    finally:
        browser.quit()
    print(f"ok   all steps passed in {time.monotonic() - started:.1f}s")
    return 0
