"""The pattern subscriber every bench run has attached, as a Socket.IO server would be.

    python3 drain.py PORT [PATTERN]

PSUBSCRIBEs PATTERN (default `socket.io#/#*`, what @socket.io/redis-adapter subscribes) on
127.0.0.1:PORT, prints `ready` once Redis confirmed, then reads and discards everything
until the connection closes. It does not parse: it must never be the bottleneck.
"""

import socket
import sys


def main() -> None:
    port = int(sys.argv[1])
    pattern = (sys.argv[2] if len(sys.argv) > 2 else "socket.io#/#*").encode()
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"*2\r\n$10\r\nPSUBSCRIBE\r\n$%d\r\n%s\r\n" % (len(pattern), pattern))
    seen = b""
    while seen.count(b"\r\n") < 4:  # *3, $10, psubscribe, $N, pattern, :1 -> wait for the lot
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
