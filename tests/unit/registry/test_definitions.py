"""The embedded registry's definition digests: SHA-256, whichever implementation computes it."""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glue_serde.registry import _definitions


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_the_digest_is_hashlibs_sha256_of_the_utf8_text(text: str) -> None:
    assert _definitions.sha256(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_known_answer() -> None:
    assert _definitions.sha256("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


@pytest.mark.skipif(
    not any(importlib.util.find_spec(m) for m in ("_sha2", "_sha256")),
    reason="this interpreter was built without its own SHA-256 (hashlib's OpenSSL is used)",
)
def test_a_consumer_that_verifies_definitions_does_not_load_openssl() -> None:
    # CPython ships its own SHA-256 (``_sha256`` or ``_sha2``): reading a registry file must not
    # load ``hashlib``'s OpenSSL module, which costs a cold start about 2 ms.
    code = (
        "import sys\n"
        "from glue_serde.registry import _definitions\n"
        "_definitions.sha256('x')\n"
        "print('_hashlib' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
