"""Run hostile cases in worker subprocesses, so that no case can take the test run down with it.

A *case* is a module-level function of a test module plus JSON keyword arguments. Cases run in
batches inside worker processes (``python -m tests.adversarial._worker``); the worker reports
one JSON line when a case starts and one when it ends, so the parent always knows which case
is running:

- a crash (segfault, abort) ends the worker: the running case is the culprit. It is run again
  alone to confirm; the batch then resumes after it in a fresh worker;
- a hang: every case has a deadline (``timeout`` seconds). Past it the worker's process group
  is killed and the case fails as a hang;
- memory: the worker runs under ``RLIMIT_AS`` (a hard cap, ``GLUE_SERDE_ADVERSARIAL_RLIMIT_MB``)
  and the peak resident memory of each case is measured (``VmHWM``, reset before every case);
  a case fails when it grows the process by more than its ``mem_mb`` budget.

What a case may end with is its ``expect`` tuple: ``"ok"`` (the function returned) and/or names
of ``glue_serde.errors`` classes (an exception that is an instance of one of them). Anything
else fails the case: a foreign exception (``RecursionError``, ``TypeError``, ...), a library
error of the wrong family, an ``AssertionError`` raised by the case's own checks (a silently
changed value, a lost record), no error where one was required.

All cases a pytest session selects run in one pool (``session_results``):
``GLUE_SERDE_ADVERSARIAL_JOBS`` CPU-bound workers (default 2) and
``GLUE_SERDE_ADVERSARIAL_IDLE_JOBS`` workers (default 8) for cases that mostly wait.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Seconds a case may run unless it says otherwise.
DEFAULT_TIMEOUT = 10.0
#: Megabytes of resident memory a case may add unless it says otherwise.
DEFAULT_MEM_MB = 96.0
#: Seconds a fresh worker may take to import everything and start its first case.
STARTUP_TIMEOUT = 90.0

OK = "ok"


def env_int(name: str, default: int) -> int:
    """Read a positive integer knob from the environment."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {raw!r}")
    return value


#: Fuzz knobs (environment): mutated inputs per fuzz test, and the seed.
DEFAULT_FUZZ_VOLUME = 500
DEFAULT_FUZZ_SEED = 20261128


def fuzz_volume() -> int:
    """``GLUE_SERDE_FUZZ_VOLUME``: mutated inputs per fuzz test (default 500, the CI amount)."""
    return env_int("GLUE_SERDE_FUZZ_VOLUME", DEFAULT_FUZZ_VOLUME)


def fuzz_seed() -> int:
    """``GLUE_SERDE_FUZZ_SEED``: the fuzz seed (default 20261128)."""
    return env_int("GLUE_SERDE_FUZZ_SEED", DEFAULT_FUZZ_SEED)


def ci_fuzz_config() -> bool:
    """True for the default volume and seed: only then do fuzz tests carry xfail markers.

    A longer or differently seeded run reports every finding as a plain failure.
    """
    return fuzz_volume() == DEFAULT_FUZZ_VOLUME and fuzz_seed() == DEFAULT_FUZZ_SEED


def jobs() -> int:
    """Worker processes run in parallel (``GLUE_SERDE_ADVERSARIAL_JOBS``, default 2)."""
    return env_int("GLUE_SERDE_ADVERSARIAL_JOBS", 2)


def idle_jobs() -> int:
    """Workers for cases that mostly wait (``GLUE_SERDE_ADVERSARIAL_IDLE_JOBS``, default 8)."""
    return env_int("GLUE_SERDE_ADVERSARIAL_IDLE_JOBS", 8)


def rlimit_mb() -> int:
    """Address-space cap of each worker (``GLUE_SERDE_ADVERSARIAL_RLIMIT_MB``, default 1536)."""
    return env_int("GLUE_SERDE_ADVERSARIAL_RLIMIT_MB", 1536)


