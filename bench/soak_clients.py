"""The hostile side of soak.sh: idle connections held open, and a trickle of malformed
requests and failing handlers, each checked for the answer it must get.

    python3 bench/soak_clients.py PORT SECONDS [IDLE]

Holds IDLE (1,000) connections: half never send a byte, half send one request and then stay
open as keep-alive connections. One the server closes (its idle timeout) is opened again.
Every 100 ms it sends one request of HOSTILE in turn, on a connection of its own, and checks
the status. Each minute, and at the end, prints a line of counts. Exits 1 if any hostile request
got no answer or a status other than its expected one.
"""

import asyncio
import sys
import time

HOST = "127.0.0.1"

# (name, raw request, the statuses it may answer)
HOSTILE = [
    ("garbage request line", b"GARBAGE\r\n\r\n", {400}),
    ("no Host", b"GET /plaintext HTTP/1.1\r\nConnection: close\r\n\r\n", {400}),
    (
        "two Hosts",
        b"GET /plaintext HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
        {400},
    ),
    (
        "200 headers",
        b"GET /plaintext HTTP/1.1\r\nHost: a\r\n"
        + b"".join(b"X-%d: y\r\n" % i for i in range(200))
        + b"\r\n",
        {431},
    ),
    (
        "bad JSON",
        b"POST /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nContent-Length: 5\r\n\r\n{bad}",
        {400},
    ),
    (
        "JSON of the wrong shape",
        b"POST /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"id\":-1}",
        {400, 422},
    ),
    (
        "bad percent-encoding",
        b"GET /items/%ZZ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        {400, 404},
    ),
    ("panic", b"GET /panic HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", {500}),
    ("abort", b"GET /abort HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", {409}),
    (
        "wrong method",
        b"DELETE /plaintext HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        {405},
    ),
]

KEEP_ALIVE_REQUEST = b"GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"


class Counts:
    def __init__(self):
        self.hostile_sent = 0
        self.hostile_wrong = 0
        self.idle_open = 0
        self.idle_reopened = 0
        self.wrong = []

    def line(self, label):
        return (
            f"{label}: hostile sent {self.hostile_sent}, answered wrongly "
            f"{self.hostile_wrong}; idle open {self.idle_open}, reopened "
            f"{self.idle_reopened}"
        )


async def read_status(reader):
    line = await asyncio.wait_for(reader.readline(), timeout=10)
    parts = line.split()
    if len(parts) < 2 or not parts[1].isdigit():
        return None
    return int(parts[1])


async def hostile(counts, stop_at):
    index = 0
    while time.monotonic() < stop_at:
        name, request, expected = HOSTILE[index % len(HOSTILE)]
        index += 1
        counts.hostile_sent += 1
        status = None
        try:
            reader, writer = await asyncio.open_connection(HOST, PORT)
            writer.write(request)
            await writer.drain()
            status = await read_status(reader)
            writer.close()
        except (OSError, asyncio.TimeoutError):
            pass
        if status not in expected:
            counts.hostile_wrong += 1
            counts.wrong.append(f"{name}: {status}")
        await asyncio.sleep(0.1)


async def idle(counts, stop_at, sends_a_request):
    while time.monotonic() < stop_at:
        try:
            reader, writer = await asyncio.open_connection(HOST, PORT)
        except OSError:
            await asyncio.sleep(1)
            continue
        counts.idle_open += 1
        try:
            if sends_a_request:
                writer.write(KEEP_ALIVE_REQUEST)
                await writer.drain()
            # Reads the one answer, if any, then nothing until the server closes.
            while await asyncio.wait_for(reader.read(4096), stop_at - time.monotonic()):
                pass
        except (OSError, asyncio.TimeoutError):
            pass
        counts.idle_open -= 1
        writer.close()
        if time.monotonic() < stop_at:
            counts.idle_reopened += 1


async def report(counts, stop_at):
    started = time.monotonic()
    while time.monotonic() < stop_at:
        await asyncio.sleep(min(60, max(0, stop_at - time.monotonic())))
        minutes = round((time.monotonic() - started) / 60)
        print(counts.line(f"clients, minute {minutes}"), flush=True)


async def main(seconds, idle_count):
    counts = Counts()
    stop_at = time.monotonic() + seconds
    tasks = [hostile(counts, stop_at), report(counts, stop_at)]
    tasks += [idle(counts, stop_at, i % 2 == 1) for i in range(idle_count)]
    await asyncio.gather(*tasks)
    print(counts.line("clients, total"), flush=True)
    for wrong in counts.wrong[:20]:
        print(f"  wrong answer: {wrong}", flush=True)
    return 1 if counts.hostile_wrong else 0


if __name__ == "__main__":
    PORT = int(sys.argv[1])
    sys.exit(asyncio.run(main(float(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1000)))
