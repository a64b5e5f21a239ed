"""The cross-validation layer: Check arithmetic, Report rendering, the CLI."""

import math

import pytest

from rnmf.validate import Check, Report


def test_check_tolerance_is_sem_plus_finite_size_plus_floor():
    c = Check(
        "Delta0",
        "g=2",
        theory=2.0,
        sim=2.05,
        sem=0.01,
        n_seeds=4,
        N=400,
        z=3.0,
        finite_size=2.0,
        order=0.5,
        floor=0.001,
    )
    # allowed = 3 * 0.01 + 2 * 2.0 / sqrt(400) + 0.001 = 0.03 + 0.2 + 0.001
    assert c.allowed == pytest.approx(0.231)
    assert c.passed and c.rel_error == pytest.approx(0.025)
    tight = Check("Delta0", "g=2", theory=2.0, sim=2.05, sem=0.01, n_seeds=4, N=400)
    assert tight.allowed == pytest.approx(0.03) and not tight.passed


def test_check_with_zero_theory_uses_the_floor():
    c = Check("Delta0", "g=0.5", theory=0.0, sim=1e-5, sem=1e-6, n_seeds=3, N=100, floor=1e-3)
    assert c.passed and math.isinf(c.rel_error)
    assert Check("x", "", 0.0, 0.0, 0.0, 2, 10).rel_error == 0.0


def test_check_nan_simulation_fails():
    assert not Check("x", "", 1.0, float("nan"), 0.1, 2, 10, floor=10.0).passed


def test_report_renders_table_and_markdown(tmp_path):
    rows = [
        Check("Delta0", "g=2", 2.0, 2.01, 0.01, 4, 1000, finite_size=2.0),
        Check("lambda_max", "g=2", 0.2, 0.5, 0.01, 4, 1000),
    ]
    rep = Report(checks=rows, meta={"mode": "test"})
    assert not rep.passed and rep.n_failed == 1
    table = rep.table()
    assert "PASS" in table and "FAIL" in table and "2.01 ± 0.01" in table
    path = rep.write(tmp_path / "out")
    text = path.read_text()
    assert "1 of 2 checks passed" in text and "| Delta0 | g=2 |" in text


# ---------------------------------------------------------------- end to end
def test_run_small_suite_checks_theory_against_simulation(tmp_path):
    """A small chaotic network and the discrete map, theory vs simulation end to end."""
    from rnmf import RateNetwork
    from rnmf.validate import Scenario, run

    scn = [
        Scenario(
            "chaotic g=2",
            RateNetwork(N=400, g=2.0),
            T=60.0,
            burn_in=30.0,
            T_lyap=40.0,
            quantities=("Delta0", "lambda_max"),
            lags=(1.0,),
            lyap_rel=0.3,
        ),
        Scenario(
            "map g=2",
            RateNetwork(N=400, g=2.0, time="discrete"),
            T=300,
            burn_in=50,
            T_lyap=300,
            quantities=("Delta0", "lambda_max"),
        ),
    ]
    rep = run(scn, seeds=2, jobs=1, finite_size=False, figures=True)
    names = [c.quantity for c in rep.checks]
    assert names == ["Delta0", "lambda_max", "Delta(tau=1)", "Delta0", "lambda_max"]
    d0 = rep.checks[0]
    assert d0.theory == pytest.approx(
        1.92480541374, rel=1e-9
    )  # SCS 1988, docs/references.md sec. 1
    assert abs(d0.sim - d0.theory) < 0.15 * d0.theory  # N = 400: a few percent
    assert rep.checks[3].theory == pytest.approx(
        2.1214735682, rel=1e-9
    )  # docs/references.md sec. 2
    assert all(c.n_seeds == 2 and c.sem > 0 for c in rep.checks)
    assert set(rep.figures) == {"autocorrelation", "delta0_lambda_vs_g"}
    path = rep.write(tmp_path)
    assert (tmp_path / "autocorrelation.png").stat().st_size > 10_000
    assert "Delta(tau=1)" in path.read_text()


def test_run_is_reproducible_by_seed():
    from rnmf import RateNetwork
    from rnmf.validate import Scenario, run

    scn = [
        Scenario(
            "s",
            RateNetwork(N=200, g=1.5, sigma_noise=0.5),
            T=20.0,
            burn_in=5.0,
            quantities=("Delta0",),
        )
    ]
    a = run(scn, seeds=2, seed=3, jobs=1, finite_size=False, figures=False)
    b = run(scn, seeds=2, seed=3, jobs=1, finite_size=False, figures=False)
    c = run(scn, seeds=2, seed=4, jobs=1, finite_size=False, figures=False)
    assert a.checks[0].samples == b.checks[0].samples != c.checks[0].samples


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(seeds=1), "seeds must be an integer >= 2"),
        (dict(seed=-1), "seed must be an integer >= 0"),
        (dict(jobs=0), "jobs must be an integer >= 1"),
    ],
)
def test_run_rejects_bad_options(kwargs, match):
    from rnmf.validate import run

    with pytest.raises(ValueError, match=match):
        run([], **kwargs)


