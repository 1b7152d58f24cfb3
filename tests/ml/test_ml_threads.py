"""Training and scoring cap the OpenMP/BLAS pools at UPTAKE_ML_THREADS (uptake.ml.threads)."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from threadpoolctl import threadpool_info

from uptake.ml.threads import ml_threads
from uptake.settings import get_settings


def _pool_threads() -> dict[str, int]:
    return {
        f"{pool['user_api']}:{pool['filepath']}": pool["num_threads"] for pool in threadpool_info()
    }


def test_the_block_caps_every_pool_and_restores_it_after() -> None:
    import sklearn.ensemble  # noqa: F401  (loads the OpenMP runtime scikit-learn uses)

    before = _pool_threads()
    assert any(key.startswith("openmp:") for key in before), before
    with ml_threads(1):
        assert set(_pool_threads().values()) == {1}
    assert _pool_threads() == before


def test_a_count_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="threads must be >= 1"), ml_threads(0):
        pass


def test_the_setting_defaults_to_one_and_names_itself_when_wrong() -> None:
    assert get_settings({}).ml_threads == 1
    assert get_settings({"UPTAKE_ML_THREADS": "2"}).ml_threads == 2
    assert get_settings({"UPTAKE_ML_THREADS": "2"}).tool_env()["UPTAKE_ML_THREADS"] == "2"
    for wrong in ("0", "two", "-1"):
        with pytest.raises(ValueError, match="UPTAKE_ML_THREADS must be a whole number >= 1"):
            get_settings({"UPTAKE_ML_THREADS": wrong})


def test_training_and_scoring_run_inside_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """train_all and score_all call the models inside ml_threads(settings.ml_threads)."""
    import uptake.ml.train as train
    import uptake.scoring.run as run

    seen: list[int] = []

    class Stop(Exception):
        pass

    def record(*_args, **_kwargs):
        seen.append(max(pool["num_threads"] for pool in threadpool_info()))
        raise Stop

    import sklearn.ensemble  # noqa: F401  (loads the OpenMP runtime scikit-learn uses)

    if (os.cpu_count() or 1) < 2 or max(_pool_threads().values()) < 2:
        pytest.skip("one core: nothing to cap")
    settings = get_settings({"UPTAKE_ML_THREADS": "1"})
    monkeypatch.setattr(
        train, "load_persona_spec", lambda _s: type("S", (), {"windows_days": [30]})
    )
    monkeypatch.setattr(train, "load_training_inputs", lambda *_a: None)
    monkeypatch.setattr(train, "client_for", lambda _s: None)
    monkeypatch.setattr(train, "load_churn_spec", lambda _s: None)
    monkeypatch.setattr(train, "train_churn", record)
    with pytest.raises(Stop):
        train.train_all(settings)

    monkeypatch.setattr(run, "check_champions", lambda _s: None)
    inputs = SimpleNamespace(scored_at=0, as_of=0)
    monkeypatch.setattr(run, "load_scoring_inputs", lambda *_a: inputs)
    monkeypatch.setattr(run, "load_churn_scorer", record)
    with pytest.raises(Stop):
        run.score_all(settings)
    assert seen == [1, 1]
