"""Warm kernels: a preloaded process that forks a fresh kernel for each chapter.

Starting a chapter's kernel the ordinary way costs a new Python process that imports
IPython, ipykernel, pandas, matplotlib and the package before the first cell: some 2 s of
CPU per chapter, paid again for every chapter.  The book's build instead starts one
*kernel server* (``python -m nssf_analysis.book.warmkernel``) as soon as it knows
notebooks will run: it imports all of that once, while the build starts its workers,
reads no data and runs no notebook code, and then waits.  For each chapter
it forks a child that becomes the kernel (an ordinary ``IPKernelApp``, as
``ipykernel_launcher`` would start it, with the connection file, working folder and
environment of that run).  The child starts with the imports done and with nothing any
chapter did, as the server never ran one: a chapter's variables, module attributes,
environment or imported modules never reach the next chapter, which gets a new child of
the same clean server.

jupyter_client and papermill see an ordinary kernel.  The command of the kernel
specification the workers give them (:func:`prepare`) is a small stdlib-only
relay (:mod:`nssf_analysis.book.warmrelay`) that asks the server for a child, passes on
the signals jupyter_client sends (interrupt, terminate) and ends when the kernel ends;
if the relay itself is killed, the kernel ends too (it watches a pipe the relay holds).
When there is no server (it failed to start, or ``NSSF_WARM_KERNELS=0``), the relay
runs the kernel the ordinary way, so a chapter never depends on the server.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import sys
import threading
from pathlib import Path

#: Set to 0 to start every kernel the ordinary way (no kernel server).
ENV = "NSSF_WARM_KERNELS"
#: The module ``ipykernel_launcher`` runs (the ``-m`` target of the kernel command).
LAUNCHER = "ipykernel_launcher"
#: The inline backend ipykernel makes matplotlib's default before it imports it; the server
#: imports matplotlib itself, so it sets the same default first.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: Imported by the server before it forks anything (with the chapters' own modules).
SERVER_IMPORTS = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "matplotlib_inline.backend_inline",
    "matplotlib.pyplot",
)
#: Largest request a relay sends (its environment and kernel arguments, as JSON).
MAX_REQUEST = 1 << 20


def enabled() -> bool:
    """Return False when ``NSSF_WARM_KERNELS=0`` asks for ordinary kernels."""
    return os.environ.get(ENV, "1").strip() not in ("0", "false", "no", "off")


def interpreter_of(argv: list[str]) -> list[str] | None:
    """Return ``[python, *options]`` of ``[python, *options, "-m", "ipykernel_launcher", …]``.

    None when the kernel command has another form (no warm kernel can stand in for it).
    """
    for i in range(1, len(argv) - 1):
        if argv[i] == "-m":
            return argv[:i] if argv[i + 1] == LAUNCHER else None
    return None


def prepare(spec, socket_path: str, parent_pid: int, folder: Path) -> list[str] | None:
    """Write the kernel specification of warm kernels; return the server's command.

    The copy of ``spec`` written to ``folder / "kernels" / <name> / "kernel.json"`` (for
    ``KernelSpecManager(kernel_dirs=[folder / "kernels"])``) runs the relay, which asks
    the server listening on ``socket_path`` for a kernel.

    Parameters
    ----------
    spec : nssf_analysis.book.execute.InstalledKernel
        The installed specification (its command must run ``ipykernel_launcher`` with
        this process's interpreter).
    socket_path : str
        Where the server will listen.
    parent_pid : int
        The process the server ends with.
    folder : Path
        Where to write the specification.

    Returns
    -------
    list of str or None
        The command that starts the server with the interpreter and options of the
        kernel command, or None (nothing written) when the specification cannot be
        served warm (another interpreter or command).
    """
    from nssf_analysis.book import warmrelay

    python = interpreter_of(list(spec.argv))
    if python is None or os.path.realpath(python[0]) != os.path.realpath(sys.executable):
        return None
    target = folder / "kernels" / Path(spec.resource_dir).name
    target.mkdir(parents=True, exist_ok=True)
    data = spec.to_dict()
    relay = [sys.executable, "-I", "-S", warmrelay.__file__, socket_path, "--"]
    data["argv"] = relay + list(spec.argv)
    (target / "kernel.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    return [*python, "-m", __name__, socket_path, str(parent_pid)]


# ---------------------------------------------------------------------------- the server


def _preload(modules) -> None:
    import importlib

    for name in modules:
        importlib.import_module(name)


def _drop_cwd_from_path() -> None:
    """Do what ``ipykernel_launcher`` does: the working folder is not on ``sys.path``."""
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]


def serve(socket_path: str, parent_pid: int) -> None:
    """Listen on ``socket_path``, import everything, fork a kernel for each request.

    Ends when its parent (the build) ends (a parent-death signal) or on SIGTERM.
    """
    from nssf_analysis.book.buildcache import set_parent_death_signal
    from nssf_analysis.book.execute import PRELOADED

    set_parent_death_signal(signal.SIGTERM, parent_pid)
    _drop_cwd_from_path()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(socket_path)  # before the imports: a relay may connect and wait meanwhile
    server.listen(16)
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    _preload(SERVER_IMPORTS + tuple(PRELOADED))
    # what is imported stays for every kernel's life: frozen, the kernels' collections
    # pass it over (and leave its memory pages shared with the server)
    gc.freeze()
    import importlib.util

    _LAUNCHER_FILE.append(importlib.util.find_spec(LAUNCHER).origin)  # sys.argv[0] of a kernel
    signal.signal(signal.SIGCHLD, _reap)
    while True:
        conn, _ = server.accept()
        try:
            request, fds = _receive(conn)
        except (OSError, ValueError):
            conn.close()
            continue
        pid = os.fork()
        if pid == 0:
            server.close()
            _become_kernel(request, fds, conn)  # never returns
        for fd in fds:
            os.close(fd)
        try:
            conn.sendall(json.dumps({"pid": pid}).encode())
        except OSError:
            pass
        conn.close()


_LAUNCHER_FILE: list[str] = []


def _reap(signum, frame) -> None:
    """Wait for every kernel that ended (so its CPU time counts as the server's children's)."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    """Read one request: JSON, and the four descriptors sent with it."""
    msg, fds, _flags, _addr = socket.recv_fds(conn, MAX_REQUEST, 4)
    chunks = [msg]
    while True:  # the rest of the JSON, if it came in more than one piece
        more = conn.recv(MAX_REQUEST)
        if not more:
            break
        chunks.append(more)
    if len(fds) != 4:
        for fd in fds:
            os.close(fd)
        raise ValueError("a request without its four descriptors")
    return json.loads(b"".join(chunks)), list(fds)


def _watch_relay(fd: int) -> None:
    """End the kernel when its relay is gone (the pipe's write end closes)."""
    while True:
        try:
            if not os.read(fd, 1):
                break
        except InterruptedError:
            continue
        except OSError:
            break
    os._exit(1)


def _become_kernel(request: dict, fds: list[int], conn: socket.socket) -> None:
    """In the forked child: become the kernel ``request`` describes, then exit."""
    code = 1
    try:
        conn.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        out, err, relay_gone, alive = fds
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        for fd in (devnull, out, err):
            os.close(fd)
        os.set_inheritable(alive, False)  # held until the kernel ends: the relay waits on it
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [_LAUNCHER_FILE[0], *request["args"]]
        threading.Thread(target=_watch_relay, args=(relay_gone,), daemon=True).start()
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m nssf_analysis.book.warmkernel SOCKET PARENT_PID``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m nssf_analysis.book.warmkernel SOCKET PARENT_PID", file=sys.stderr)
        return 2
    serve(args[0], int(args[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