@dataclasses.dataclass(eq=False)
class Case:
    """One hostile input and what may come out of it."""

    id: str
    target: str  # "package.module:function"
    kwargs: dict[str, Any]
    expect: tuple[str, ...]
    timeout: float = DEFAULT_TIMEOUT
    mem_mb: float = DEFAULT_MEM_MB
    xfail: str | None = None
    #: Mostly waits (on a hanging registry, a silent endpoint, a child process): runs in the
    #: pool of idle workers beside the CPU-bound ones, so that waiting cases overlap.
    idle: bool = False
    #: The library error must chain the foreign exception that caused it (``raise ... from``).
    chained: bool = False
    #: After a crash, run the case alone to confirm it is the culprit (fuzz batches skip this:
    #: their inputs are independent and crashes there can be many).
    confirm: bool = True

    @property
    def key(self) -> str:
        """Unique across modules: ``module::id``."""
        return f"{self.target.split(':', 1)[0]}::{self.id}"

    def spec(self) -> dict[str, Any]:
        return {"id": self.key, "target": self.target, "kwargs": self.kwargs}

    def __repr__(self) -> str:
        return f"Case({self.id})"


@dataclasses.dataclass
class Result:
    """What happened to one case."""

    id: str
    kind: str  # "done", "crash", "timeout", "lost"
    outcome: str = ""  # "ok" or "raised" when kind == "done"
    exc: str = ""  # qualified name of the exception raised
    glue: tuple[str, ...] = ()  # glue_serde.errors classes the exception is an instance of
    message: str = ""
    cause: str = ""
    where: str = ""
    elapsed: float = 0.0
    mem_mb: float = 0.0
    returncode: int | None = None
    stderr: str = ""
    note: str = ""
    through_library: bool = True  # the exception's traceback passes through glue_serde

    def verdict(self, case: Case) -> tuple[bool, str]:
        """Return (passed, symptom) for ``case``."""
        if self.kind == "crash":
            code = self.returncode
            if code is not None and code < 0:
                try:
                    name = signal.Signals(-code).name
                except ValueError:
                    name = f"signal {-code}"
                return False, f"crash: killed by {name}{self.note}"
            return False, f"crash: worker exited with code {code}{self.note}"
        if self.kind == "timeout":
            return False, f"hang: no answer within {case.timeout:g} s{self.note}"
        if self.kind != "done":
            return False, f"not run: {self.note or self.kind}"
        if self.mem_mb > case.mem_mb:
            what = "returned" if self.outcome == OK else f"raised {self.exc}"
            return (
                False,
                f"memory: +{self.mem_mb:.0f} MB resident (budget {case.mem_mb:g} MB), {what}",
            )
        if self.outcome == OK:
            if OK in case.expect:
                return True, "ok"
            return False, f"no error: expected {' or '.join(case.expect)}"
        if self.exc == "builtins.AssertionError":
            return False, f"check failed: {self.message}"
        if set(self.glue) & set(case.expect):
            if case.chained and not self.cause:
                return False, f"not chained: {self.exc} has no __cause__: {self.message}"
            return True, self.exc
        if self.glue:
            return False, (
                f"wrong error family: {self.exc} (expected {' or '.join(case.expect)}): "
                f"{self.message}"
            )
        if not self.through_library:
            return False, (
                f"case error (raised by the case's own code, not the library: fix the case): "
                f"{self.exc}: {self.message}"
            )
        return False, f"foreign exception: {self.exc}: {self.message}"

    def describe(self) -> str:
        parts = [f"kind={self.kind}", f"elapsed={self.elapsed:.2f}s", f"mem=+{self.mem_mb:.0f}MB"]
        if self.exc:
            parts.append(f"exception={self.exc}")
        if self.cause:
            parts.append(f"cause={self.cause}")
        text = ", ".join(parts)
        if self.where:
            text += f"\n  raised at: {self.where}"
        if self.message:
            text += f"\n  message: {self.message}"
        if self.stderr:
            text += f"\n  worker stderr (tail):\n{self.stderr}"
        return text


# ---------------------------------------------------------------------------------------------
# Parent side: run batches in workers


