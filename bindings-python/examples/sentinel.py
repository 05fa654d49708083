import os

from socketio_emitter import Emitter

# The master that the sentinels monitor under the name "mymaster": the emitter asks them
# where it is, and asks again after a failover. The url gives only the master's
# credentials, database and TLS (its host and port are not used).
io = Emitter(
    os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    sentinel_master=os.environ.get("SENTINEL_MASTER", "mymaster"),
    sentinel_nodes=os.environ.get("SENTINEL_NODES", "redis://127.0.0.1:26379").split(","),
)

servers = io.emit("news", {"title": "hello"})
io.to("room1").emit("chat", {"text": "hi"})
print(f"news reached {servers} server(s)")
io.close()
