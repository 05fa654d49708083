import os

from socketio_emitter import Emitter

# A Redis Cluster, found through any of its nodes (the emitter discovers the others and
# follows failovers). `url` is left out; the nodes' credentials go in their URLs.
nodes = os.environ.get("REDIS_CLUSTER_NODES", "redis://127.0.0.1:7000,redis://127.0.0.1:7001")
io = Emitter(cluster_nodes=nodes.split(","), adapter="sharded")

# SPUBLISH goes to the master that owns the channel's slot.
everyone = io.emit("news", {"title": "hello"})
in_room = io.to("room1").emit("chat", {"text": "hi"}, b"\x00\x01")  # binary stays binary
io.server_side_emit("server_event", "cache-invalidate")  # to every server's handler
print(f"news reached {everyone} server(s), chat {in_room}")
io.close()