def _worker_env(tmpdir: str) -> dict[str, str]:
    env = dict(os.environ)
    env["TMPDIR"] = tmpdir  # everything cases write goes where run_cases cleans up
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["MALLOC_ARENA_MAX"] = "2"  # keep the address space predictable under RLIMIT_AS
    env["PYTHONHASHSEED"] = "0"
    env["GLUE_SERDE_ADVERSARIAL_WORKER"] = "1"
    env["AWS_ACCESS_KEY_ID"] = "testing"
    env["AWS_SECRET_ACCESS_KEY"] = "testing"
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_SESSION_TOKEN", None)
    return env


class _Progress:
    """Counts finished cases; with ``GLUE_SERDE_ADVERSARIAL_PROGRESS=FILE`` appends a line to FILE
    every 1,000 cases (pytest captures the terminal; a long fuzz run is watched with tail -f).
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = 0
        self.total = 0
        self.started = time.monotonic()

    def tick(self) -> None:
        path = os.environ.get("GLUE_SERDE_ADVERSARIAL_PROGRESS")
        with self.lock:
            self.done += 1
            if path and self.done % 1000 == 0:
                with open(path, "a") as fh:
                    fh.write(
                        f"{self.done}/{self.total} cases, {time.monotonic() - self.started:.0f} s\n"
                    )


_progress = _Progress()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _tail(path: str, size: int = 3000) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - size))
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _run_worker(
    batch: Sequence[Case], tmpdir: str
) -> tuple[list[Result], Result | None, list[Case]]:
    """Run ``batch`` in one worker until it ends or a case crashes or hangs.

    Returns the finished results, the failing case's result (crash or hang) if any, and the
    cases not run yet.
    """
    by_id = {c.key: c for c in batch}
    payload = json.dumps({"rlimit_mb": rlimit_mb(), "cases": [c.spec() for c in batch]})
    with tempfile.NamedTemporaryFile(prefix="stderr-", dir=tmpdir, delete=False) as err_file:
        err_path = err_file.name
    try:
        with open(err_path, "wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tests.adversarial._worker"],
                cwd=ROOT,
                env=_worker_env(tmpdir),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                start_new_session=True,
            )
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(payload.encode())
        proc.stdin.close()
        done: list[Result] = []
        finished: set[str] = set()
        current: str | None = None
        started = time.monotonic()
        deadline = started + STARTUP_TIMEOUT
        fd = proc.stdout.fileno()
        buf = b""
        failure: Result | None = None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _kill(proc)
                if current is not None:
                    failure = Result(
                        id=current,
                        kind="timeout",
                        elapsed=time.monotonic() - started,
                        stderr=_tail(err_path),
                    )
                    finished.add(current)
                else:
                    failure = Result(
                        id=next(c.key for c in batch if c.key not in finished),
                        kind="lost",
                        note="the worker did not start the case in time",
                        stderr=_tail(err_path),
                    )
                    finished.add(failure.id)
                break
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                proc.wait()
                if current is not None:
                    failure = Result(
                        id=current,
                        kind="crash",
                        returncode=proc.returncode,
                        elapsed=time.monotonic() - started,
                        stderr=_tail(err_path),
                    )
                    finished.add(current)
                elif len(finished) < len(batch):
                    failure = Result(
                        id=next(c.key for c in batch if c.key not in finished),
                        kind="lost",
                        returncode=proc.returncode,
                        note=f"the worker exited with code {proc.returncode} between cases",
                        stderr=_tail(err_path),
                    )
                    finished.add(failure.id)
                break
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for line in lines:
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue  # not a protocol line
                if not isinstance(msg, dict) or "event" not in msg:
                    continue
                if msg["event"] == "start":
                    current = msg["id"]
                    started = time.monotonic()
                    deadline = started + by_id[msg["id"]].timeout
                elif msg["event"] == "done":
                    fields = {k: v for k, v in msg.items() if k != "event"}
                    fields["glue"] = tuple(fields.get("glue", ()))
                    done.append(Result(kind="done", **fields))
                    finished.add(msg["id"])
                    _progress.tick()
                    current = None
                    deadline = time.monotonic() + STARTUP_TIMEOUT
        proc.stdout.close()
        rest = [c for c in batch if c.key not in finished]
        return done, failure, rest
    finally:
        os.unlink(err_path)


def _drain(
    queue: list[Case], results: dict[str, Result], lock: threading.Lock, tmpdir: str
) -> None:
    try:
        _drain_queue(queue, results, lock, tmpdir)
    except BaseException as exc:  # a harness bug must not lose cases silently
        with lock:
            for case in queue:
                results.setdefault(
                    case.key,
                    Result(id=case.key, kind="lost", note=f"harness error: {exc!r}"),
                )
        raise


def _drain_queue(
    queue: list[Case], results: dict[str, Result], lock: threading.Lock, tmpdir: str
) -> None:
    while queue:
        batch = queue
        done, failure, queue = _run_worker(batch, tmpdir)
        with lock:
            for r in done:
                results[r.id] = r
        if failure is None:
            continue
        culprit = next(c for c in batch if c.key == failure.id)
        if failure.kind in ("crash", "lost") and culprit.confirm and batch.index(culprit) > 0:
            # Name the culprit for sure: run it alone.
            alone_done, alone_failure, _ = _run_worker([culprit], tmpdir)
            if alone_failure is None:
                ran_before = [c.id for c in batch[: batch.index(culprit)]][-5:]
                if alone_done:
                    failure.note = (
                        f" (only after other cases in the same worker: ...{', '.join(ran_before)};"
                        f" alone it gives {alone_done[0].exc or 'ok'})"
                    )
            else:
                failure = alone_failure
        with lock:
            results[failure.id] = failure


def run_cases(cases: Iterable[Case], n_jobs: int | None = None) -> dict[str, Result]:
    """Run every case in worker processes and return the results by ``case.key``."""
    cases = list(cases)
    ids = [c.key for c in cases]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate case ids")
    _progress.total += len(cases)
    busy = [c for c in cases if not c.idle]
    idle = [c for c in cases if c.idle]
    n_jobs = max(1, min(n_jobs or jobs(), len(busy) or 1))
    n_idle = min(idle_jobs(), len(idle))
    queues: list[list[Case]] = [[] for _ in range(n_jobs + n_idle)]
    # Longest first onto the least loaded queue (cases under the default timeout weigh little).
    for group, lanes in ((busy, range(n_jobs)), (idle, range(n_jobs, n_jobs + n_idle))):
        loads = {i: 0.0 for i in lanes}
        for case in sorted(group, key=lambda c: -c.timeout if c.timeout > DEFAULT_TIMEOUT else 0):
            i = min(loads, key=loads.__getitem__)
            queues[i].append(case)
            loads[i] += case.timeout if case.timeout > DEFAULT_TIMEOUT else 0.05
    results: dict[str, Result] = {}
    lock = threading.Lock()
    tmpdir = tempfile.mkdtemp(prefix="glue-serde-adversarial-")
    threads = [
        threading.Thread(target=_drain, args=(q, results, lock, tmpdir), daemon=True)
        for q in queues
        if q
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    for case in cases:  # every case answered, whatever happened to its worker
        results.setdefault(case.key, Result(id=case.key, kind="lost", note="no result"))
    return results


_EXCEPTION_NAME = re.compile(r"\b[a-z_][\w]*(?:\.[\w]+)*\.[A-Z]\w*(?:Error|Exception|Interrupt)\b")


def _symptom_class(symptom: str) -> str:
    """The part of a symptom that names its kind (the message details stay in the example)."""
    if symptom.startswith("memory:"):
        return "memory: over the budget"
    match = _EXCEPTION_NAME.search(symptom)
    if match:
        return symptom[: match.end()]
    return symptom.split(" [", 1)[0][:100]


def summarize(cases: Sequence[Case], results: dict[str, Result]) -> tuple[int, str]:
    """Group the failing cases of a batch by kind of symptom; return (number failing, report)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for case in cases:
        passed, symptom = results[case.key].verdict(case)
        if not passed:
            groups.setdefault(_symptom_class(symptom), []).append((case.id, symptom))
    lines = [
        f"{len(items):5} x {kind}\n        e.g. {', '.join(i for i, _ in items[:5])}"
        f"\n        first: {items[0][1][:200]}"
        for kind, items in sorted(groups.items(), key=lambda kv: -len(kv[1]))
    ]
    return sum(len(v) for v in groups.values()), "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# One run per pytest session


