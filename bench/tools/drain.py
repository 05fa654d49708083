"""The pattern subscriber every bench run has attached, as a Socket.IO server would be.

    python3 drain.py PORT [PATTERN]
    python3 drain.py PORT --ssubscribe CHANNEL

PSUBSCRIBEs PATTERN (default `socket.io#/#*`, what @socket.io/redis-adapter subscribes) on
127.0.0.1:PORT, or SSUBSCRIBEs CHANNEL (what a sharded adapter in `dynamic` mode subscribes for
a room it holds), prints `ready` once Redis confirmed, then reads and discards everything
until the connection closes. It does not parse: it must never be the bottleneck.
"""

import socket
import sys


def main() -> None:
    port = int(sys.argv[1])
    command, name = b"PSUBSCRIBE", (sys.argv[2] if len(sys.argv) > 2 else "socket.io#/#*").encode()
    if name == b"--ssubscribe":
        command, name = b"SSUBSCRIBE", sys.argv[3].encode()
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"*2\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(command), command, len(name), name))
    seen = b""
    while seen.count(b"\r\n") < 4:  # *3, $10, psubscribe, $N, name, :1 -> wait for the lot
        chunk = sock.recv(4096)
        if not chunk:
            sys.exit("drain: connection closed before the subscription was confirmed")
        seen += chunk
        if b":1\r\n" in seen:
            break
    print("ready", flush=True)
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    while sock.recv_into(view):
        pass


if __name__ == "__main__":
    main()
