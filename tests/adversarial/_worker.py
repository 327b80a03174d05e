"""Worker process of the adversarial harness: run a batch of cases, one JSON line per event.

Reads ``{"rlimit_mb": N, "cases": [{"id", "target", "kwargs"}, ...]}`` on stdin and writes
``{"event": "start", "id": ...}`` before each case and ``{"event": "done", ...}`` after it.
The address space is capped (``RLIMIT_AS``), core dumps are off, ``faulthandler`` prints the
Python stack of a crash to stderr, and no connection may leave the loopback interface.
"""

from __future__ import annotations

import faulthandler
import importlib
import ipaddress
import json
import logging
import os
import resource
import socket
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _status_kb(field: str) -> int:
    """A ``/proc/self/status`` field in kB; 0 where there is no /proc (no memory budget then)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


def _loopback_only() -> None:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def allowed(address: Any) -> bool:
        if isinstance(address, tuple) and address:
            host = address[0]
            if host in ("localhost", ""):
                return True
            try:
                return ipaddress.ip_address(host).is_loopback
            except ValueError:
                return False
        return True

    def connect(self: socket.socket, address: Any) -> None:
        if not allowed(address):
            raise RuntimeError(f"adversarial cases may only connect to loopback, not {address!r}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not allowed(address):
            raise RuntimeError(f"adversarial cases may only connect to loopback, not {address!r}")
        return real_connect_ex(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    out = []
    for f in frames:
        path = f.filename
        try:
            path = str(Path(path).resolve().relative_to(ROOT))
        except ValueError:
            path = "/".join(Path(path).parts[-3:])
        out.append(f"{path}:{f.lineno} in {f.name}")
    return " <- ".join(reversed(out))


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _run_one(spec: dict[str, Any]) -> dict[str, Any]:
    module_name, func_name = spec["target"].split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    peak_ok = _reset_peak()
    base = _status_kb("VmRSS")
    result: dict[str, Any] = {"event": "done", "id": spec["id"]}
    t0 = time.perf_counter()
    try:
        note = func(**spec["kwargs"])
    except BaseException as exc:
        result["outcome"] = "raised"
        result["exc"] = _qualname(type(exc))
        result["glue"] = [
            c.__name__ for c in type(exc).__mro__ if c.__module__ == "glue_serde.errors"
        ]
        try:
            text = str(exc)
        except Exception as str_exc:
            text = f"<str() failed: {type(str_exc).__name__}>"
        text = " ".join(text.split())  # one line: symptoms go into tables
        notes = getattr(exc, "__notes__", None)
        if notes:
            text = f"{text[:300]} [{'; '.join(map(str, notes))}]"
        result["message"] = text[:1200]
        if exc.__cause__ is not None:
            result["cause"] = _qualname(type(exc.__cause__))
        result["where"] = _where(exc)
        package = ROOT / "glue_serde"
        result["through_library"] = any(
            Path(f.filename).resolve().is_relative_to(package)
            for f in traceback.extract_tb(exc.__traceback__)
        )
        del exc
    else:
        result["outcome"] = "ok"
        if isinstance(note, str):
            result["note"] = note[:400]
    result["elapsed"] = time.perf_counter() - t0
    peak = _status_kb("VmHWM") if peak_ok else _status_kb("VmRSS")
    result["mem_mb"] = max(0, peak - base) / 1024
    return result


def main() -> None:
    request = json.loads(sys.stdin.read())
    limit = int(request["rlimit_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    faulthandler.enable(file=sys.stderr, all_threads=True)
    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)
    _loopback_only()
    # The protocol gets its own copy of stdout; whatever a case prints goes to stderr.
    sys.stdout.flush()
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    for spec in request["cases"]:
        out.write(json.dumps({"event": "start", "id": spec["id"]}) + "\n")
        out.flush()
        result = _run_one(spec)
        out.write(json.dumps(result) + "\n")
        out.flush()
    out.flush()
    # Cases may leave threads blocked on purpose (a hanging registry): do not wait for them.
    os._exit(0)


if __name__ == "__main__":
    main()
