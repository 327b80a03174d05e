"""Data-format codecs: one module per format, the same names in each.

``codec_for(DataFormat.AVRO)`` imports the format module (and so fastavro, protobuf or
jsonschema) only when first asked, which keeps ``import glue_serde`` light for Lambda cold
starts.
"""

from __future__ import annotations

import importlib
from typing import Any

from glue_serde.codecs._base import (
    Codec,
    Decoder,
    DirectDecoder,
    DirectEncoder,
    DirectRead,
    DirectWrite,
    Encoder,
    FramedCodec,
)
from glue_serde.enums import DataFormat
from glue_serde.errors import ConfigurationError, _brief

__all__ = [
    "Codec",
    "Decoder",
    "DirectDecoder",
    "DirectEncoder",
    "DirectRead",
    "DirectWrite",
    "Encoder",
    "FramedCodec",
    "codec_for",
]

_MODULES = {
    DataFormat.AVRO: ("glue_serde.codecs.avro", "AvroCodec"),
    DataFormat.JSON: ("glue_serde.codecs.json", "JsonCodec"),
    DataFormat.PROTOBUF: ("glue_serde.codecs.protobuf", "ProtobufCodec"),
}


def codec_for(data_format: DataFormat | str, **options: Any) -> Codec:
    """Return a new codec for a data format, importing its module on first use.

    Parameters
    ----------
    data_format
        ``AVRO``, ``JSON`` or ``PROTOBUF`` (enum or its string value).
    **options
        Keyword options of the codec class (e.g. ``reader_schema`` for Avro).

    Returns
    -------
    Codec
        A codec instance with its own parsed-schema cache.

    Raises
    ------
    ConfigurationError
        If the data format is unknown, or its dependency is not installed (the message names
        the extra to install; Avro's fastavro is a core dependency, so it says to reinstall).
    """
    try:
        fmt = DataFormat(data_format)
        module_name, class_name = _MODULES[fmt]
    except (ValueError, KeyError):
        raise ConfigurationError(f"unknown data format: {_brief(data_format)}") from None
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        if fmt is DataFormat.AVRO:  # fastavro is a core dependency: there is no extra for it
            raise ConfigurationError(
                f"AVRO support needs fastavro, a dependency of glue-serde itself, which failed "
                f"to import ({exc.name}: {exc}); reinstall glue-serde"
            ) from exc
        raise ConfigurationError(
            f"{fmt.value} support needs an optional dependency that is not installed "
            f"({exc.name}); install it with: pip install 'glue-serde[{fmt.value.lower()}]'"
        ) from exc
    codec: Codec = getattr(module, class_name)(**options)
    return codec
