#!/usr/bin/env python3
"""The client side of tests/scale_out.sh: flaskr's users, through HAProxy.

Python's standard library only. Subcommands:

  free-ports N             prints N TCP ports free on 127.0.0.1 now, one a line
  wait-healthy PORT [LOG]  asks http://127.0.0.1:PORT/healthz until it answers 200, or, given
                           LOG, until the process writing LOG has answered it 200
  journey URL              one user through the balancer: registers on one instance, logs in
                           on another, writes a post, reads it on a third
  load URL                 clients sending requests until SIGUSR1, then checks what they saw

Each check that fails is printed with FAIL and makes the exit status 1.
"""

import argparse
import html
import http.client
import http.cookiejar
import re
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

# How long one request may take before it counts as failed: more than HAProxy's own
# `timeout server`, so that HAProxy answers first when an instance is slow.
REQUEST_TIMEOUT = 15


def free_ports(count):
    """`count` distinct ports that nothing listens on now (the OS's choice)."""
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def wait_healthy(port, log=None, timeout=20):
    """Asks the health route on `port` until it answers 200, or, given the access log `log`,
    until that log shows a 200 for it.

    During a rolling restart two processes listen on the port and the kernel chooses which
    one takes each connection, so an answer on the port does not say which process gave it:
    the new process's own log does. HAProxy's health checks count too.
    """
    answered = re.compile(r'"GET /healthz HTTP/1\.[01]" 200 ')
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = None
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz", headers={"Connection": "close"})
            status = connection.getresponse().status
            connection.close()
        except (OSError, http.client.HTTPException):
            pass
        if log is None:
            if status == 200:
                return True
        else:
            with open(log, encoding="utf-8", errors="replace") as lines:
                if any(answered.search(line) for line in lines):
                    return True
        time.sleep(0.05)
    who = f"the process writing {log}" if log else "any process"
    print(f"FAIL 127.0.0.1:{port} did not answer /healthz within {timeout}s ({who})")
    return False


class Checks:
    """Counts the checks of a run, printing each failure as it happens."""

    def __init__(self):
        self.failed = 0

    def check(self, condition, message):
        """Records `condition`; prints `message` with FAIL when it is false. Returns it."""
        if not condition:
            self.failed += 1
            print(f"FAIL {message}", flush=True)
        return condition


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Leaves redirects to the caller, so each request is one step on one instance."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """One user's browser, as far as the server can tell: a cookie jar, and forms posted
    without Origin or Sec-Fetch-Site, as a client that is no browser posts them (carafe's
    cross-site protection lets those pass)."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirects()
        )

    def request(self, path, form=None):
        """GET `path`, or POST `form` to it: (status, headers, body text)."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=REQUEST_TIMEOUT) as answer:
                return answer.status, answer.headers, answer.read().decode()
        except urllib.error.HTTPError as answer:
            # Redirects and errors arrive as exceptions with NoRedirects; their cookies are
            # in the jar already (HTTPCookieProcessor runs first).
            return answer.code, answer.headers, answer.read().decode()


def journey(base):
    """One user across the three instances, each step on another one than the step before:
    a flashed message and the session, both kept in the signed cookie, are read by an instance
    other than the one that wrote them. Returns the number of failed checks."""
    checks = Checks()
    browser = Browser(base)
    name = f"walker{int(time.time() * 1000) % 10**9}"
    title = f"Notes from {name}"
    served = []

    def step(what, path, form=None, status=200, location=None):
        answer_status, headers, body = browser.request(path, form)
        server = headers.get("X-Served-By", "?")
        print(f"  {what}: {answer_status} from {server}")
        checks.check(answer_status == status, f"{what}: status {answer_status}, not {status}")
        if location is not None:
            checks.check(
                headers.get("Location") == location,
                f"{what}: sent to {headers.get('Location')!r}, not {location!r}",
            )
        if served:
            checks.check(
                server != served[-1],
                f"{what}: served by {server} again; each step should move to another instance",
            )
        served.append(server)
        return body

    form = {"username": name, "password": "a long walk"}
    step("register", "/auth/register", form, status=302, location="/auth/login")
    login_page = step("the login page", "/auth/login")
    message = f"Registered as {name}: log in."
    checks.check(
        message in login_page,
        f"the login page, from another instance, does not show the flashed {message!r}",
    )
    step("log in", "/auth/login", form, status=302, location="/")
    post = {"title": title, "body": "Three instances, one database."}
    # Sent to the login page instead when this instance cannot read the session.
    step("write a post", "/create", post, status=302, location="/")
    index = step("the index", "/")
    checks.check(html.escape(title) in index, f"the index does not show the post {title!r}")
    checks.check(f"by {name}" in index, f"the index does not show the post's author {name}")
    checks.check(
        f'<span class="who">{name}</span>' in index,
        f"the index does not show {name} logged in",
    )
    instances = sorted(set(served))
    checks.check(
        instances == ["flaskr1", "flaskr2", "flaskr3"],
        f"the steps were served by {instances}, not by all three instances",
    )
    print(f"  the journey's {len(served)} steps were served by {' '.join(served)}")
    return checks.failed


class Client(threading.Thread):
    """A logged-in user sending requests one after another until told to stop: three GETs of
    the index, then a new post, again and again. A keep-alive client keeps its connection to
    HAProxy; the others open a new one for every request."""

    def __init__(self, number, base, cookie, keep_alive, stop):
        super().__init__(name=f"client{number}", daemon=True)
        address = urllib.parse.urlsplit(base)
        self.host, self.port = address.hostname, address.port
        self.number = number
        self.cookie = cookie
        self.keep_alive = keep_alive
        self.stop = stop
        self.sent = 0
        self.created = []
        self.failures = []
        self.served_by = {}

    def run(self):
        connection = None
        while not self.stop.is_set():
            self.sent += 1
            headers = {"Cookie": self.cookie}
            if not self.keep_alive:
                headers["Connection"] = "close"
            if self.sent % 4 == 0:
                title = f"Load {self.number}-{self.sent}"
                method, path, expected = "POST", "/create", (302, "/")
                body = urllib.parse.urlencode({"title": title, "body": "Under load."})
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                title = None
                method, path, expected, body = "GET", "/", (200, None), None
            started = time.monotonic()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(
                        self.host, self.port, timeout=REQUEST_TIMEOUT
                    )
                connection.request(method, path, body=body, headers=headers)
                answer = connection.getresponse()
                answer.read()
                outcome = (answer.status, answer.getheader("Location"))
                server = answer.getheader("X-Served-By", "?")
                if answer.will_close:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as error:
                outcome, server = f"{type(error).__name__}: {error}", "?"
                if connection is not None:
                    connection.close()
                    connection = None
            self.served_by[server] = self.served_by.get(server, 0) + 1
            if outcome == expected:
                if title is not None:
                    self.created.append(title)
            else:
                elapsed = time.monotonic() - started
                self.failures.append(
                    f"{time.strftime('%H:%M:%S')} {self.name} {method} {path}: {outcome} "
                    f"from {server} after {elapsed:.2f}s"
                )
        if connection is not None:
            connection.close()


def log_in(base, name, password):
    """The session cookie of `name` logged in, as a Cookie header's value."""
    browser = Browser(base)
    status, headers, _ = browser.request("/auth/login", {"username": name, "password": password})
    if status != 302 or headers.get("Location") != "/":
        raise SystemExit(f"FAIL the load's client could not log in: {status}")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in browser.jar)


