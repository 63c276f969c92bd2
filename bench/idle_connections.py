"""Opens COUNT keep-alive connections to 127.0.0.1:PORT and holds them open until its standard
input closes or a line arrives; prints "ready" once they are all in the state asked for.
For bench/connections.sh.

    python3 idle_connections.py PORT COUNT            # idle: each has had one `GET /plaintext`
                                                      # answered, and sends nothing more
    python3 idle_connections.py PORT COUNT in-flight  # each has sent the head of a
                                                      # `POST /items` and half of its body, so
                                                      # the server holds a request in flight
"""

import asyncio
import sys

BODY = b'{"id":1000000000,"name":"in flight"}'
POST_HEAD = (
    b"POST /items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n" % len(BODY)
)


async def answered_once(reader, writer) -> None:
    writer.write(b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    await reader.readexactly(length)


async def hold(port: int, count: int, in_flight: bool) -> None:
    connections = []
    for _ in range(count):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        if in_flight:
            writer.write(POST_HEAD + BODY[: len(BODY) // 2])
            await writer.drain()
        else:
            await answered_once(reader, writer)
        connections.append((reader, writer))
    if in_flight:
        # Nothing comes back to wait for: give the server a moment to take every head.
        await asyncio.sleep(1)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for _, writer in connections:
        writer.close()


if __name__ == "__main__":
    mode = sys.argv[3] if len(sys.argv) > 3 else "idle"
    if mode not in ("idle", "in-flight"):
        sys.exit(f"unknown mode {mode!r}: idle or in-flight")
    asyncio.run(hold(int(sys.argv[1]), int(sys.argv[2]), mode == "in-flight"))
