"""Warm kernels: each chapter's kernel forked from a process that has imported the libraries.

Every chapter runs on a fresh kernel of its own, as with plain papermill, but the kernel
is not a new Python that imports pandas, matplotlib, seaborn and the package again (two
seconds of CPU per chapter): :class:`ForkProvisioner`, a ``jupyter_client`` kernel
provisioner (registered as ``nssf-fork`` in ``pyproject.toml``), asks the standard
library's ``multiprocessing`` fork server, which has imported :data:`PRELOAD` once,
for a child, and that child becomes the kernel (``ipykernel_launcher`` with the
connection file the kernel manager wrote).  ``make bench`` measures what it buys
(README, "The build").

The fork server ends when the worker process that started it ends; each kernel is
killed when the fork server ends (:func:`~nssf_analysis.book.processes.die_with_parent`),
and ipykernel's own parent poller watches the fork server too.
"""

from __future__ import annotations

import multiprocessing
import os
import runpy
import sys

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.provisioning import LocalProvisioner

from nssf_analysis import processes

__all__ = ["PRELOAD", "ForkProvisioner", "ForkedProcess", "WarmSpecs"]

#: Imported once by the fork server of each worker, before any kernel is forked.  Not
#: ``matplotlib_inline.backend_inline``: imported in the kernel, it makes IPython show
#: the figures a cell leaves open, as on a kernel started plainly.
PRELOAD = [
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "pandas",
    "matplotlib.pyplot",
    "seaborn",
    "IPython.display",
    "nssf_analysis.data.catalog",
    "nssf_analysis.render.tables",
    "nssf_analysis.render.page",
    "nssf_analysis.render.prose",
    "nssf_analysis.render.audit_view",
]


class WarmSpecs(KernelSpecManager):
    """Kernel specifications as installed, started by :class:`ForkProvisioner`."""

    def get_kernel_spec(self, kernel_name):
        """Return the installed specification, with the ``nssf-fork`` provisioner."""
        spec = super().get_kernel_spec(kernel_name)
        spec.metadata = {**spec.metadata, "kernel_provisioner": {"provisioner_name": "nssf-fork"}}
        return spec


class ForkedProcess:
    """The few ``subprocess.Popen`` methods a provisioner uses, for a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, proc: multiprocessing.process.BaseProcess):
        self.proc = proc
        self.pid = proc.pid

    def poll(self) -> int | None:
        """Return the exit code, None while the kernel runs."""
        return None if self.proc.is_alive() else self.proc.exitcode

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the kernel to end; return its exit code."""
        self.proc.join(timeout)
        return self.proc.exitcode

    def send_signal(self, signum: int) -> None:
        """Send ``signum`` to the kernel, unless it has ended (as ``Popen`` does)."""
        if self.poll() is None:
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        """Ask the kernel to end (SIGTERM)."""
        self.proc.terminate()

    def kill(self) -> None:
        """End the kernel (SIGKILL)."""
        self.proc.kill()


def _kernel_main(argv: list[str], env: dict, cwd: str | None, worker: int) -> None:
    """Become the kernel: the environment and folder the manager asked for, then ipykernel.

    The kernel dies with the fork server and with the worker that asked for it.
    """
    processes.die_with_parent()
    processes.die_with(worker)
    os.environ.clear()
    os.environ.update(env, JPY_PARENT_PID=str(os.getppid()))
    if cwd:
        os.chdir(cwd)
    fd = os.open(os.devnull, os.O_RDWR)
    for std in (0, 1, 2):
        os.dup2(fd, std)
    sys.argv = ["ipykernel_launcher", *argv]
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)


class ForkProvisioner(LocalProvisioner):
    """Start a kernel as a child of the worker's fork server instead of a new Python.

    A kernel command without ``-m ipykernel_launcher`` is started as
    :class:`~jupyter_client.provisioning.LocalProvisioner` would.
    """

    async def launch_kernel(self, cmd: list[str], **kwargs):
        """Fork the kernel; return its connection information."""
        at = next(
            (i for i in range(len(cmd) - 1) if cmd[i : i + 2] == ["-m", "ipykernel_launcher"]), None
        )
        if at is None:  # the interpreter's options (-X …) before it are the fork server's
            return await super().launch_kernel(cmd, **kwargs)
        # the inline backend, which ipykernel makes matplotlib's default, before the fork
        # server imports matplotlib
        os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        env = dict(kwargs.get("env") or os.environ)
        args = (cmd[at + 2 :], env, kwargs.get("cwd"), os.getpid())
        proc = ctx.Process(target=_kernel_main, args=args)
        proc.start()
        self.process = ForkedProcess(proc)
        self.pid, self.pgid = proc.pid, None  # signals go to the kernel, not a group
        self.cwd = kwargs.get("cwd")
        return self.connection_info
