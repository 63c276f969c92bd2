#!/usr/bin/env python3
"""The uploads example (Flask's "Uploading Files" pattern) in a real browser.

    python3 tests/browser/uploads.py APP_URL CHROMEDRIVER_URL

APP_URL is the uploads example serving, CHROMEDRIVER_URL a running chromedriver;
tests/browser/run.sh starts both, and names the example's upload folder in UPLOAD_FOLDER, when
this test also checks what was saved there. Real files, written into a temporary folder that
is removed at the end, are chosen in the form's file input (their paths sent as keys, as
WebDriver does for a file input) and uploaded with its button: a text file, which the browser
is sent on to and shows as text, with its exact bytes; a picture whose name secure_filename
changes ("my photo.png" saved as my_photo.png), one whose name is not ASCII, and one past
500 kB, each shown as a picture at the URL of its cleaned name; a file past the route's 16 MB
limit, answered 413 with a page saying so; then a file of a type the example refuses, and the
form sent without a file, each answered 400 with the form again and a line saying why, nothing
saved; last, that form, used again, uploads. The browser's console must hold nothing of level
SEVERE but the 400s, 404 and 413 a step expects. One line is printed per step that passes; on
the first failure, the page's URL and the start of its text, and the exit status is 1.

Python's standard library only: the WebDriver client is tests/browser/webdriver.py.
"""

import functools
import hashlib
import os
import random
import struct
import sys
import tempfile
import urllib.parse
import zlib

# webdriver.py, beside this file, is imported without leaving a __pycache__ in the sources.
sys.dont_write_bytecode = True
from webdriver import ELEMENT, BrowserTest, run  # noqa: E402

# What the example answers a file it does not take with.
REFUSED = "Only txt, pdf, png, jpg, jpeg, gif files are taken"

# A text file that must come back as it went: markup that must stay text, an ampersand, a
# tab, letters beyond ASCII (in UTF-8), and a last line with no newline.
NOTES = "buy milk\ncall Sam <b>1 & 2</b>\n\tthen: café ☕\nno newline at the end".encode()


