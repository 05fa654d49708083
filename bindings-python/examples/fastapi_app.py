import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import BaseModel

from socketio_emitter import AsyncEmitter

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with AsyncEmitter(REDIS_URL) as io:  # one per process, closed on shutdown
        app.state.io = io
        yield


app = FastAPI(lifespan=lifespan)


class Message(BaseModel):
    text: str


@app.post("/rooms/{room}/messages")
async def post_message(room: str, message: Message) -> dict[str, int]:
    """POST {"text": "..."} as JSON; answers how many Socket.IO servers received it."""
    io: AsyncEmitter = app.state.io
    servers = await io.to(room).emit("message", message.model_dump())
    return {"servers": servers}