def test_cli_version_and_bad_input(capsys, tmp_path):
    """Bad arguments exit with status 2 and leave no report folder behind."""
    import rnmf
    from rnmf.cli import main

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and rnmf.__version__ in capsys.readouterr().out
    unused = tmp_path / "unused"
    assert main(["validate", "--seeds", "1", "--out", str(unused)]) == 2
    assert "seeds must be an integer >= 2" in capsys.readouterr().err
    assert main(["validate", "--suite", "nope", "--out", str(unused)]) == 2
    assert not unused.exists()
    assert main([]) == 2


def test_cli_validate_quick(tmp_path, capsys):
    """`rnmf validate --quick --suite rate,stability` end to end: table, report, figures,
    exit status 0 (the other suites' quick runs have their own tests; all suites together
    run in :func:`test_cli_validate_quick_all_suites`, marked slow)."""
    from rnmf.cli import main

    status = main(
        ["validate", "--quick", "--suite", "rate,stability", "--out", str(tmp_path), "--jobs", "2"]
    )
    out = capsys.readouterr().out
    assert "checks passed" in out and "lambda_max" in out
    assert status == 0, out
    assert (tmp_path / "report.md").exists() and (tmp_path / "finite_size.png").exists()


@pytest.mark.slow
def test_cli_validate_quick_all_suites(tmp_path, capsys):
    """`rnmf validate --quick` with every suite (about 5 min of CPU on 2 cores)."""
    from rnmf.cli import main

    status = main(["validate", "--quick", "--out", str(tmp_path), "--jobs", "2"])
    out = capsys.readouterr().out
    assert "checks passed" in out and "lambda_max" in out
    assert status == 0, out
    assert (tmp_path / "report.md").exists() and (tmp_path / "finite_size.png").exists()


def test_unbounded_rows_compare_theory_fate_with_simulation():
    """Issue 10: relu networks whose theory says unbounded diverge in simulation, those with a
    stable quiet state decay, and the threshold network's amplitude barrier separates the two."""
    from rnmf.validate.rate import unbounded_checks

    checks = unbounded_checks(N=300, seeds=2)
    names = [c.quantity for c in checks]
    assert names == [
        "fraction diverged",
        "fraction decayed",
        "fraction decayed",
        "fraction diverged",
        "Delta0 (settles)",
    ]
    assert [c.theory for c in checks[:4]] == [1.0, 1.0, 1.0, 1.0]
    assert all(c.passed for c in checks)
    assert checks[4].theory == pytest.approx(1.1285843, rel=1e-6)


# ---------------------------------------------------------------- bad arguments (issue 10)
@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(N=math.nan), "N"),
        (dict(N=0), "N"),
        (dict(N="100"), "N"),
        (dict(c=math.inf), "c"),
        (dict(c=-1.0), "c"),
        (dict(scale=math.nan), "scale"),
        (dict(scale=None), "scale"),
        (dict(order=math.nan), "order"),
        (dict(order=-math.inf), "order"),
    ],
)
def test_finite_size_term_refuses_bad_arguments_naming_them(kwargs, name):
    """Issue 10 fuzz: ``finite_size_term(N=nan)`` returned NaN and ``N="100"`` a TypeError
    about ``**``; every argument is now checked and named."""
    from rnmf.validate import finite_size_term

    args = dict(c=1.0, scale=2.0, N=100, order=0.5) | kwargs
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        finite_size_term(**args)


def test_finite_size_term_values_and_overflow():
    from rnmf.validate import finite_size_term

    assert finite_size_term(2.0, -3.0, 400, 0.5) == pytest.approx(0.3)
    assert finite_size_term(0.1, 5.0, 10, 0.0) == pytest.approx(0.5)
    assert finite_size_term(1.0, 1.0, 100, 1e300) == 0.0  # N**order overflows to inf: no bias
    with pytest.raises(ValueError, match="overflows"):
        finite_size_term(1e300, 1e300, 1.0)


def test_check_without_a_prediction_fails_instead_of_raising():
    """A row whose theory is NaN is a failed row (allowed = NaN), not an exception."""
    c = Check("x", "", math.nan, 1.0, 0.1, 2, 10, finite_size=1.0)
    assert math.isnan(c.allowed) and not c.passed


