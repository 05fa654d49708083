"""One emit with the blocking API and one with asyncio, from the installed package."""

import asyncio
import sys

import socketio_emitter
from socketio_emitter import AsyncEmitter, Emitter

url = sys.argv[1]
assert "site-packages" in socketio_emitter.__file__, socketio_emitter.__file__

with Emitter(url) as io:
    io.to("dist").emit("dist-python", {"from": "dist-python"}, b"\x01\x02")
print("dist-python")


async def main() -> None:
    async with AsyncEmitter(url) as aio:
        await aio.to("dist").emit("dist-python-asyncio", {"from": "dist-python-asyncio"}, b"\x01\x02")


asyncio.run(main())
print("dist-python-asyncio")
