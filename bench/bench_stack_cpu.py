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
CPU of the whole stack per node process, old tree against this one, in one run.

    python bench/bench_stack_cpu.py [--old-rev 6db1863^] [--seconds 60] [--demo-seconds 60]

The idle and per-frame benches time one file at a time; this one runs the commands a user runs.
The old revision is checked out into a temporary git worktree (or --old-tree names one) and
each command runs from that tree (PYTHONPATH) and from this one, one after the other, with this
interpreter:
  * `dgm-robot launch --sim --loopback`: after --warmup seconds, the CPU of each process in the
    launcher's tree over --seconds (CPU seconds per wall second, 1.0 = one core; sim_world
    should stay at most 0.10);
  * `dgm-robot demo --seconds N`: the CPU seconds of the demo and everything it started, from
    start to exit (wait4 of the demo process), its wall time, and each process's share as last
    sampled (every SAMPLE_S; a process's last moments before it exits are missed).
Prints old and new side by side with the ratio old / new.
"""

import argparse
import os
from pathlib import Path
import signal
import subprocess
import sys
import tempfile
import time

import psutil

ROOT = Path(__file__).resolve().parent.parent
OLD_REV = '6db1863^'      # the commit before the executor learnt to sleep
START_TIMEOUT = 180.0     # s for the launch's node processes to appear
STOP_TIMEOUT = 30.0       # s for a launch to stop after SIGINT
SAMPLE_S = 0.5            # s between CPU samples of the demo's processes


def parse_args():
    """Return the command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--old-rev', default=OLD_REV, help='git revision of the old tree')
    parser.add_argument('--old-tree', help='an existing checkout of the old revision to use '
                        '(default: a temporary git worktree of --old-rev)')
    parser.add_argument('--seconds', type=float, default=60.0,
                        help='measured time of the launch (s)')
    parser.add_argument('--warmup', type=float, default=25.0,
                        help='time the launch runs before it is measured (s)')
    parser.add_argument('--demo-seconds', type=float, default=60.0,
                        help='--seconds of the demo (sim time of the tour)')
    parser.add_argument('--only', choices=('launch', 'demo'), help='run one of the two')
    return parser.parse_args()


def tree_env(root, domain):
    """Return the environment that runs the package from `root` on its own ROS domain."""
    env = dict(os.environ)
    paths = [str(root)] + ([env['PYTHONPATH']] if env.get('PYTHONPATH') else [])
    env['PYTHONPATH'] = os.pathsep.join(paths)
    env['ROS_DOMAIN_ID'] = str(domain)
    return env


def cli(*arguments):
    """Return the argv of `dgm-robot` with this interpreter."""
    return [sys.executable, '-m', 'dgm_robot.cli', *arguments]


def node_name(process):
    """Return a process's node name (its __node:= remap), else its command name."""
    try:
        argv = process.cmdline()
    except psutil.Error:
        return f'pid {process.pid}'
    names = [a.split(':=', 1)[1] for a in argv if a.startswith('__node:=')]
    return names[0] if names else process.name()


def cpu_seconds(process):
    """Return a process's user + system CPU seconds, None once it is gone."""
    try:
        return sum(process.cpu_times()[:2])
    except psutil.Error:
        return None


def measure_launch(root, args, domain, log):
    """Return {process: cores} of `launch --sim --loopback` from `root` over args.seconds."""
    with open(log, 'w') as out:
        proc = subprocess.Popen(cli('launch', '--sim', '--loopback'), env=tree_env(root, domain),
                                cwd=tempfile.gettempdir(), stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        launcher = psutil.Process(proc.pid)
        deadline = time.monotonic() + START_TIMEOUT
        while len(launcher.children(recursive=True)) < 4:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f'launch from {root} did not start its nodes:\n'
                                   + Path(log).read_text()[-2000:])
            time.sleep(0.2)
        time.sleep(args.warmup)
        processes = {'launcher': launcher}
        processes.update((node_name(p), p) for p in launcher.children(recursive=True))
        before = {name: cpu_seconds(p) for name, p in processes.items()}
        start = time.perf_counter()
        time.sleep(args.seconds)
        after = {name: cpu_seconds(p) for name, p in processes.items()}
        wall = time.perf_counter() - start
        if proc.poll() is not None or None in after.values():
            raise RuntimeError(f'a process of the launch from {root} exited:\n'
                               + Path(log).read_text()[-2000:])
        return {name: (after[name] - before[name]) / wall for name in processes}
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def measure_demo(root, args, domain, folder):
    """Return (CPU seconds of the demo's tree, wall s, {process: CPU s last sampled}, status)."""
    log = folder / 'demo.log'
    argv = cli('demo', '--seconds', str(args.demo_seconds), '--out', str(folder / 'demo'))
    start = time.perf_counter()
    with open(log, 'w') as out:
        proc = subprocess.Popen(argv, env=tree_env(root, domain), cwd=folder, stdout=out,
                                stderr=subprocess.STDOUT)
    demo = psutil.Process(proc.pid)
    seen = {}   # pid -> (name, CPU s at the last sample)
    while True:
        for process in [demo] + demo.children(recursive=True):
            used = cpu_seconds(process)
            if used is not None:
                name = 'demo' if process.pid == proc.pid else node_name(process)
                seen[process.pid] = (name, used)
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(SAMPLE_S)
    proc.returncode = os.waitstatus_to_exitcode(status)   # reaped here, not by Popen
    wall = time.perf_counter() - start
    per_process = {}
    for name, used in seen.values():
        per_process[name] = per_process.get(name, 0.0) + used
    return usage.ru_utime + usage.ru_stime, wall, per_process, proc.returncode


def ratio(old, new):
    """Return old / new as text, '-' where it has no meaning."""
    return f'{old / new:8.1f}' if old is not None and new else '       -'


def figure(value, digits=2):
    """Return a value as text, '-' when missing."""
    return f'{value:8.{digits}f}' if value is not None else '       -'


def print_table(title, unit, old, new, digits=2):
    """Print {name: value} of old and new side by side."""
    print(f'\n{title}')
    print(f'{"process":18s} {"old":>8s} {"new":>8s} {"old/new":>8s}   ({unit})')
    for name in list(old) + [n for n in new if n not in old]:
        print(f'{name:18s} {figure(old.get(name), digits)} {figure(new.get(name), digits)} '
              f'{ratio(old.get(name), new.get(name))}')
    total_old, total_new = sum(old.values()), sum(new.values())
    print(f'{"total":18s} {figure(total_old, digits)} {figure(total_new, digits)} '
          f'{ratio(total_old, total_new)}')


def run(old_root, args, folder):
    """Measure both trees and print the tables."""
    trees = {'old': old_root, 'new': ROOT}
    base = 100 + os.getpid() % 50
    print(f'old: {args.old_rev} at {old_root}; new: {ROOT}; {os.cpu_count()} cores, '
          f'load average {os.getloadavg()[0]:.1f} before the runs')
    if args.only in (None, 'launch'):
        cores = {}
        for index, (which, root) in enumerate(trees.items()):
            print(f'launch --sim --loopback ({which}): {args.warmup:.0f} s warm-up, '
                  f'{args.seconds:.0f} s measured', flush=True)
            cores[which] = measure_launch(root, args, base + index,
                                          folder / f'launch_{which}.log')
        print_table(f'launch --sim --loopback: CPU per process over {args.seconds:.0f} s',
                    'cores; 1.0 = one core', cores['old'], cores['new'])
        sim = cores['new'].get('sim_world')
        if sim is not None:
            print(f'sim_world (new) at most 0.10 core: {"met" if sim <= 0.10 else "MISSED"}')
    if args.only in (None, 'demo'):
        results = {}
        for index, (which, root) in enumerate(trees.items()):
            print(f'\ndemo --seconds {args.demo_seconds:g} ({which})', flush=True)
            where = folder / which
            where.mkdir()
            results[which] = measure_demo(root, args, base + 2 + index, where)
            if results[which][3]:
                print(f'demo ({which}) exited with status {results[which][3]}:')
                print((where / 'demo.log').read_text()[-2000:])
        (old_cpu, old_wall, old_each, _), (new_cpu, new_wall, new_each, _) = \
            results['old'], results['new']
        print_table(f'demo --seconds {args.demo_seconds:g}: CPU seconds per process '
                    f'(last sample)', 'CPU s', old_each, new_each, 1)
        print(f'\n{"demo, whole tree":18s} {"old":>8s} {"new":>8s} {"old/new":>8s}')
        print(f'{"CPU seconds":18s} {old_cpu:8.1f} {new_cpu:8.1f} {ratio(old_cpu, new_cpu)}')
        print(f'{"wall seconds":18s} {old_wall:8.1f} {new_wall:8.1f} {ratio(old_wall, new_wall)}')
        print(f'{"cores (CPU/wall)":18s} {old_cpu / old_wall:8.2f} {new_cpu / new_wall:8.2f} '
              f'{ratio(old_cpu / old_wall, new_cpu / new_wall)}')
        print('(the old demo starts sim_world with the nodes; the new one starts it once the '
              'nodes report, so the tours differ in start-up and timing)')


def main():
    """Run the benchmark; return the exit status."""
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix='dgm_stack_cpu_') as tmp:
        folder = Path(tmp)
        if args.old_tree:
            run(Path(args.old_tree).resolve(), args, folder)
            return 0
        old_root = folder / 'old_tree'
        subprocess.run(['git', 'worktree', 'add', '--detach', str(old_root), args.old_rev],
                       cwd=ROOT, check=True, capture_output=True)
        try:
            run(old_root, args, folder)
        finally:
            subprocess.run(['git', 'worktree', 'remove', '--force', str(old_root)], cwd=ROOT,
                           check=False, capture_output=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