@pytest.mark.parametrize("base", [math.nan, -1, 2.5, "1", None, [1, 2]])
def test_seed_for_refuses_a_bad_base_naming_it(base):
    from rnmf.validate import seed_for

    with pytest.raises(ValueError, match=r"\bbase\b"):
        seed_for(base, 1)
    with pytest.raises(ValueError, match=r"keys\[1\]"):
        seed_for(0, 1, -3)
    assert seed_for(3, 1, 2) == seed_for(3.0, 1, 2)


@pytest.mark.parametrize("values", [[1.0, "2"], ["1", "2"], [1 + 1j, 2.0], [object(), 1.0], None])
def test_sem_refuses_values_that_are_not_real_numbers(values):
    from rnmf.validate import sem

    with pytest.raises((TypeError, ValueError), match=r"\bvalues\b"):
        sem(values)
    assert sem([1.0, 2.0, 3.0]) == pytest.approx(1.0 / math.sqrt(3.0))


@pytest.mark.parametrize("suite", ["", " ", ",", "rate,"])
def test_cli_validate_refuses_an_empty_suite_name(suite, tmp_path, capsys):
    """Issue 10 fuzz: ``--suite ""`` ran every suite (tens of seconds); now exit 2 at once."""
    from rnmf.cli import main

    code = main(["validate", "--suite", suite, "--out", str(tmp_path / "r"), "--quick"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--suite" in err and "rate" in err


@pytest.mark.parametrize("name", ["theory", "sim", "sem", "N", "finite_size", "floor"])
@pytest.mark.parametrize("value", ["1.5", None, [1.0]])
def test_check_refuses_numbers_given_as_strings(name, value):
    """Issue 10: ``Check(theory="1.5", ...)`` was accepted and compared text with numbers."""
    args = dict(quantity="q", params="", theory=1.0, sim=1.0, sem=0.1, n_seeds=2, N=10)
    with pytest.raises(TypeError, match=rf"Check\.{name} must be a real number"):
        Check(**(args | {name: value}))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(sd_sqrt_n=math.nan), "sd_sqrt_n"),
        (dict(sd_sqrt_n="1"), "sd_sqrt_n"),
        (dict(N=0), "N"),
        (dict(N=-1.0), "N"),
        (dict(n_networks=0), "n_networks"),
        (dict(n_networks=2.5), "n_networks"),
        (dict(z=math.inf), "z"),
    ],
)
def test_measured_spread_refuses_bad_arguments_naming_them(kwargs, name):
    """Found by the fuzz: ``measured_spread(N=0)`` raised ZeroDivisionError, ``N=-1`` "math
    domain error" and ``sd_sqrt_n=nan`` returned NaN."""
    from rnmf.validate import measured_spread

    args = dict(sd_sqrt_n=2.0, N=100, n_networks=4, z=3.0) | kwargs
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        measured_spread(**args)
    assert measured_spread(2.0, 100, 4) == pytest.approx(3.0 * 2.0 / 20.0)


@pytest.mark.parametrize("values", [1.0, [1.0], "12", [1 + 1j, 2.0], [[1.0, 2.0]], None])
def test_robust_sd_needs_two_real_values(values):
    """Found by the fuzz: a scalar or one value gave ZeroDivisionError."""
    from rnmf.validate import robust_sd

    with pytest.raises(ValueError, match=r"\bvalues\b"):
        robust_sd(values)
    sd, err = robust_sd([1.0, 2.0, 3.0])
    assert sd == pytest.approx(1.4826) and err == pytest.approx(1.65 * 1.4826 / 2.0)


def test_long_studies_go_only_to_suites_that_take_them(monkeypatch):
    """``rnmf validate --long`` passes ``long=True`` to the suites whose run function has
    that keyword (the lif suite: the full-scale microcircuit) and to no other; the same for
    ``--known-gaps`` and ``gaps=True``."""
    from rnmf.validate import suites

    assert suites._takes("lif", "long")
    assert not suites._takes("stability", "long")
    seen = {}

    def fake(name, **options):
        seen[name] = options
        return [], {}

    monkeypatch.setattr(suites, "run_suite", fake)
    suites.run(suites=("lif", "stability"), long=True, figures=False)
    assert seen["lif"]["long"] is True and "long" not in seen["stability"]
    suites.run(suites=("lif",), figures=False)
    assert "long" not in seen["lif"] and "gaps" not in seen["lif"]
    assert suites._takes("lif", "gaps")
    report = suites.run(suites=("lif", "stability"), known_gaps=True, figures=False)
    assert seen["lif"]["gaps"] is True and "gaps" not in seen["stability"]
    assert report.meta["known-gap rows"] == "yes"
