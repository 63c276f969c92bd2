#!/usr/bin/env python3
"""flaskr in a real browser: headless Chromium, driven through chromedriver.

    python3 tests/browser/flaskr.py APP_URL CHROMEDRIVER_URL

APP_URL is a flaskr serving an empty database (after `init-db`), CHROMEDRIVER_URL a running
chromedriver; tests/browser/run.sh starts both. A user registers, logs in (a wrong password
first), writes a post, edits it, deletes it and logs out, as Flask's tutorial tests check, but
through the browser: every form is filled and submitted by clicking, so every post carries the
browser's own Sec-Fetch-Site and Origin headers, and passes flaskr's cross-site protection.
After each page load the browser's console must hold nothing of level SEVERE (a stylesheet
that does not load, a script error). One line is printed per step that passes; on the first
failure, the page's URL and the start of its text, and the exit status is 1.

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

USERNAME = "alice"
PASSWORD = "correct horse battery staple"


class WebDriverError(Exception):
    """An error chromedriver answered with: its W3C error code and message."""

    def __init__(self, method, path, code, message):
        super().__init__(f"{method} {path}: {code}: {message}")
        self.code = code


class StepFailed(Exception):
    """What the page shows is not what the step expects."""


class Browser:
    """One WebDriver session: the few commands this test needs."""

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
        """The browser's console entries since the last call. chromedriver serves the log at
        /se/log (its W3C-mode path) and, older ones, at /log: whichever this one answers."""
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
        self.script("window.__flaskrTestOldPage = true;")

    def wait_for_new_page(self):
        """Waits until the marked document is gone and the next one has loaded. While one
        document replaces another, chromedriver may answer with errors (a node that no longer
        belongs to the document, a context destroyed): those are retried, not failed."""
        deadline = time.monotonic() + WAIT_SECONDS
        last_error = None
        while True:
            try:
                if self.script("return !window.__flaskrTestOldPage"
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


class FlaskrTest:
    def __init__(self, browser, app_url):
        self.browser = browser
        self.app_url = app_url.rstrip("/")
        self.step = "starting"
        self.favicon_noted = False
        self.post_path = None

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

    def page_text(self):
        return self.browser.text(self.browser.find("body"))

    def heading(self):
        return self.browser.text(self.browser.find(".page-head h1"))

    def expect_heading(self, heading):
        actual = self.heading()
        self.expect(actual == heading, f"expected the heading {heading!r}, the page has {actual!r}")

    def flashes(self):
        return [self.browser.text(element) for element in self.browser.find_all(".flash")]

    def expect_flash(self, message):
        shown = self.flashes()
        self.expect(message in shown, f"expected the flashed message {message!r}, shown: {shown}")

    def expect_no_flash(self):
        shown = self.flashes()
        self.expect(not shown, f"expected no flashed message, shown: {shown}")

    def nav_links(self):
        return [self.browser.text(a) for a in self.browser.find_all("nav.site ul a")]

    def post_titles(self):
        return [self.browser.text(h2) for h2 in self.browser.find_all("article.post h2")]

    def link(self, text, within="body"):
        """The link whose text is `text`, inside `within`."""
        for element in self.browser.find_all(f"{within} a"):
            if self.browser.text(element) == text:
                return element
        raise StepFailed(f"no link {text!r} in {within}; links there: "
                         f"{[self.browser.text(a) for a in self.browser.find_all(within + ' a')]}")

    def check_console(self):
        """Fails on any entry of level SEVERE in the browser's console since the last check."""
        entries = self.browser.console()
        severe = [entry for entry in entries
                  if entry.get("level") == "SEVERE" and not self.unasked_favicon(entry)]
        self.expect(not severe, f"{len(severe)} SEVERE entries in the browser's console:"
                    + "".join(f"\n     console SEVERE: {entry.get('message')}"
                              for entry in severe))

    def loaded(self):
        """Checks every page: the console holds no error, the stylesheet applies, the title is
        flaskr's."""
        self.check_console()
        rules = self.browser.script(
            "return Array.from(document.styleSheets)"
            ".reduce((n, sheet) => n + sheet.cssRules.length, 0)")
        self.expect(rules > 0, "the stylesheet did not load: the page has no CSS rules")
        title = self.browser.title()
        self.expect(title.endswith(" · Flaskr"), f"unexpected page title {title!r}")

    def unasked_favicon(self, entry):
        """Whether `entry` is the 404 for /favicon.ico, which Chromium asks for by itself when
        a page names no icon: flaskr has none, as Flask's tutorial has none. Noted once, not
        failed; an icon the page does name must load like everything else."""
        message = entry.get("message", "")
        if not (message.startswith(self.url("/favicon.ico") + " ") and "404" in message):
            return False
        if self.browser.find_all("link[rel~=icon]"):
            return False
        if not self.favicon_noted:
            print(f"note {self.step}: the browser's own request for /favicon.ico got a 404 "
                  "(flaskr names no icon); not counted as an error")
            self.favicon_noted = True
        return True

    def open(self, path):
        self.browser.get(self.url(path))
        self.loaded()

    def submit(self, button_css):
        """Clicks the form's button, as a user submits, and waits for the page it leads to."""
        self.browser.mark_page()
        self.browser.click(self.browser.find(button_css))
        self.browser.wait_for_new_page()
        self.loaded()

    def follow(self, link):
        self.browser.mark_page()
        self.browser.click(link)
        self.browser.wait_for_new_page()
        self.loaded()

    def fill(self, fields):
        for name, value in fields.items():
            element = self.browser.find(f"form.entry [name={name}]")
            self.browser.clear(element)
            self.browser.send_keys(element, value)

    def passed(self, message):
        print(f"ok   {self.step}: {message}")

    # The steps, in order: each leaves the browser where the next one starts.

    def run(self):
        steps = [
            self.step_index_empty,
            self.step_register,
            self.step_register_taken,
            self.step_login_wrong_username,
            self.step_login_wrong_password,
            self.step_login,
            self.step_create,
            self.step_update,
            self.step_delete_cancelled,
            self.step_delete,
            self.step_logout,
            self.step_cross_site_refused,
            self.step_login_required,
        ]
        for step in steps:
            self.step = step.__name__.removeprefix("step_").replace("_", " ")
            step()
        # An error the last page logged late, after its own check.
        self.step = "console at the end"
        time.sleep(0.2)
        self.check_console()

    def step_index_empty(self):
        self.open("/")
        self.expect_path("/")
        self.expect_heading("Posts")
        self.expect("No posts yet." in self.page_text(), "the empty index does not say so")
        links = self.nav_links()
        self.expect(links == ["Register", "Log In"], f"a visitor's links are {links}")
        self.expect(not self.browser.find_all(".page-head a.action"), "a visitor sees 'New'")
        self.passed("the index is empty, with Register and Log In")

    def step_register(self):
        self.follow(self.link("Register", "nav.site"))
        self.expect_path("/auth/register")
        self.expect_heading("Register")
        self.fill({"username": USERNAME, "password": PASSWORD})
        self.submit("form.entry button[type=submit]")
        self.expect_path("/auth/login")
        self.expect_heading("Log In")
        self.expect_no_flash()
        self.passed(f"registered {USERNAME!r}, sent to the login page")

    def step_register_taken(self):
        self.open("/auth/register")
        self.fill({"username": USERNAME, "password": "another"})
        self.submit("form.entry button[type=submit]")
        self.expect_path("/auth/register")
        self.expect_flash(f"User {USERNAME} is already registered.")
        self.passed("the same username again is refused")

    def step_login_wrong_username(self):
        self.open("/auth/login")
        self.fill({"username": "nobody", "password": PASSWORD})
        self.submit("form.entry button[type=submit]")
        self.expect_path("/auth/login")
        self.expect_flash("Incorrect username.")
        self.passed("an unknown username is refused")

    def step_login_wrong_password(self):
        # Still on the login page, whose form is empty again.
        self.fill({"username": USERNAME, "password": "wrong"})
        self.submit("form.entry button[type=submit]")
        self.expect_path("/auth/login")
        self.expect_heading("Log In")
        self.expect_flash("Incorrect password.")
        self.expect(self.nav_links() == ["Register", "Log In"], "logged in with a wrong password")
        self.passed("a wrong password is refused")

    def step_login(self):
        self.fill({"username": USERNAME, "password": PASSWORD})
        self.submit("form.entry button[type=submit]")
        self.expect_path("/")
        self.expect_heading("Posts")
        self.expect_no_flash()
        who = self.browser.text(self.browser.find("nav.site .who"))
        self.expect(who == USERNAME, f"the bar names {who!r}, not {USERNAME!r}")
        links = self.nav_links()
        self.expect(links == ["Log Out"], f"a user's links are {links}")
        self.passed(f"logged in as {USERNAME!r}, at the index")

    def step_create(self):
        self.follow(self.link("New", ".page-head"))
        self.expect_path("/create")
        self.expect_heading("New Post")
        self.fill({"title": "A first post", "body": "Written in a real browser."})
        self.submit("form.entry button[type=submit]")
        self.expect_path("/")
        titles = self.post_titles()
        self.expect(titles == ["A first post"], f"the index shows the posts {titles}")
        body = self.browser.text(self.browser.find("article.post .body"))
        self.expect(body == "Written in a real browser.", f"the post's body reads {body!r}")
        about = self.browser.text(self.browser.find("article.post .about"))
        self.expect(about.startswith(f"by {USERNAME} on "), f"the post's byline is {about!r}")
        self.passed("the new post is on the index")

    def step_update(self):
        self.follow(self.link("Edit", "article.post"))
        path = self.path()
        self.expect(path.endswith("/update") and path.split("/")[1].isdigit(),
                    f"Edit led to {path}, not /<id>/update")
        self.post_path = path.removesuffix("/update")
        self.expect_heading('Edit "A first post"')
        title = self.browser.property(self.browser.find("form.entry [name=title]"), "value")
        self.expect(title == "A first post", f"the title field holds {title!r}")
        self.fill({"title": "An edited post"})
        self.submit("form.entry button[type=submit]")
        self.expect_path("/")
        titles = self.post_titles()
        self.expect(titles == ["An edited post"], f"after the edit the index shows {titles}")
        body = self.browser.text(self.browser.find("article.post .body"))
        self.expect(body == "Written in a real browser.", f"the edit changed the body: {body!r}")
        self.passed(f"edited at {path}, the index shows the new title")

    def step_delete_cancelled(self):
        self.follow(self.link("Edit", "article.post"))
        self.browser.click(self.browser.find("button.danger"))
        question = self.browser.alert_text()
        self.expect("Delete" in question, f"the Delete button asks {question!r}")
        self.browser.dismiss_alert()
        self.loaded()
        self.expect_path(f"{self.post_path}/update")
        self.open("/")
        self.expect(self.post_titles() == ["An edited post"], "a cancelled delete deleted")
        self.passed(f"the confirm() ({question!r}) dismissed keeps the post")

    def step_delete(self):
        self.follow(self.link("Edit", "article.post"))
        self.browser.mark_page()
        self.browser.click(self.browser.find("button.danger"))
        self.browser.alert_text()
        self.browser.accept_alert()
        self.browser.wait_for_new_page()
        self.loaded()
        self.expect_path("/")
        titles = self.post_titles()
        self.expect(not titles, f"after the delete the index shows {titles}")
        self.expect("No posts yet." in self.page_text(), "the index is not empty")
        self.passed("the confirm() accepted, the post is gone")

    def step_logout(self):
        self.follow(self.link("Log Out", "nav.site"))
        self.expect_path("/")
        links = self.nav_links()
        self.expect(links == ["Register", "Log In"], f"after logging out the links are {links}")
        self.passed("logged out, at the index")

    def step_cross_site_refused(self):
        # The same-origin posts above passed flaskr's cross-site protection; this shows it is
        # on: the login form, posted by a page of another origin, answers 403.
        form = (f'<form method="post" action="{self.url("/auth/login")}">'
                f'<input name="username" value="{USERNAME}">'
                f'<input name="password" value="{PASSWORD}">'
                '<button type="submit">Log In</button></form>')
        self.browser.get("data:text/html;charset=utf-8," + urllib.parse.quote(form))
        self.check_console()
        self.browser.mark_page()
        self.browser.click(self.browser.find("button"))
        self.browser.wait_for_new_page()
        self.expect_path("/auth/login")
        # The 403 is what this step expects; the console says so too.
        entries = self.browser.console()
        unexpected = [entry for entry in entries if entry.get("level") == "SEVERE"
                      and "status of 403" not in entry.get("message", "")]
        self.expect(not unexpected, f"the browser's console: {unexpected}")
        text = self.page_text()
        self.expect("403" in text or "Forbidden" in text,
                    f"a cross-site login was not refused: {text[:200]!r}")
        self.open("/")
        links = self.nav_links()
        self.expect(links == ["Register", "Log In"], f"a cross-site login logged in: {links}")
        self.passed("a login posted from another origin answers 403, nobody logged in")

    def step_login_required(self):
        self.open("/create")
        self.expect_path("/auth/login")
        self.expect_heading("Log In")
        self.open(f"{self.post_path}/update")
        self.expect_path("/auth/login")
        self.passed("/create and /<id>/update send a visitor to the login page")


def excerpt(browser):
    """Where the browser is and the start of what it shows, for a failure's report."""
    lines = []
    try:
        lines.append(f"     at {browser.current_url()}")
        text = browser.script("return document.body ? document.body.innerText : ''") or ""
        text = " | ".join(line.strip() for line in text.splitlines() if line.strip())
        lines.append(f"     page: {text[:600]}")
        for entry in browser.console():
            lines.append(f"     console {entry.get('level')}: {entry.get('message')}")
    except (WebDriverError, OSError) as error:
        lines.append(f"     (could not read the page: {error})")
    return "\n".join(lines)


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
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
    test = FlaskrTest(browser, app_url)
    try:
        test.run()
    except (StepFailed, WebDriverError, OSError) as error:
        print(f"FAIL {test.step}: {error}", file=sys.stderr)
        print(excerpt(browser), file=sys.stderr)
        return 1
    except Exception:  # A bug of this test's own: still say where the browser was.
        print(f"FAIL {test.step}: the test itself broke:", file=sys.stderr)
        traceback.print_exc()
        print(excerpt(browser), file=sys.stderr)
        return 1
    finally:
        browser.quit()
    print(f"ok   all steps passed in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
