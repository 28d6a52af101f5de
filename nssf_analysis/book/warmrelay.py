"""The kernel command of a warm kernel: ask the worker's kernel server for a kernel.

Run by jupyter_client as the kernel's process (``python -I -S warmrelay.py SOCKET --
KERNEL-COMMAND...``), with the standard library only, so that it starts in milliseconds.
It sends the kernel server (:mod:`nssf_analysis.book.warmkernel`) its working folder, its
environment and the kernel's arguments, with four descriptors: its stdout and stderr
(the kernel's log), the read end of a pipe it keeps open for as long as it lives (the
kernel ends when it closes) and the write end of a pipe the kernel keeps open for as long
as *it* lives (the relay ends when it closes).  It passes the signals jupyter_client
sends it (interrupt, terminate, quit, hang-up) on to the kernel.  If there is no server
to ask, it runs the kernel command itself (``exec``): the same kernel, started cold.
"""

import json
import os
import signal
import socket
import sys

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP)


def _ask(socket_path: str, args: list[str], fds: list[int]) -> int:
    """Send the request; return the kernel's process id (raises OSError or ValueError)."""
    request = {"cwd": os.getcwd(), "env": dict(os.environ), "args": args}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(socket_path)
        socket.send_fds(conn, [json.dumps(request).encode()], fds)
        conn.shutdown(socket.SHUT_WR)
        reply = b""
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                break
            reply += chunk
    return int(json.loads(reply)["pid"])


def main() -> None:
    """Start the kernel through the server (else directly), wait for it, exit."""
    argv = sys.argv[1:]
    if len(argv) < 3 or argv[1] != "--":
        sys.exit("usage: warmrelay.py SOCKET -- KERNEL-COMMAND...")
    socket_path, command = argv[0], argv[2:]
    try:
        at = command.index("-m")
        if command[at + 1] != "ipykernel_launcher":
            raise ValueError(command[at + 1])
        args = command[at + 2 :]
    except (ValueError, IndexError):
        os.execv(command[0], command)  # not a kernel the server can start
    relay_gone_r, relay_gone_w = os.pipe()  # the kernel reads: EOF when the relay ends
    alive_r, alive_w = os.pipe()  # the relay reads: EOF when the kernel ends
    try:
        pid = _ask(socket_path, args, [1, 2, relay_gone_r, alive_w])
    except (OSError, ValueError, KeyError):
        os.execv(command[0], command)  # no server: the kernel, started cold
    os.close(relay_gone_r)
    os.close(alive_w)

    def forward(signum, frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in FORWARDED:
        signal.signal(signum, forward)
    while True:
        try:
            if not os.read(alive_r, 1):
                break
        except InterruptedError:
            continue
    os._exit(0)


if __name__ == "__main__":
    main()
