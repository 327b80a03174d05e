"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

import uuid

from hypothesis import strategies as st

from glue_serde import Compression

version_ids = st.uuids()
compressions = st.sampled_from(list(Compression))
payloads = st.binary(max_size=2048)


@st.composite
def near_frames(draw: st.DrawFn) -> bytes:
    """Bytes that look like frames: a plausible header with random damage, or pure noise."""
    kind = draw(st.sampled_from(["noise", "header", "zlib-header"]))
    if kind == "noise":
        return draw(st.binary(max_size=64))
    byte1 = 0x05 if kind == "zlib-header" else draw(st.sampled_from([0, 5, 1, 0xFF]))
    vid: uuid.UUID = draw(version_ids)
    body = draw(st.binary(max_size=128))
    return bytes([draw(st.sampled_from([3, 3, 3, 0, 4])), byte1]) + vid.bytes + body
