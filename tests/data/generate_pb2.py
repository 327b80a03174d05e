"""Regenerate the ``*_pb2.py`` modules next to this script from the ``.proto`` files here.

Run from anywhere: ``python tests/data/generate_pb2.py``. Uses the protoc bundled with
grpcio-tools and its copy of the well-known types, so no system protoc is needed. The
generated modules are committed so tests exercise real generated classes; regenerate them
after editing a ``.proto`` file or upgrading grpcio-tools.
"""

from __future__ import annotations

import importlib.resources
import sys
from pathlib import Path

from grpc_tools import protoc

HERE = Path(__file__).resolve().parent
NOQA = "# ruff: noqa\n"
# Files whose generated classes the tests import (shop.proto stays dynamic-only: its short
# package name would be global in the default descriptor pool).
PROTOS = [
    "basic.proto",
    "complex_nesting.proto",
    "complex_nesting_proto2.proto",
    "kitchen_sink2.proto",
    "kitchen_sink3.proto",
]


def main() -> int:
    include = importlib.resources.files("grpc_tools") / "_proto"
    status = protoc.main(["protoc", f"-I{HERE}", f"-I{include}", f"--python_out={HERE}", *PROTOS])
    if status != 0:
        print(f"protoc failed with status {status}", file=sys.stderr)
        return int(status)
    # Generated code is not ours to lint.
    for proto in PROTOS:
        module = HERE / proto.replace(".proto", "_pb2.py")
        text = module.read_text(encoding="utf-8")
        if not text.startswith(NOQA):
            module.write_text(NOQA + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
