"""Reading NNMT 1.3.0's test fixtures for ``benchmarks/nnmt_fixtures.py``.

The HDF5 files are converted to one NumPy archive by an interpreter that has h5py
(``--h5-python``; rnmf does not depend on h5py) and served as :class:`Fixtures`.  Also
here: the error measure (:func:`rel_err`), the row of the result table (:class:`Row`) and
the registry of comparisons (:func:`compares`, :data:`COMPARISONS`).
"""

from __future__ import annotations

import dataclasses
import math
import subprocess
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

FIX = "tests/fixtures"
UNIT = "unit/data"
INTEG = "integration/data"

H5_DUMP = r"""
import sys
import numpy as np
import h5py
root, out = sys.argv[1], sys.argv[2]
arrays = {}
for rel in sys.argv[3:]:
    with h5py.File(f"{root}/{rel}", "r") as h:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                v = obj[()]
                if isinstance(v, bytes):
                    v = v.decode()
                v = np.asarray(v)
                if v.dtype.kind in "SO":
                    v = v.astype(str)
                arrays[f"{rel}::{name}"] = v
        h.visititems(visit)
np.savez(out, **arrays)
"""


class Fixtures:
    """The datasets of NNMT's fixture files, keyed ``"file::group/dataset"``."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self._a = arrays

    def __call__(self, file: str, path: str) -> np.ndarray:
        return self._a[f"{file}::{path}"]

    def groups(self, file: str, under: str = "") -> list[str]:
        """Names of the groups directly below ``under`` in ``file``."""
        pre = f"{file}::{under + '/' if under else ''}"
        return sorted({k[len(pre) :].split("/")[0] for k in self._a if k.startswith(pre)})

    def has(self, file: str, path: str) -> bool:
        return f"{file}::{path}" in self._a

    def params(self, file: str, group: str) -> dict[str, np.ndarray]:
        pre = f"{file}::{group}/params/"
        return {k[len(pre) :]: v for k, v in self._a.items() if k.startswith(pre)}


def load(checkout: Path, h5_python: str, files: list[str]) -> Fixtures:
    """Convert the fixture files to one NumPy archive with ``h5_python`` and load it."""
    root = checkout / FIX
    missing = [f for f in files if not (root / f).is_file()]
    if missing:
        raise FileNotFoundError(f"not in {root}: {missing}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "fixtures.npz"
        proc = subprocess.run(
            [h5_python, "-c", textwrap.dedent(H5_DUMP), str(root), str(out), *files],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{h5_python} could not read the fixtures:\n{proc.stderr[-2000:]}")
        with np.load(out) as z:
            return Fixtures({k: z[k] for k in z.files})


def rel_err(ours: np.ndarray, ref: np.ndarray) -> float:
    """Largest element-wise relative error, with a floor of 1e-12 max|ref| for zeros."""
    ours, ref = np.asarray(ours), np.asarray(ref)
    if ours.shape != ref.shape:
        raise ValueError(f"shape {ours.shape} != fixture shape {ref.shape}")
    ok = np.isfinite(ref)
    if not np.any(ok):
        return math.nan
    floor = 1e-12 * np.max(np.abs(ref[ok]))
    if floor == 0.0:  # an all-zero reference: the absolute error
        return float(np.max(np.abs(ours[ok])))
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.max(np.abs(ours[ok] - ref[ok]) / np.maximum(np.abs(ref[ok]), floor)))


@dataclasses.dataclass
class Row:
    """One compared quantity of one fixture group."""

    fixture: str
    quantity: str
    function: str
    error: float
    note: str = ""


COMPARISONS: list[tuple[list[str], Callable[[Fixtures], Iterator[Row]]]] = []


def compares(*files: str):
    """Register a comparison that reads ``files`` (relative to ``tests/fixtures``)."""

    def deco(fn):
        COMPARISONS.append((list(files), fn))
        return fn

    return deco
