"""The process helpers: a child dies with its parent, leftovers are found by their mark."""

import os
import signal
import subprocess
import sys
import time
import uuid

import psutil

from nssf_analysis import processes

#: A parent that starts a child asking to die with it, prints the child's pid, then sleeps.
PARENT = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', "
    "'from nssf_analysis import processes; processes.die_with_parent(); import time; "
    "print(flush=True); time.sleep(120)'], stdout=subprocess.PIPE)\n"
    "child.stdout.readline()\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(120)\n"
)


def _gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def test_a_child_dies_when_its_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    assert psutil.pid_exists(child)
    parent.kill()
    parent.wait(10)
    assert _gone(child)


def test_leftovers_are_the_processes_with_the_mark_and_not_this_one():
    mark = f"test-{uuid.uuid4().hex}"
    env = dict(os.environ, **{processes.MARK: mark})
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], env=env)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        deadline = time.monotonic() + 10
        while not processes.leftovers(mark) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [p.pid for p in processes.leftovers(mark)] == [sleeper.pid]
        assert processes.leftovers(f"test-{uuid.uuid4().hex}") == []
    finally:
        for p in (sleeper, other):
            p.kill()
            p.wait(10)
    assert processes.leftovers(mark) == []


def test_kill_tree_ends_every_descendant():
    code = (
        "import subprocess, sys, time\n"
        "kids = [subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])"
        " for _ in range(2)]\n"
        "print(*(k.pid for k in kids), flush=True)\n"
        "time.sleep(60)\n"
    )
    middle = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    grandchildren = [int(x) for x in middle.stdout.readline().split()]
    assert processes.kill_tree(middle.pid) == 2
    assert all(_gone(pid) for pid in grandchildren)
    assert middle.poll() is None  # the process itself is left running
    os.kill(middle.pid, signal.SIGKILL)
    middle.wait(10)


def test_the_check_command_fails_while_a_marked_process_runs(tmp_path):
    mark = f"test-{uuid.uuid4().hex}"
    env = dict(os.environ, **{processes.MARK: mark})
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], env=env)
    check = [sys.executable, "-m", "nssf_analysis.processes"]
    # the check waits up to ten seconds for processes that are ending: end it sooner
    busy = subprocess.Popen(check, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1)
    sleeper.kill()
    sleeper.wait(10)
    out, err = busy.communicate(timeout=30)
    assert busy.returncode == 0, err
    assert b"processes left running by the session: 0" in out
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], env=env)
    try:
        res = subprocess.run(
            [*check, "--wait", "1"], env=env, capture_output=True, text=True, timeout=60
        )
        assert res.returncode == 1
        assert f"left running: pid {sleeper.pid}" in res.stderr
    finally:
        sleeper.kill()
        sleeper.wait(10)
