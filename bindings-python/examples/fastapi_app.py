import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from socketio_emitter import AsyncEmitter

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with AsyncEmitter(REDIS_URL) as io:  # one per process, closed on shutdown
        app.state.io = io
        yield


app = FastAPI(lifespan=lifespan)


@app.post("/rooms/{room}/messages")
async def post_message(room: str, text: str) -> dict[str, int]:
    io: AsyncEmitter = app.state.io
    servers = await io.to(room).emit("message", {"text": text})
    return {"servers": servers}
