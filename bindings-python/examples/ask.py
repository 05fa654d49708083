import asyncio
import os

from socketio_emitter import AsyncEmitter, Emitter

url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")

with Emitter(url) as io:
    print(io.server_count(), "servers")  # as Redis counts them; nothing is published
    found = io.to("user:42").fetch_sockets(timeout=5)  # seconds; 5 is the default
    if not found.complete:
        print(found.servers_missing, "servers did not answer: the list may be short")
    for socket in found:
        print("online:", socket.id, sorted(socket.rooms), socket.data)

    # Each client in the room is asked to acknowledge; the servers' handlers likewise.
    acks = io.to("user:42").emit_with_ack("confirm", "order 7")
    print(f"{len(acks.responses)} of {acks.clients_targeted} clients answered:", acks.responses)


async def main() -> None:
    async with AsyncEmitter(url) as aio:
        rooms = await aio.all_rooms()  # classic adapter only
        print("user:42" in rooms)


asyncio.run(main())