def png(width, height, pixels):
    """A PNG picture, RGB, 8 bits a channel: `pixels(y)` gives row y's bytes (3 a pixel)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    rows = b"".join(b"\x00" + pixels(y) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 6))
            + chunk(b"IEND", b""))


# The largest body the example's form takes (`body_limit = "16 MB"` on its route).
BODY_LIMIT = 16_000_000

# A small picture (16 x 8, a red and blue stripe each row), and one of noise that no
# compression shrinks, past the 500 kB the app keeps in memory: it waits on disk to be saved.
SMALL_PICTURE = (16, 8, png(16, 8, lambda y: b"\xff\x00\x00" * 8 + b"\x00\x00\xff" * 8))
_noise = random.Random(7)
LARGE_PICTURE = (480, 400, png(480, 400, lambda y: _noise.randbytes(480 * 3)))


class UploadsTest(BrowserTest):
    def __init__(self, browser, app_url, files):
        super().__init__(browser, app_url)
        # Where the files to upload are written: a folder of this test's own.
        self.files = files
        # The example's upload folder, when run.sh says which; and what it must hold by now.
        self.folder = os.environ.get("UPLOAD_FOLDER") or None
        self.saved = {}

    def steps(self):
        return [
            self.step_form,
            self.step_text_file,
            self.step_name_with_a_space,
            self.step_name_beyond_ascii,
            self.step_large_picture,
            self.step_past_the_limit,
            self.step_refused_extension,
            self.step_no_file_chosen,
            self.step_form_again_after_a_refusal,
            self.step_upload_folder,
        ]

    # The files.

    def file(self, name, data):
        """Writes `data` into a file named `name` in this test's folder; its absolute path."""
        path = os.path.join(self.files, name)
        with open(path, "wb") as file:
            file.write(data)
        return os.path.abspath(path)

    # The form, and what the browser is sent on to.

    def expect_form(self):
        """The page is the example's form, and the console has nothing of level SEVERE."""
        title = self.browser.title()
        self.expect(title == "Upload new File", f"the page's title is {title!r}")
        heading = self.browser.text(self.browser.find("h1"))
        self.expect(heading == "Upload new File", f"the page's heading is {heading!r}")
        form = self.browser.find("form")
        method = self.browser.property(form, "method")
        enctype = self.browser.property(form, "enctype")
        self.expect((method, enctype) == ("post", "multipart/form-data"),
                    f"the form posts with method {method!r} and enctype {enctype!r}")
        self.expect(self.browser.find_all("form input[type=file][name=file]"),
                    "the form has no <input type=file name=file>")
        self.expect(self.browser.find_all("form input[type=submit]"),
                    "the form has no submit button")

    def open_form(self):
        self.browser.get(self.url("/"))
        self.check_console()
        self.expect_path("/")
        self.expect_form()
        self.expect_flash(None)

    def flashes(self):
        return [self.browser.text(element) for element in self.browser.find_all(".flash")]

    def expect_flash(self, message):
        """The line above the form says `message`; None: there is none."""
        shown = self.flashes()
        expected = [message] if message is not None else []
        self.expect(shown == expected, f"expected the lines {expected} above the form, shown:"
                    f" {shown}")

    def choose(self, path):
        """Chooses the file at `path` in the form's file input, as WebDriver does: its path
        sent as keys. Checks the input then holds that file, with its name and size."""
        field = self.browser.find("form input[type=file][name=file]")
        self.browser.send_keys(field, path)
        chosen = self.browser.script(
            "const files = arguments[0].files;"
            "return Array.from(files, file => ({name: file.name, size: file.size}));",
            {ELEMENT: field})
        expected = [{"name": os.path.basename(path), "size": os.path.getsize(path)}]
        self.expect(chosen == expected, f"the file input holds {chosen}, expected {expected}")

    def submit(self):
        """Clicks Upload, as a user does, and waits for the page the browser is sent on to."""
        self.browser.mark_page()
        self.browser.click(self.browser.find("form input[type=submit]"))
        self.browser.wait_for_new_page()

    def navigation(self):
        """How the browser got the current page: the status of its answer, how many redirects
        led there."""
        return self.browser.script(
            "const entry = performance.getEntriesByType('navigation')[0];"
            "return {status: entry.responseStatus, redirects: entry.redirectCount};")

    def expect_redirected_to(self, path):
        """The upload's answer sent the browser on to `path`, which answered 200."""
        self.expect_path(path)
        navigation = self.navigation()
        self.expect(navigation == {"status": 200, "redirects": 1},
                    f"the browser got to {path} by {navigation['redirects']} redirects, with"
                    f" the status {navigation['status']}; expected 1 redirect, then 200")

    def served(self, path):
        """What the app serves at `path`, fetched by the page: status, type, length, SHA-256,
        and the first bytes."""
        answer = self.browser.script(
            "return (async () => {"
            "  const response = await fetch(arguments[0], {cache: 'no-store'});"
            "  const bytes = new Uint8Array(await response.arrayBuffer());"
            "  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));"
            "  return {status: response.status, type: response.headers.get('content-type'),"
            "          length: bytes.length,"
            "          sha256: Array.from(digest, b => b.toString(16).padStart(2, '0')).join(''),"
            "          head: Array.from(bytes.slice(0, 48))};"
            "})();",
            path)
        answer["head"] = bytes(answer["head"])
        return answer

    def expect_served(self, path, data, content_type):
        """The app serves exactly `data`, as `content_type` (a charset besides, if any, UTF-8),
        at `path`; what it served."""
        answer = self.served(path)
        self.expect(answer["status"] == 200, f"GET {path} answered {answer['status']}")
        served_type = (answer["type"] or "").lower().replace(" ", "")
        self.expect(served_type in (content_type, content_type + ";charset=utf-8"),
                    f"{path} is served as {answer['type']!r}, expected {content_type!r}")
        self.expect((answer["length"], answer["sha256"])
                    == (len(data), hashlib.sha256(data).hexdigest()),
                    f"{path} served {answer['length']} bytes beginning {answer['head']!r},"
                    f" not the {len(data)} uploaded, beginning {data[:48]!r}")
        return answer

    def expect_saved(self, name, data):
        """The upload folder holds `data` under `name`, when this test knows the folder."""
        self.saved[name] = data
        if self.folder is None:
            return
        path = os.path.join(self.folder, name)
        self.expect(os.path.isfile(path), f"nothing was saved as {path}")
        with open(path, "rb") as file:
            self.expect(file.read() == data, f"{path} does not hold the bytes uploaded")

    def upload_picture(self, sent_name, saved_name, picture):
        """Uploads `picture` (width, height, bytes) as `sent_name` from the form on the page;
        checks the browser is sent to it under `saved_name` and shows it, and it is served
        with its exact bytes."""
        width, height, data = picture
        self.choose(self.file(sent_name, data))
        self.submit()
        self.check_console()
        path = "/uploads/" + urllib.parse.quote(saved_name)
        self.expect_redirected_to(path)
        # Chromium shows a picture it was sent to as the one <img> of a page of its own.
        shown = self.wait_until(
            lambda: self.browser.script(
                "const image = document.images[0];"
                "return image && image.complete"
                "  ? {width: image.naturalWidth, height: image.naturalHeight} : null;"),
            lambda size: size is not None,
            lambda size: f"{path}: the browser shows no picture")
        self.expect(shown == {"width": width, "height": height},
                    f"{path}: the browser shows a picture of {shown['width']} x"
                    f" {shown['height']}, expected {width} x {height} (0 x 0: it could not"
                    f" decode it)")
        self.expect_served(path, data, "image/png")
        self.expect_saved(saved_name, data)
        self.check_console()
        return path

    def expect_refused(self, message):
        """The upload was answered 400 with the form again, saying `message` above it."""
        self.expect_path("/")
        navigation = self.navigation()
        self.expect(navigation["status"] == 400,
                    f"the upload was answered {navigation['status']}, expected 400")
        self.expect_form()
        self.expect_flash(message)

    # The steps, in order: each leaves the browser where the next one starts.

    def step_form(self):
        self.open_form()
        self.passed("the form: a file input named file, multipart/form-data, Upload")

    def step_text_file(self):
        self.choose(self.file("notes.txt", NOTES))
        self.submit()
        self.check_console()
        self.expect_redirected_to("/uploads/notes.txt")
        # Shown as text, not as a page: the markup in it stays text, every character as sent.
        content_type = self.browser.script("return document.contentType;")
        self.expect(content_type == "text/plain",
                    f"the browser shows /uploads/notes.txt as {content_type!r}")
        self.expect(not self.browser.find_all("b"),
                    "the text file's <b> became markup: it is shown as a page")
        shown = self.browser.script("return document.body.textContent;")
        charset = self.browser.script("return document.characterSet;")
        self.expect_served("/uploads/notes.txt", NOTES, "text/plain")
        self.expect_saved("notes.txt", NOTES)
        # Served as "text/plain; charset=utf-8", as Flask's send_file says: without the
        # charset, Chromium reads UTF-8 as windows-1252 and "café" shows as "cafÃ©".
        self.expect(shown == NOTES.decode(),
                    f"the browser shows the text {shown!r} (read as {charset}),"
                    f" expected {NOTES.decode()!r}")
        self.check_console()
        self.passed(f"notes.txt ({len(NOTES)} bytes): sent on to /uploads/notes.txt, shown as"
                    " the same text, served with its exact bytes")

    def step_name_with_a_space(self):
        self.open_form()
        path = self.upload_picture("my photo.png", "my_photo.png", SMALL_PICTURE)
        self.passed(f"'my photo.png' is saved by secure_filename as my_photo.png: sent on to"
                    f" {path}, which shows the picture, its exact bytes")

    def step_name_beyond_ascii(self):
        self.open_form()
        path = self.upload_picture("café crème.png", "cafe_creme.png", SMALL_PICTURE)
        self.passed(f"'café crème.png' is saved as cafe_creme.png: sent on to {path}, which"
                    " shows the picture")

    def step_large_picture(self):
        self.open_form()
        data = LARGE_PICTURE[2]
        path = self.upload_picture("beach.PNG", "beach.PNG", LARGE_PICTURE)
        self.passed(f"beach.PNG, {len(data)} bytes (kept on disk until saved; an extension"
                    f" in capitals is taken): sent on to {path}, shown, its exact bytes")

    def step_past_the_limit(self):
        self.open_form()
        # A file the size of the limit: with the rest of the form, the body is past it.
        self.choose(self.file("huge.txt", b"x" * BODY_LIMIT))
        self.submit()
        self.check_console("status of 413")
        self.expect_path("/")
        navigation = self.navigation()
        self.expect(navigation["status"] == 413,
                    f"a body past the limit was answered {navigation['status']}, expected 413")
        title = self.browser.title()
        self.expect(title == "413 Payload Too Large",
                    f"the page answering a body past the limit is titled {title!r}")
        text = self.page_text()
        self.expect("16 MB" in text, f"the page does not name the limit: {text[:300]!r}")
        if self.folder is not None:
            self.expect(not os.path.exists(os.path.join(self.folder, "huge.txt")),
                        "huge.txt was saved in the upload folder")
        self.passed(f"huge.txt, {BODY_LIMIT} bytes, past the 16 MB limit with the form: 413,"
                    f" a page saying so ({title!r}), nothing saved")

    def step_refused_extension(self):
        self.open_form()
        self.choose(self.file("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00"))
        self.submit()
        # The 400 the upload was answered with, which the console reports.
        self.check_console("status of 400")
        self.expect_refused(REFUSED)
        answer = self.served("/uploads/tool.exe")
        self.expect(answer["status"] == 404, f"/uploads/tool.exe answers {answer['status']}")
        self.check_console("status of 404")
        if self.folder is not None:
            self.expect(not os.path.exists(os.path.join(self.folder, "tool.exe")),
                        "tool.exe was saved in the upload folder")
        self.passed(f"tool.exe is refused: 400, the form again, {REFUSED!r};"
                    " /uploads/tool.exe is 404")

    def step_no_file_chosen(self):
        self.open_form()
        self.submit()
        self.check_console("status of 400")
        self.expect_refused("No selected file")
        self.passed("Upload with no file chosen: 400, the form again, 'No selected file'")

    def step_form_again_after_a_refusal(self):
        # Still on the page that refused, whose form posts to the same URL.
        data = b"second try\n"
        self.choose(self.file("second try.txt", data))
        self.submit()
        self.check_console()
        self.expect_redirected_to("/uploads/second_try.txt")
        self.expect_served("/uploads/second_try.txt", data, "text/plain")
        self.expect_saved("second_try.txt", data)
        self.passed("the form shown with the refusal uploads 'second try.txt' as"
                    " second_try.txt")

    def step_upload_folder(self):
        if self.folder is None:
            self.passed("not checked: UPLOAD_FOLDER does not name the example's folder")
            return
        names = sorted(os.listdir(self.folder))
        self.expect(names == sorted(self.saved),
                    f"the upload folder holds {names}, expected {sorted(self.saved)}")
        self.passed(f"{self.folder} holds {', '.join(names)}, each with the bytes uploaded,"
                    " and nothing else")


def main():
    # The files to upload, written where the test can choose them, and removed at the end.
    with tempfile.TemporaryDirectory(prefix="carafe-upload-files-") as files:
        return run(functools.partial(UploadsTest, files=files), __doc__)


if __name__ == "__main__":
    sys.exit(main())
