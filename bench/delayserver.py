#!/usr/bin/env python3
"""Loopback HTTP/1.1 keep-alive server that answers every request with 200 "ok" after a fixed delay.

Used by bench/engine.sh for the 10 ms backend comparison (nginx cannot delay a response without extra
modules). One asyncio loop on one thread; answers in request order per connection. Binds 127.0.0.1 only.

    delayserver.py PORT DELAY_MS
"""
import asyncio
import sys

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"


class Delayed(asyncio.Protocol):
    def __init__(self, delay_s):
        self.delay_s = delay_s
        self.buffer = b""
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buffer += data
        loop = asyncio.get_running_loop()
        # Requests carry no body (GET): one request per blank line. Pipelined requests each get their delay.
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            self.buffer = self.buffer[end + 4:]
            loop.call_later(self.delay_s, self._answer)

    def _answer(self):
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(RESPONSE)

    def connection_lost(self, exc):
        self.transport = None


async def main(port, delay_ms):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Delayed(delay_ms / 1000.0), "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2])))
