# Copyright 2026 dgm_robot contributors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""
A small process manager for node processes, doing what `ros2 launch` does where it is absent.

Each child runs in its own process group (so a terminal's Ctrl-C reaches only the manager, which
forwards it once), its output is prefixed with its name and echoed, kept for inspection and
optionally written to a log file, and stopping escalates from SIGINT to SIGTERM to SIGKILL
after timeouts, as ros2 launch does.
"""

from collections import deque
import os
from pathlib import Path
import signal
import subprocess
import sys
import threading
import time

KEPT_LINES = 5000  # output lines kept per child for output()


class ManagedProcess:
    """One child process: its name, Popen, and the output lines it printed."""

    def __init__(self, name, argv, env, echo, log_path):
        self.name = name
        self.argv = list(argv)
        self.lines = deque(maxlen=KEPT_LINES)
        self._echo = echo
        self._changed = threading.Condition()
        self._log = open(log_path, 'w', buffering=1) if log_path else None
        self.popen = subprocess.Popen(
            self.argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, bufsize=1, start_new_session=True)
        self._reader = threading.Thread(target=self._read, name=f'output of {name}', daemon=True)
        self._reader.start()

    @property
    def pid(self):
        """Return the child's process id."""
        return self.popen.pid

    @property
    def returncode(self):
        """Return the exit status, or None while it runs (negative: killed by that signal)."""
        return self.popen.poll()

    def _read(self):
        for line in self.popen.stdout:
            line = line.rstrip('\n')
            if self._echo is not None:
                self._echo.write(f'[{self.name}] {line}\n')
                self._echo.flush()
            if self._log is not None:
                self._log.write(line + '\n')
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        self.popen.stdout.close()
        if self._log is not None:
            self._log.close()
        with self._changed:
            self._changed.notify_all()

    def output(self):
        """Return what the child printed so far (stdout and stderr), one string."""
        with self._changed:
            return '\n'.join(self.lines)

    def wait_for_output(self, text, timeout):
        """Wait until a line containing `text` appears; return it, or None at the timeout."""
        end = time.monotonic() + timeout
        with self._changed:
            while True:
                found = next((line for line in self.lines if text in line), None)
                left = end - time.monotonic()
                if found is not None or left <= 0 or not self._reader.is_alive():
                    return found
                self._changed.wait(min(left, 0.5))

    def signal(self, signum):
        """Send `signum` to the child if it still runs."""
        if self.popen.poll() is None:
            try:
                self.popen.send_signal(signum)
            except ProcessLookupError:
                pass

    def join_output(self, timeout=5.0):
        """Wait for the output reader to finish after the child exited."""
        self._reader.join(timeout)


class ProcessGroup:
    """
    Children started by name; stop() or leaving the `with` block ends them all.

    `echo` gets every child's output prefixed with `[name] ` (None: keep it quiet); `log_dir`
    also writes each child's output to <log_dir>/<name>.log.
    """

    def __init__(self, *, env=None, echo=sys.stdout, log_dir=None):
        self.env = dict(os.environ if env is None else env)
        self.echo = echo
        self.log_dir = Path(log_dir) if log_dir else None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
        self.processes = {}

    def start(self, name, argv, env=None):
        """Start `argv` as child `name` (unique in the group); return its ManagedProcess."""
        if name in self.processes and self.processes[name].returncode is None:
            raise ValueError(f'a process named {name!r} is already running in this group')
        log_path = self.log_dir / f'{name}.log' if self.log_dir is not None else None
        child_env = {**self.env, 'PYTHONUNBUFFERED': '1', **(env or {})}
        process = ManagedProcess(name, argv, child_env, self.echo, log_path)
        self.processes[name] = process
        return process

    def __getitem__(self, name):
        return self.processes[name]

    def returncodes(self):
        """Return {name: exit status or None while running}."""
        return {name: p.returncode for name, p in self.processes.items()}

    def running(self):
        """Return the names of the children still running."""
        return [name for name, code in self.returncodes().items() if code is None]

    def failed(self):
        """Return {name: exit status} of the children that exited with a non-zero status."""
        return {name: code for name, code in self.returncodes().items() if code}

    def signal(self, signum, names=None):
        """Send `signum` to the named children (default: all)."""
        for name in names or list(self.processes):
            self.processes[name].signal(signum)

    def wait(self, timeout=None, names=None):
        """Wait until the named children (default: all) exit; return True if they did in time."""
        names = names or list(self.processes)
        end = None if timeout is None else time.monotonic() + timeout
        while any(self.processes[n].returncode is None for n in names):
            if end is not None and time.monotonic() >= end:
                return False
            time.sleep(0.05)
        for name in names:
            self.processes[name].join_output()
        return True

    def stop(self, names=None, timeout=10.0, first=None):
        """
        End the named children (default: all): `first` (SIGINT), then SIGTERM, then SIGKILL.

        Each step waits up to `timeout` s. Returns {name: exit status}.
        """
        names = names or list(self.processes)
        first = signal.SIGINT if first is None else first
        for signum in dict.fromkeys((first, signal.SIGTERM, signal.SIGKILL)):
            left = [n for n in names if self.processes[n].returncode is None]
            if not left:
                break
            self.signal(signum, left)
            self.wait(timeout, left)
        return {name: self.processes[name].returncode for name in names}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
