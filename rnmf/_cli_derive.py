"""``rnmf derive``: fixed points and stability conditions of a population model.

Registered by :mod:`rnmf.cli` (``_derive_parser(sub)``); the work is done by
:func:`rnmf.theory.symbolic.derive`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["_cmd_derive", "_derive_parser"]


def _parse_param(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"--param needs NAME=VALUE, got {text!r}")
    try:
        return name.strip(), float(value)
    except ValueError:
        raise ValueError(f"--param {name.strip()}: {value!r} is not a number") from None


def _parse_function(text: str) -> tuple[str, str]:
    name, sep, spec = text.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"--function needs NAME=SPEC (e.g. f=sigmoid(a,theta)), got {text!r}")
    return name.strip(), spec.strip()


def _model(args: argparse.Namespace) -> Any:
    from rnmf.models.populations import BUILTIN_MODELS, PopulationModel

    params = dict(_parse_param(p) for p in args.param)
    if args.equation:
        if args.model not in (None, "custom"):
            raise ValueError("give either a built-in MODEL or --equation lines (MODEL 'custom')")
        return PopulationModel(
            equations=tuple(args.equation),
            params=params,
            functions=dict(_parse_function(f) for f in args.function),
            name="custom",
        )
    if args.model not in BUILTIN_MODELS:
        raise ValueError(
            f"unknown model {args.model!r}; built-in models: {', '.join(BUILTIN_MODELS)} "
            "(or 'custom' with --equation)"
        )
    return BUILTIN_MODELS[args.model](**params)


def _cmd_derive(args: argparse.Namespace) -> int:
    from rnmf.results import ConvergenceError
    from rnmf.theory.symbolic import derive

    model = _model(args)
    try:
        text = derive(model, latex=args.latex, n_starts=args.starts)
    except ConvergenceError as exc:
        print(f"rnmf: error: {exc}", file=sys.stderr)
        return 1
    print(text)
    return 0


def _derive_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``derive`` subcommand to the subparsers ``sub``."""
    p = sub.add_parser(
        "derive",
        help="fixed points and stability conditions of a population model",
        description="Derive a population rate model's Jacobian, saddle-node, Hopf, Routh-Hurwitz, "
        "ISN and paradoxical-response conditions, and find every fixed point with its "
        "stability. Examples: rnmf derive wilson-cowan --param I_E=1 --latex; "
        "rnmf derive custom --equation 'tau*d(r) = -r + f(w*r + I)' --function f=tanh "
        "--param tau=1 --param w=2 --param I=0.1",
    )
    p.add_argument("model", nargs="?", default=None,
                   help="wilson-cowan, isn (threshold-linear E-I), ssn, or custom")  # fmt: skip
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter value (repeat)")  # fmt: skip
    p.add_argument("--equation", action="append", default=[], metavar="EQ",
                   help="an equation 'tau * d(r) = rhs' of a custom model (repeat)")  # fmt: skip
    p.add_argument("--function", action="append", default=[], metavar="NAME=SPEC",
                   help="a transfer function of a custom model, e.g. f=sigmoid(a,theta)")  # fmt: skip
    p.add_argument("--latex", action="store_true", help="print the conditions as LaTeX")
    p.add_argument("--starts", type=int, default=64, help="starts of the fixed-point search (64)")
    p.set_defaults(func=_cmd_derive)
    return p