def load(base, clients):
    """Runs `clients` clients until SIGUSR1, then checks that none failed and that every post
    they were told was created is on the index. Returns the number of failed checks."""
    stop = threading.Event()
    signal.signal(signal.SIGUSR1, lambda *_: stop.set())
    name, password = "loader", "heavy lifting"
    status, _, _ = Browser(base).request(
        "/auth/register", {"username": name, "password": password}
    )
    if status != 302:
        print(f"FAIL the load's user could not register: {status}")
        return 1
    # Half the clients keep their connection to HAProxy, half open one per request.
    workers = [
        Client(number, base, log_in(base, name, password), number % 2 == 0, stop)
        for number in range(1, clients + 1)
    ]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    print(f"load running: {clients} clients", flush=True)
    stop.wait()
    for worker in workers:
        worker.join()
    seconds = time.monotonic() - started

    checks = Checks()
    sent = sum(worker.sent for worker in workers)
    failures = [failure for worker in workers for failure in worker.failures]
    created = [title for worker in workers for title in worker.created]
    served_by = {}
    for worker in workers:
        for server, count in worker.served_by.items():
            served_by[server] = served_by.get(server, 0) + count
    spread = ", ".join(f"{server} {count}" for server, count in sorted(served_by.items()))
    print(f"  {sent} requests in {seconds:.1f}s ({sent / seconds:.0f}/s): {spread}")
    for failure in failures[:20]:
        print(f"  {failure}")
    if len(failures) > 20:
        print(f"  ... and {len(failures) - 20} more")
    checks.check(not failures, f"{len(failures)} of {sent} requests failed")

    # Every post the clients were told was created, on the index once, read through HAProxy
    # after the restarts: none was lost, and none written twice by a retry.
    _, _, index = Browser(base).request("/")
    titles = [html.unescape(found) for found in re.findall(r"<h2>(.*?)</h2>", index)]
    on_index = {}
    for title in titles:
        on_index[title] = on_index.get(title, 0) + 1
    missing = [title for title in created if title not in on_index]
    twice = [title for title in created if on_index.get(title, 0) > 1]
    found = len(created) - len(missing)
    print(f"  {len(created)} posts created, {found} found on the index")
    checks.check(not missing, f"{len(missing)} posts missing from the index: {missing[:10]}")
    checks.check(not twice, f"{len(twice)} posts on the index more than once: {twice[:10]}")
    print(
        f"summary: {sent} requests, {len(failures)} failed, {len(created)} posts created, "
        f"{found} found",
        flush=True,
    )
    return checks.failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("free-ports")
    command.add_argument("count", type=int)
    command = commands.add_parser("wait-healthy")
    command.add_argument("port", type=int)
    command.add_argument("log", nargs="?")
    command = commands.add_parser("journey")
    command.add_argument("url")
    command = commands.add_parser("load")
    command.add_argument("url")
    command.add_argument("--clients", type=int, default=8)
    arguments = parser.parse_args()

    if arguments.command == "free-ports":
        print("\n".join(str(port) for port in free_ports(arguments.count)))
        return 0
    if arguments.command == "wait-healthy":
        return 0 if wait_healthy(arguments.port, arguments.log) else 1
    if arguments.command == "journey":
        return 1 if journey(arguments.url) else 0
    return 1 if load(arguments.url, arguments.clients) else 0


if __name__ == "__main__":
    sys.exit(main())
