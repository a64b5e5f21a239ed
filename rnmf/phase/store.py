"""The append-only, resumable store of a sweep (``sweep(..., store=DIR)``).

Storage format
--------------
A store is a directory with ``manifest.json`` (model parameters, axes, function
name, seeds and a SHA-256 key of all of them; written once, atomically through a
temporary file and :func:`os.replace`) and ``points.jsonl``, an append-only log
with one JSON line per finished point (or seed run).  Each line is handed to the
kernel in a single ``write`` on an ``O_APPEND`` descriptor as soon as its point
finishes, so a killed process loses nothing that finished; ``fsync`` runs at
most once a second and at the end, so a power cut loses at most the last second.
A torn last line (the only damage a crash can do to an append-only log) is
detected and dropped on reading.  One log rather than one file per point keeps a
10^4-point sweep at two files and avoids 10^4 ``fsync`` calls; only the driver
process writes, workers return their results to it.  Floats are written with
Python's shortest round-trip repr, so a resumed diagram equals an uninterrupted
one bit for bit.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._encoding import _encode, _import, _qualname

__all__ = ["StoreMismatchError"]

_STORE_FORMAT = "rnmf-phase-store"
_STORE_VERSION = 1

# a record: (flat index, seed index or -1, ok, message, values, elapsed seconds)
_Record = tuple[int, int, bool, str, dict, float]


class StoreMismatchError(ValueError):
    """A store directory was made by a different sweep (model, axes, function or seeds)."""


class _Store:
    """Directory store: manifest.json + append-only points.jsonl (see module docstring)."""

    def __init__(self, path: str | os.PathLike, manifest: dict) -> None:
        self.path = Path(path)
        self.log = self.path / "points.jsonl"
        self.fd: int | None = None
        self.last_sync = 0.0
        mpath = self.path / "manifest.json"
        if self.path.exists() and not self.path.is_dir():
            raise ValueError(f"store {str(self.path)!r} exists and is not a directory")
        if mpath.exists():
            try:
                old = json.loads(mpath.read_text())
            except (OSError, ValueError) as exc:
                raise StoreMismatchError(
                    f"store {str(self.path)!r} has an unreadable manifest ({exc}); "
                    "it was left untouched: use another directory"
                ) from exc
            if old.get("format") != _STORE_FORMAT:
                raise StoreMismatchError(
                    f"{str(mpath)!r} is not an rnmf phase store; it was left untouched"
                )
            if old.get("key") != manifest["key"]:
                old = _renamed_manifest(old)
                if _key(_key_source(old)) != manifest["key"]:
                    raise StoreMismatchError(_mismatch_message(self.path, old, manifest))
        elif self.path.exists() and any(self.path.iterdir()):
            raise StoreMismatchError(
                f"store directory {str(self.path)!r} is not empty and has no manifest.json: "
                "it is not an rnmf phase store; give an empty or new directory"
            )
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            tmp = self.path / f".manifest.{os.getpid()}.tmp"
            with open(tmp, "w") as fh:
                json.dump(manifest, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, mpath)
            _fsync_dir(self.path)

    def read(self) -> dict[tuple[int, int], _Record]:
        """Records already stored, keyed by (index, seed index); a torn tail is dropped."""
        done: dict[tuple[int, int], _Record] = {}
        if not self.log.exists():
            return done
        data = self.log.read_bytes()
        end = data.rfind(b"\n") + 1  # bytes after the last newline are a torn write
        for line in data[:end].splitlines():
            try:
                r = json.loads(line)
                rec = (
                    int(r["i"]),
                    int(r["s"]),
                    bool(r["ok"]),
                    str(r["m"]),
                    dict(r["v"]),
                    float(r["t"]),
                )
            except (ValueError, KeyError, TypeError):
                continue
            done[(rec[0], rec[1])] = rec
        self._valid_end = end
        self._size = len(data)
        return done

    def open(self) -> None:
        if self.log.exists() and getattr(self, "_size", 0) > getattr(self, "_valid_end", 0):
            os.truncate(self.log, self._valid_end)  # drop a torn last line before appending
        self.fd = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.last_sync = time.monotonic()

    def append(self, records: Iterable[_Record]) -> None:
        lines = []
        for i, s, ok, message, values, elapsed in records:
            lines.append(
                json.dumps({"i": i, "s": s, "ok": ok, "m": message, "v": values, "t": elapsed})
            )
        if not lines or self.fd is None:
            return
        os.write(self.fd, ("\n".join(lines) + "\n").encode())
        now = time.monotonic()
        if now - self.last_sync > 1.0:
            os.fsync(self.fd)
            self.last_sync = now

    def close(self) -> None:
        if self.fd is not None:
            os.fsync(self.fd)
            os.close(self.fd)
            self.fd = None


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory descriptors
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _mismatch_message(path: Path, old: dict, new: dict) -> str:
    diffs = []
    om, nm = old.get("model", {}), new["model"]
    if om.get("__dataclass__") != nm.get("__dataclass__"):
        diffs.append(
            f"model type {om.get('__dataclass__')} (store) vs {nm.get('__dataclass__')} (now)"
        )
    else:
        of, nf = om.get("fields", {}), nm.get("fields", {})
        for k in sorted(set(of) | set(nf)):
            if of.get(k) != nf.get(k):
                diffs.append(f"model field {k}: {of.get(k)!r} (store) vs {nf.get(k)!r} (now)")
    for key in ("axes", "fn", "seeds", "seed"):
        if old.get(key) != new.get(key):
            if key == "axes":
                diffs.append(
                    f"axes {_axes_summary(old.get('axes'))} (store) vs {_axes_summary(new['axes'])} (now)"
                )
            else:
                diffs.append(f"{key}: {old.get(key)!r} (store) vs {new.get(key)!r} (now)")
    if not diffs:
        diffs.append("store key differs")
    return (
        f"store {str(path)!r} was made by a different sweep: "
        + "; ".join(diffs)
        + ". Nothing in it was changed: use another directory, or delete this one to start over."
    )


def _axes_summary(axes: Any) -> str:
    if not isinstance(axes, dict):
        return repr(axes)
    parts = []
    for k, v in axes.items():
        if isinstance(v, list) and v:
            parts.append(f"{k}[{len(v)}: {v[0]}..{v[-1]}]")
        else:
            parts.append(f"{k}={v!r}")
    return "{" + ", ".join(parts) + "}"


def _manifest(
    model: Any, axes: Mapping[str, np.ndarray], fn: Callable, seeds: int | None, seed: int | None
) -> dict:
    key_src = {
        "model": _encode(model, compare_only=True),
        "axes": {k: v.tolist() for k, v in axes.items()},
        "fn": _qualname(fn),
        "seeds": seeds,
        "seed": seed,
    }
    key = _key(key_src)
    return {
        "format": _STORE_FORMAT,
        "version": _STORE_VERSION,
        "key": key,
        "model": key_src["model"],
        "model_full": _encode(model),
        "axes": key_src["axes"],
        "fn": key_src["fn"],
        "seeds": seeds,
        "seed": seed,
    }


def _key(key_src: dict) -> str:
    """SHA-256 of the identity of a sweep (model, axes, function name, seeds)."""
    return hashlib.sha256(json.dumps(key_src, sort_keys=True).encode()).hexdigest()


def _current_name(name: Any) -> Any:
    """Qualified name of the object ``name`` imports to now (``name`` if it does not import)."""
    if not isinstance(name, str):
        return name
    try:
        return _qualname(_import(name))
    except Exception:  # noqa: BLE001 - not importable here: the name stays as it is
        return name


def _renamed(value: Any) -> Any:
    if isinstance(value, list):
        return [_renamed(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _renamed(v) for k, v in value.items()}
    for tag in ("__dataclass__", "__enum__", "__callable__"):
        if tag in out:
            out[tag] = _current_name(out[tag])
    return out


def _key_source(manifest: dict) -> dict:
    return {k: manifest.get(k) for k in ("model", "axes", "fn", "seeds", "seed")}


def _renamed_manifest(old: dict) -> dict:
    """A stored manifest with its class and function names brought up to date.

    A class or function that moved to another module keeps importing under its old
    name through an alias (``rnmf.models.RateNetwork``, now
    ``rnmf.models.rate.RateNetwork``; ``rnmf.problems.rate_theory``, now
    ``rnmf.phase.problems.rate.rate_theory``): a store that names the same objects
    by their old names was made by the same sweep and is resumed.
    """
    out = dict(old)
    if "model" in old:
        out["model"] = _renamed(old["model"])
    if "fn" in old:
        out["fn"] = _current_name(old["fn"])
    return out
