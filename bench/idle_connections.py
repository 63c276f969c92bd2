"""Opens COUNT keep-alive connections to 127.0.0.1:PORT, sends one `GET /plaintext` on each and
reads its answer, then holds them all open, idle, until its standard input closes or a line
arrives. Prints "ready" once every connection has had its answer. For bench/connections.sh."""

import asyncio
import sys


async def hold(port: int, count: int) -> None:
    connections = []
    for _ in range(count):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(length)
        connections.append((reader, writer))
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for _, writer in connections:
        writer.close()


if __name__ == "__main__":
    asyncio.run(hold(int(sys.argv[1]), int(sys.argv[2])))
