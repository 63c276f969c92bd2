#!/usr/bin/env python3
"""The chat example in a real browser: two windows of headless Chromium in one room.

    python3 tests/browser/chat.py APP_URL CHROMEDRIVER_URL

APP_URL is the chat example serving, CHROMEDRIVER_URL a running chromedriver;
tests/browser/run.sh starts both. Window A opens the page and waits for its WebSocket to say
"Connected", then window B does; a message typed into A's form and sent with its button shows
up, once, in both windows' lists, then one from B; B closes, and A, still connected, goes on
alone. Last, a page of another origin (the page at localhost, the room at 127.0.0.1) that
opens a socket to the room is refused by the app's cross-site protection. The browser's
console, of both windows, must hold nothing of level SEVERE (a script error, a socket that
fails) but what a step expects. One line is printed per step that passes; on the first
failure, each window's URL and the start of its text, and the exit status is 1.

Python's standard library only: the WebDriver client is tests/browser/webdriver.py.
"""

import sys
import urllib.parse

# webdriver.py, beside this file, is imported without leaving a __pycache__ in the sources.
sys.dont_write_bytecode = True
from webdriver import BrowserTest, StepFailed, WebDriverError, run  # noqa: E402

# What the windows say: markup that must stay text, an ampersand, and letters beyond ASCII,
# through the form, the socket, the room and the other socket.
FROM_A = "Hello from A: <b>1 & 2</b> café ☕"
FROM_B = "B here, heard you, A"
FROM_A_ALONE = "A again, after B left"


