"""The append-only, resumable store of a sweep (``sweep(..., store=DIR)``).

Storage format
--------------
A store is a directory with ``manifest.json`` (model parameters, axes, function
name, seeds and a SHA-256 key of all of them, plus the block size of a vectorised
function; written once), ``curves.json`` (the theory boundaries of ``boundary_fns``
with the names of their functions, computed once and read back on resume) and
``points.jsonl``, an append-only log with one JSON line per finished point (or
seed run)::

    {"i": flat index, "s": seed index or -1, "ok": true, "m": "", "v": {"Delta0": 0.31}, "t": 0.002}

Each line is handed to the kernel in a single ``write`` on an ``O_APPEND``
descriptor as soon as its point finishes, so a killed process loses nothing that
finished; ``fsync`` runs at most once a second and at the end, so a power cut
loses at most the last second.  One log rather than one file per point keeps a
10^4-point sweep at two files and avoids 10^4 ``fsync`` calls; only the driver
process writes, workers return their results to it.  Floats are written with
Python's shortest round-trip repr, so a resumed diagram equals an uninterrupted
one bit for bit.

The contract
------------
* **One sweep at a time.**  A running sweep holds an exclusive lock on the
  directory (``flock`` on its descriptor, released when the sweep ends or its
  process dies); a second sweep on the same directory raises
  :class:`StoreInUseError` at once instead of writing into it.
* **Atomic creation.**  The manifest is written to a temporary file and linked to
  ``manifest.json`` with :func:`os.link`, which fails if the name exists: of two
  sweeps that create the same store at once (on file systems without ``flock``)
  exactly one wins, and the other reads the winner's manifest — with ``seed=None``
  it adopts the winner's base seed, with another seed it raises
  :class:`StoreMismatchError`.
* **Foreign directories are left untouched**: a manifest of another sweep (other
  model, axes, function, seeds or seed) raises :class:`StoreMismatchError`; a
  non-empty directory without a manifest is refused too.
* **Damage is dropped, never trusted**: a torn last line (the only damage a crash
  can do to an append-only log) is dropped silently and cut off before appending;
  any other unreadable line, a record whose index lies outside the grid (negative
  or too large) or whose seed index does not match, a value that is not a number or
  a string, and a value whose type disagrees with the rest of the store for that
  field (e.g. a string in a numeric field) are skipped with a warning that names
  the line, and their points are computed again.
* **Read-only stores**: a complete store in a directory that cannot be written is
  read without writing anything; if points are missing, the error says so.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._encoding import _encode, _import, _qualname

__all__ = ["StoreInUseError", "StoreMismatchError"]

_STORE_FORMAT = "rnmf-phase-store"
_STORE_VERSION = 1

# a record: (flat index, seed index or -1, ok, message, values, elapsed seconds)
_Record = tuple[int, int, bool, str, dict, float]


class StoreMismatchError(ValueError):
    """A store directory was made by a different sweep (model, axes, function or seeds)."""


class StoreInUseError(RuntimeError):
    """Another running sweep holds the store directory."""


def _is_scratch(name: str) -> bool:
    """Temporary files of a store being written (ignored when inspecting it)."""
    return name.startswith((".manifest.", ".curves.")) and name.endswith(".tmp")


class _Store:
    """Directory store: manifest.json + append-only points.jsonl (see module docstring).

    Life cycle: ``_Store(path)`` (checks the path, creates the directory, takes the
    lock), :meth:`bind` (reads or creates the manifest, decides the base seed),
    :meth:`read`, :meth:`open` (only when points are missing), :meth:`append`,
    :meth:`close` (always; releases the lock).
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.log = self.path / "points.jsonl"
        self.mpath = self.path / "manifest.json"
        self.fd: int | None = None
        self.lock_fd: int | None = None
        self.last_sync = 0.0
        self.manifest: dict = {}
        self._valid_end = 0
        self._size = 0
        if self.path.exists() and not self.path.is_dir():
            raise ValueError(
                f"store {str(self.path)!r} exists and is not a directory; "
                "give a new or empty directory (or one made by the same sweep)"
            )
        if not self.path.exists():
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ValueError(
                    f"cannot create the store directory {str(self.path)!r}: {exc.strerror or exc}"
                ) from exc
        self._lock()

    # ------------------------------------------------------------------ lock
    def _lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: atomic manifest creation only
            return
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:  # pragma: no cover - platforms without directory descriptors
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreInUseError(
                f"store {str(self.path)!r} is in use by another running sweep (two sweeps "
                "cannot write one store); wait for it to finish and run again to resume, "
                "or give another directory"
            ) from None
        except OSError:  # pragma: no cover - file system without flock (e.g. some NFS)
            os.close(fd)
            return
        self.lock_fd = fd

    # ------------------------------------------------------------------ manifest
    def bind(
        self, make_manifest: Callable[[int | None], dict], seed: int | None, draw: bool
    ) -> int | None:
        """Read or create the manifest and return the base seed to use.

        ``make_manifest(seed)`` builds this sweep's manifest.  With ``draw`` (a
        stochastic sweep called with ``seed=None``) an existing store's seed is
        adopted, and a new store gets fresh entropy.
        """
        for _ in range(3):
            if self.mpath.exists():
                old = self._read_manifest()
                if draw and isinstance(old.get("seed"), int):
                    seed = int(old["seed"])
                manifest = make_manifest(seed)
                if old.get("key") != manifest["key"]:
                    renamed = _renamed_manifest(old)
                    if _key(_key_source(renamed)) != manifest["key"]:
                        raise StoreMismatchError(_mismatch_message(self.path, renamed, manifest))
                self.manifest = old
                return seed
            others = [p.name for p in self.path.iterdir() if not _is_scratch(p.name)]
            if others:
                raise StoreMismatchError(
                    f"store directory {str(self.path)!r} is not empty and has no manifest.json "
                    f"(it holds {', '.join(sorted(others)[:3])}"
                    f"{', ...' if len(others) > 3 else ''}): it is not an rnmf phase store; "
                    "give an empty or new directory"
                )
            if draw:
                seed = int(np.random.SeedSequence().entropy % (2**63))
            manifest = make_manifest(seed)
            if self._create_manifest(manifest):
                self.manifest = manifest
                return seed
            # another sweep created it between our look and our link: read the winner's
        raise StoreInUseError(  # pragma: no cover - needs three lost races in a row
            f"store {str(self.path)!r} is being created by several sweeps at once; run again"
        )

    def _read_manifest(self) -> dict:
        try:
            old = json.loads(self.mpath.read_text())
        except (OSError, ValueError) as exc:
            raise StoreMismatchError(
                f"store {str(self.path)!r} has an unreadable manifest ({exc}); "
                "it was left untouched: use another directory"
            ) from exc
        if not isinstance(old, dict) or old.get("format") != _STORE_FORMAT:
            raise StoreMismatchError(
                f"{str(self.mpath)!r} is not an rnmf phase store; it was left untouched"
            )
        return old

    def _create_manifest(self, manifest: dict) -> bool:
        """Create manifest.json atomically; False if another process created it first."""
        tmp = self.path / f".manifest.{os.getpid()}.{time.monotonic_ns()}.tmp"
        try:
            with open(tmp, "w") as fh:
                json.dump(manifest, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ValueError(
                f"cannot write the store {str(self.path)!r}: {exc.strerror or exc}; "
                "give a writable directory"
            ) from exc
        try:
            os.link(tmp, self.mpath)  # atomic, and fails if the name exists
        except FileExistsError:
            return False
        except OSError:  # pragma: no cover - file system without hard links
            try:
                fd = os.open(self.mpath, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                return False
            with os.fdopen(fd, "w") as fh:
                json.dump(manifest, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_dir(self.path)
        return True

    # ------------------------------------------------------------------ records
    def read(self, n_points: int, seeds: int | None) -> dict[tuple[int, int], _Record]:
        """Records already stored, keyed by (index, seed index).

        A torn tail is dropped silently; every other bad line is skipped with one
        warning that names it (see the module docstring).
        """
        done: dict[tuple[int, int], _Record] = {}
        if not self.log.exists():
            return done
        data = self.log.read_bytes()
        end = data.rfind(b"\n") + 1  # bytes after the last newline are a torn write
        self._valid_end = end
        self._size = len(data)
        bad: list[str] = []
        lineno: dict[tuple[int, int], int] = {}
        for no, line in enumerate(data[:end].splitlines(), start=1):
            if not line.strip():
                continue
            rec, why = _parse_record(line, n_points, seeds)
            if rec is None:
                bad.append(f"line {no} ({why}): {_clip(line)}")
                continue
            done[(rec[0], rec[1])] = rec
            lineno[(rec[0], rec[1])] = no
        # a value whose type disagrees with the rest of the store for its field
        kinds: dict[str, list[int]] = {}
        for rec in done.values():
            for name, v in rec[4].items():
                kinds.setdefault(name, [0, 0])[isinstance(v, str)] += 1
        for name, (n_num, n_str) in kinds.items():
            if n_num and n_str:
                drop_str = n_str <= n_num
                for key in [k for k, r in done.items() if name in r[4]]:
                    v = done[key][4][name]
                    if isinstance(v, str) == drop_str:
                        kind = "numeric" if drop_str else "categorical"
                        bad.append(
                            f"line {lineno[key]} (value {v!r} of field {name!r}, which is "
                            f"{kind} in {max(n_num, n_str)} other records)"
                        )
                        del done[key]
        if bad:
            warnings.warn(
                f"store {str(self.path)!r}: skipped {len(bad)} bad record(s), their points are "
                "computed again: " + "; ".join(bad[:5]) + ("; ..." if len(bad) > 5 else ""),
                RuntimeWarning,
                stacklevel=3,
            )
        return done

    def load_curves(self, spec: dict) -> tuple[dict, dict] | None:
        """Boundary curves saved by :meth:`save_curves` for the same ``spec``, or None."""
        path = self.path / "curves.json"
        try:
            saved = json.loads(path.read_text())
            if saved.get("spec") != spec:
                return None
            curves = {
                k: np.array(v, dtype=float).reshape(-1, len(self.manifest.get("axes", {})))
                for k, v in saved["points"].items()
            }
            return curves, {k: str(v) for k, v in saved["axes"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def save_curves(self, spec: dict, curves: Mapping, curve_axes: Mapping) -> None:
        """Keep the boundary curves (``curves.json``); a read-only store keeps none."""
        data = {
            "spec": spec,
            "axes": dict(curve_axes),
            "points": {k: np.asarray(v).tolist() for k, v in curves.items()},
        }
        tmp = self.path / f".curves.{os.getpid()}.tmp"
        try:
            tmp.write_text(json.dumps(data))
            os.replace(tmp, self.path / "curves.json")
        except OSError:
            tmp.unlink(missing_ok=True)

    def open(self) -> None:
        """Open the log for appending (cutting a torn last line first)."""
        try:
            if self.log.exists() and self._size > self._valid_end:
                os.truncate(self.log, self._valid_end)  # drop a torn last line before appending
            self.fd = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ValueError(
                f"cannot write to the store {str(self.path)!r} ({exc.strerror or exc}) and "
                "points are missing from it; make it writable, or copy it to a writable place "
                "and resume there"
            ) from exc
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
            try:
                os.fsync(self.fd)
            finally:
                os.close(self.fd)
                self.fd = None
        if self.lock_fd is not None:
            os.close(self.lock_fd)  # releases the flock
            self.lock_fd = None


def _clip(line: bytes, n: int = 80) -> str:
    text = line.decode("utf-8", "replace")
    return text if len(text) <= n else text[: n - 3] + "..."


def _parse_record(line: bytes, n_points: int, seeds: int | None) -> tuple[_Record | None, str]:
    """One log line -> (record, "") or (None, reason)."""
    try:
        r = json.loads(line)
    except ValueError:
        return None, "not JSON"
    if not isinstance(r, dict):
        return None, "not a record"
    try:
        i, s, ok, m, v, t = r["i"], r["s"], r["ok"], r["m"], r["v"], r["t"]
    except KeyError as exc:
        return None, f"no key {exc}"
    if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n_points:
        return None, f"index {i!r} outside the grid of {n_points} points"
    if seeds is None:
        if s != -1 or isinstance(s, bool):
            return None, f"seed index {s!r} in a sweep without seeds"
    elif isinstance(s, bool) or not isinstance(s, int) or not 0 <= s < seeds:
        return None, f"seed index {s!r} outside 0..{seeds - 1}"
    if not isinstance(ok, bool) or not isinstance(m, str) or not isinstance(v, dict):
        return None, "bad ok/m/v types"
    if isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t) or t < 0:
        return None, f"bad time {t!r}"
    values: dict[str, float | str] = {}
    for name, val in v.items():
        if isinstance(val, str):
            values[name] = val
        elif isinstance(val, int | float) and not isinstance(val, bool):
            values[name] = float(val)
        else:
            return None, f"value of {name!r} is {type(val).__name__}, not a number or a string"
    return (i, s, ok, m, values, float(t)), ""


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
    model: Any,
    axes: Mapping[str, np.ndarray],
    fn: Callable,
    seeds: int | None,
    seed: int | None,
    block: int | None = None,
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
        "block": block,
    }


def _check_manifest(
    path: str | os.PathLike,
    model: Any,
    axes: Mapping[str, np.ndarray],
    fn: Callable,
    seeds: int | None,
    seed: int | None,
) -> None:
    """Raise :class:`StoreMismatchError` if ``path`` holds another sweep (reads only).

    For a check before any work (the command line); a missing store passes.
    """
    mpath = Path(path) / "manifest.json"
    if not mpath.exists():
        return
    try:
        old = json.loads(mpath.read_text())
    except (OSError, ValueError) as exc:
        raise StoreMismatchError(f"store {str(path)!r} has an unreadable manifest ({exc})") from exc
    if not isinstance(old, dict) or old.get("format") != _STORE_FORMAT:
        raise StoreMismatchError(f"{str(mpath)!r} is not an rnmf phase store")
    if seeds is not None and seed is None and isinstance(old.get("seed"), int):
        seed = int(old["seed"])
    new = _manifest(model, axes, fn, seeds, seed)
    if old.get("key") != new["key"]:
        renamed = _renamed_manifest(old)
        if _key(_key_source(renamed)) != new["key"]:
            raise StoreMismatchError(_mismatch_message(Path(path), renamed, new))


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