@dataclasses.dataclass(eq=False)
class Batch:
    """Many cases judged together by one test (a fuzz run); a test takes it as ``batch``."""

    name: str
    cases: list[Case]

    def __repr__(self) -> str:
        return f"Batch({self.name}, {len(self.cases)} cases)"


_session_results: dict[int, dict[str, Result]] = {}


def session_results(session: pytest.Session) -> dict[str, Result]:
    """Run, once per session and in one pool of workers, every case the selected tests need."""
    key = id(session)
    if key not in _session_results:
        selected: dict[str, Case] = {}
        for item in session.items:
            params = getattr(getattr(item, "callspec", None), "params", {})
            case, batch = params.get("case"), params.get("batch")
            if isinstance(case, Case):
                selected[case.key] = case
            if isinstance(batch, Batch):
                selected.update((c.key, c) for c in batch.cases)
        _session_results.clear()
        _session_results[key] = run_cases(selected.values())
    return _session_results[key]


# ---------------------------------------------------------------------------------------------
# Declaring cases in a test module


class CaseSet:
    """The cases of one test module; ``make_test()`` turns them into one parametrized test."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.cases: list[Case] = []

    def add(
        self,
        func: Callable[..., Any] | str,
        case_id: str,
        *,
        expect: Sequence[str],
        timeout: float = DEFAULT_TIMEOUT,
        mem_mb: float = DEFAULT_MEM_MB,
        xfail: str | None = None,
        idle: bool = False,
        chained: bool = False,
        **kwargs: Any,
    ) -> Case:
        name = func if isinstance(func, str) else func.__name__
        json.dumps(kwargs)  # must travel to the worker
        case = Case(
            id=case_id,
            target=f"{self.module}:{name}",
            kwargs=kwargs,
            expect=tuple(expect),
            timeout=timeout,
            mem_mb=mem_mb,
            xfail=xfail,
            idle=idle,
            chained=chained,
        )
        if any(c.id == case_id for c in self.cases):
            raise ValueError(f"duplicate case id {case_id!r} in {self.module}")
        self.cases.append(case)
        return case

    def case(
        self,
        *,
        expect: Sequence[str],
        timeout: float = DEFAULT_TIMEOUT,
        mem_mb: float = DEFAULT_MEM_MB,
        xfail: str | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Declare a no-argument case; its id is the function name with dashes."""

        def register(func: Callable[..., Any]) -> Callable[..., Any]:
            self.add(
                func,
                func.__name__.strip("_").replace("_", "-"),
                expect=expect,
                timeout=timeout,
                mem_mb=mem_mb,
                xfail=xfail,
            )
            return func

        return register

    def mark_xfail(self, known: dict[str, str]) -> None:
        """Mark the cases that fail today (``{case id: "<class>: <symptom>"}``).

        Markers are strict: when a fix closes a case, its XPASS fails the run and the entry
        must be removed here.
        """
        ids = {c.id: c for c in self.cases}
        unknown = sorted(set(known) - set(ids))
        if unknown:
            raise ValueError(f"{self.module}: xfail entries for unknown cases: {unknown}")
        for case_id, reason in known.items():
            ids[case_id].xfail = reason

    def make_test(self) -> Callable[..., None]:
        params = [
            pytest.param(
                c,
                id=c.id,
                marks=[pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else [],
            )
            for c in self.cases
        ]

        @pytest.mark.parametrize("case", params)
        def test_case(case: Case, request: pytest.FixtureRequest) -> None:
            results = session_results(request.session)
            result = results.get(case.key)
            if result is None:  # selected after the batch ran (should not happen)
                result = run_cases([case])[case.key]
                results[case.key] = result
            passed, symptom = result.verdict(case)
            assert passed, f"{case.id}: {symptom}\n{result.describe()}"

        return test_case