class ChatTest(BrowserTest):
    def __init__(self, browser, app_url):
        super().__init__(browser, app_url)
        # The open windows' handles by name, and the one the browser is in.
        self.handles = {}
        self.current = None
        # Everything said in the room, in order: what every window there lists.
        self.said = []

    def steps(self):
        return [
            self.step_a_connects,
            self.step_b_connects,
            self.step_a_says,
            self.step_b_says,
            self.step_b_leaves,
            self.step_cross_site_refused,
        ]

    def report(self):
        """Every window's URL and page: what each shows tells which one missed a message."""
        parts = []
        try:
            open_handles = self.browser.windows()
        except (WebDriverError, OSError):
            open_handles = []
        for name, handle in self.handles.items():
            if handle not in open_handles:
                continue
            try:
                self.browser.switch_to_window(handle)
            except (WebDriverError, OSError) as error:
                parts.append(f"     window {name}: (could not switch to it: {error})")
                continue
            parts.append(f"     window {name}:\n{self.browser.excerpt()}")
        if not parts:
            parts.append(self.browser.excerpt())
        parts.append(self.browser.console_excerpt())
        return "\n".join(part for part in parts if part)

    # The page.

    def window(self, name):
        """Makes window `name` the current one."""
        if self.current != name:
            self.browser.switch_to_window(self.handles[name])
            self.current = name

    def status(self):
        return self.browser.script("return document.getElementById('status').textContent;")

    def messages(self):
        return self.browser.script(
            "return Array.from(document.querySelectorAll('#messages li'), li => li.textContent);")

    def join(self, name):
        """Opens the chat page in window `name` and waits until its socket is open."""
        self.window(name)
        self.browser.get(self.url("/"))
        self.check_console()
        self.expect_path("/")
        title = self.browser.title()
        self.expect(title == "Chat", f"window {name}: the page's title is {title!r}")
        for css in ("ul#messages", "form#say input#text", "form#say button", "p#status"):
            self.expect(self.browser.find_all(css), f"window {name}: nothing matches {css!r}")

        def connected(status):
            if status == "Disconnected":
                raise StepFailed(f"window {name}: the page's socket to /room closed")
            return status == "Connected"

        self.wait_until(self.status, connected,
                        lambda status: f"window {name}: the status still says {status!r}")
        # Nothing is kept: a window that joins hears only what is said from then on.
        shown = self.messages()
        self.expect(shown == [], f"window {name}: a fresh page lists messages: {shown}")
        self.check_console()

    def say(self, name, text):
        """Types `text` into window `name`'s form and sends it with the button, as a user does."""
        self.window(name)
        field = self.browser.find("form#say input#text")
        self.browser.clear(field)
        self.browser.send_keys(field, text)
        self.browser.click(self.browser.find("form#say button"))
        self.said.append(text)
        # The page empties the field once it has sent, and stays: the form posts no page load.
        self.wait_until(lambda: self.browser.property(field, "value"), lambda value: value == "",
                        lambda value: f"window {name}: the field still holds {value!r}")
        self.expect_path("/")

    def hears(self, name):
        """Waits until window `name` lists everything said, each once and in order."""
        self.window(name)
        expected = list(self.said)

        def complete(shown):
            if shown != expected[:len(shown)]:
                raise StepFailed(f"window {name} lists {shown}, expected {expected}")
            return shown == expected

        self.wait_until(self.messages, complete,
                        lambda shown: f"window {name} lists {shown}, expected {expected}")
        status = self.status()
        self.expect(status == "Connected", f"window {name}: the status says {status!r}")

    # The steps, in order: each leaves the windows where the next one starts.

    def step_a_connects(self):
        self.handles["A"] = self.browser.window()
        self.current = "A"
        self.join("A")
        self.passed("window A shows the page, its socket says Connected, no messages")

    def step_b_connects(self):
        self.handles["B"] = self.browser.new_window()
        self.expect(self.handles["B"] != self.handles["A"], "the new window is window A")
        self.join("B")
        handles = self.browser.windows()
        self.expect(sorted(handles) == sorted(self.handles.values()),
                    f"the browser has the windows {handles}, expected A and B")
        # A is still in the room.
        self.hears("A")
        self.passed("a second window B shows the page too, Connected; A still Connected")

    def step_a_says(self):
        self.say("A", FROM_A)
        self.hears("A")
        self.hears("B")
        self.check_console()
        self.passed(f"A sent {FROM_A!r}: both A and B list it, once, as text")

    def step_b_says(self):
        self.say("B", FROM_B)
        self.hears("B")
        self.hears("A")
        self.check_console()
        self.passed(f"B sent {FROM_B!r}: both list A's message, then B's")

    def step_b_leaves(self):
        self.window("B")
        self.browser.close_window()
        del self.handles["B"]
        self.current = None
        self.window("A")
        handles = self.browser.windows()
        self.expect(handles == [self.handles["A"]], f"after B closed, the windows are {handles}")
        self.say("A", FROM_A_ALONE)
        self.hears("A")
        self.check_console()
        self.passed("B closed; A, still Connected, sends and hears its own message")

    def step_cross_site_refused(self):
        # The page's own sockets passed the app's cross-site protection; this shows it is on
        # for sockets. The other origin is the same page under the loopback's other name:
        # another site, and still on this machine, since Chromium blocks a page from the
        # Internet, or a data: URL's, from opening a socket to it before the app can answer.
        app = urllib.parse.urlsplit(self.app_url)
        other_host = "localhost" if app.hostname != "localhost" else "127.0.0.1"
        other = app._replace(netloc=f"{other_host}:{app.port}").geturl()
        room = app._replace(scheme="ws").geturl() + "/room"
        self.window("A")
        self.browser.get(other + "/")
        self.check_console()
        self.wait_until(self.status, lambda status: status == "Connected",
                        lambda status: f"the page at {other}: its own socket says {status!r}")
        self.browser.script(
            "window.__crossSite = 'Connecting';"
            "const socket = new WebSocket(arguments[0]);"
            "socket.onopen = () => { window.__crossSite = 'Connected'; };"
            "socket.onclose = () => {"
            "  if (window.__crossSite !== 'Connected') window.__crossSite = 'Refused'; };",
            room)
        status = self.wait_until(lambda: self.browser.script("return window.__crossSite;"),
                                 lambda status: status != "Connecting",
                                 lambda status: f"the socket from {other} to {room}: {status!r}")
        self.expect(status == "Refused", f"a page of {other} joined the room at {room}")
        # The 403 is what this step expects, and the console says it was the answer ("Error
        # during WebSocket handshake: Unexpected response code: 403").
        entries = self.browser.console()
        severe = [entry.get("message", "") for entry in entries if entry.get("level") == "SEVERE"]
        refused = [message for message in severe if "response code: 403" in message]
        self.expect(refused, f"the refusal was not a 403; the console's SEVERE entries: {severe}")
        unexpected = [message for message in severe if message not in refused]
        self.expect(not unexpected, f"the browser's console: {unexpected}")
        status = self.status()
        self.expect(status == "Connected", f"the page's own socket then says {status!r}")
        self.passed(f"a page of {other} opening a socket to {room} is refused with 403")

if __name__ == "__main__":
    sys.exit(run(ChatTest, __doc__))
