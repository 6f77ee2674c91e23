#!/usr/bin/env python3
"""Runs the test command with a time limit and explains a hang instead of waiting forever.

Usage: watch.py SECONDS COMMAND...

The command's output is passed through. If it has not finished after SECONDS, this prints the
tests that started and never finished and every thread's stack of every process under the
command (with gdb, when installed), kills the command and runs it once more: a hang is reported
loudly either way, and the exit status is the second run's. A run that fails without hanging is
never repeated.
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time

STARTED = re.compile(r"◇ Test (.+?) started\.")
ENDED = re.compile(r"[✔✘] Test (.+?) (?:passed|failed|skipped)")


def descendants(pid):
    """Process ids below `pid`, read from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def command_line(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def explain(process, running):
    print("\n==== HANG: the tests did not finish in time ====", flush=True)
    print("Tests started and never finished:", flush=True)
    for name in sorted(running):
        print(f"  {name}", flush=True)
    for pid in descendants(process.pid):
        line = command_line(pid)
        print(f"\n---- process {pid}: {line[:300]}", flush=True)
        if "xctest" not in line and "swiftpm-testing-helper" not in line:
            continue
        try:
            trace = subprocess.run(
                ["gdb", "-p", str(pid), "-batch", "-ex", "thread apply all bt 40"],
                capture_output=True, text=True, timeout=180,
            ).stdout
            print(trace[-60000:], flush=True)
        except (OSError, subprocess.TimeoutExpired) as error:
            print(f"(no stacks: {error})", flush=True)
    print("==== end of HANG report ====\n", flush=True)


def run(limit, command):
    """Runs `command`; returns its exit status, or None if it had to be killed."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    running = set()

    def pump():
        for raw in process.stdout:
            text = raw.decode(errors="replace")
            sys.stdout.write(text)
            sys.stdout.flush()
            for match in STARTED.finditer(text):
                running.add(match.group(1))
            for match in ENDED.finditer(text):
                running.discard(match.group(1))

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        return process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        explain(process, running)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return None
    finally:
        reader.join(timeout=10)


def main():
    limit, command = float(sys.argv[1]), sys.argv[2:]
    began = time.monotonic()
    status = run(limit, command)
    if status is None:
        print(f"The test run hung after {time.monotonic() - began:.0f} s (report above); running it once more.", flush=True)
        status = run(limit, command)
        if status is None:
            print("The test run hung twice.", flush=True)
            sys.exit(1)
        print(f"Second run finished with status {status}; the first run HUNG (see the report above).", flush=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
