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

Python's standard library only: the WebDriver client is tests/browser/webdriver.py.
"""

import sys
import urllib.parse

# webdriver.py, beside this file, is imported without leaving a __pycache__ in the sources.
sys.dont_write_bytecode = True
from webdriver import BrowserTest, StepFailed, run  # noqa: E402

USERNAME = "alice"
PASSWORD = "correct horse battery staple"


class FlaskrTest(BrowserTest):
    def __init__(self, browser, app_url):
        super().__init__(browser, app_url)
        self.post_path = None

    # What flaskr's pages show.

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

    # The steps, in order: each leaves the browser where the next one starts.

    def steps(self):
        return [
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
        self.expect_flash(f"Registered as {USERNAME}: log in.")
        self.passed(f"registered {USERNAME!r}, sent to the login page, which says so")

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


if __name__ == "__main__":
    sys.exit(run(FlaskrTest, __doc__))
