"""Read a legacy (pre-1.6, non-zip) `torch.save` file into numpy arrays, without torch.

Layout: four pickles (magic number, protocol version, system info, the object whose tensors
refer to storages by persistent id), a pickled list of storage keys, then each storage's raw
data as an int64 element count followed by the little-endian elements.
"""

from __future__ import annotations

import collections
import pickle
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

MAGIC = 0x1950A86A20F9469CFC6C
PROTOCOL = 1001
DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


@dataclass
class _Storage:
    dtype: type
    numel: int
    data: np.ndarray | None = None


@dataclass
class _Tensor:
    storage: _Storage
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]

    def array(self) -> np.ndarray:
        assert self.storage.data is not None, "storage data not read"
        base = self.storage.data
        item = base.itemsize
        return np.lib.stride_tricks.as_strided(
            base[self.offset :], shape=self.size, strides=tuple(s * item for s in self.stride)
        ).copy()


@dataclass(frozen=True)
class _StorageType:
    dtype: type


def _rebuild_tensor_v2(storage: _Storage, offset: int, size: tuple, stride: tuple, *_: Any) -> _Tensor:
    return _Tensor(storage, offset, tuple(size), tuple(stride))


class _Unpickler(pickle.Unpickler):
    """Allows only the globals a tensor checkpoint needs; storages stay placeholders."""

    def __init__(self, fh: BinaryIO) -> None:
        super().__init__(fh)
        self.storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch" and name in DTYPES:
            return _StorageType(DTYPES[name])
        raise pickle.UnpicklingError(f"unsupported global in checkpoint: {module}.{name}")

    def persistent_load(self, pid: Any) -> _Storage:
        kind, storage_type, key, _location, numel, view = pid
        if kind != "storage" or view is not None:
            raise pickle.UnpicklingError(f"unsupported persistent id: {kind} view={view}")
        return self.storages.setdefault(key, _Storage(storage_type.dtype, int(numel)))


def _materialize(obj: Any) -> Any:
    if isinstance(obj, _Tensor):
        return obj.array()
    if isinstance(obj, dict):
        return type(obj)((k, _materialize(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(_materialize(v) for v in obj)
    return obj


def load(path: Path) -> Any:
    """The checkpoint's object with every tensor replaced by a numpy array."""
    with open(path, "rb") as fh:
        if pickle.load(fh) != MAGIC:
            raise ValueError(f"{path} is not a legacy torch checkpoint")
        if pickle.load(fh) != PROTOCOL:
            raise ValueError(f"{path}: unsupported torch protocol version")
        sys_info = pickle.load(fh)
        if not sys_info.get("little_endian", True):
            raise ValueError(f"{path}: big-endian checkpoints are not supported")
        unpickler = _Unpickler(fh)
        result = unpickler.load()
        for key in pickle.load(fh):
            storage = unpickler.storages[key]
            (numel,) = struct.unpack("<q", fh.read(8))
            if numel != storage.numel:
                raise ValueError(f"{path}: storage {key} has {numel} elements, expected {storage.numel}")
            nbytes = numel * np.dtype(storage.dtype).itemsize
            storage.data = np.frombuffer(fh.read(nbytes), dtype=storage.dtype)
    return _materialize(result)
