import asyncio
import os

from socketio_emitter import AsyncEmitter


async def main() -> None:
    async with AsyncEmitter(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")) as io:
        room = io.to("room1")
        await room.emit("chat", {"text": "hi"})
        # Concurrent awaits are pipelined over one connection.
        counts = await asyncio.gather(*(room.emit("count", i) for i in range(100)))
        print(sum(counts), "deliveries to servers")


asyncio.run(main())
