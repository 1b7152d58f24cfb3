"""Persona logic without MLflow: profiles, k selection, naming, the written table."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from mart_fixtures import AS_OF, build_marts

from uptake.ml import personas
from uptake.ml.model_specs import load_persona_spec
from uptake.settings import Settings

NAMES = {"reports": "Reports", "api": "API access", "sync": "Sync"}


def _usage(rows: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    """(account, feature, days before AS_OF, events) -> fct_feature_usage_daily rows."""
    return pd.DataFrame(
        [(a, f, AS_OF - timedelta(days=d), e, 1) for a, f, d, e in rows],
        columns=["account_id", "feature_key", "usage_date", "events", "active_users"],
    )


def test_profiles_are_shares_per_window_and_point_in_time() -> None:
    usage = _usage(
        [
            ("a", "reports", 1, 3),
            ("a", "api", 5, 1),
            ("a", "api", 60, 4),  # only in the 90-day window
            ("a", "reports", -1, 100),  # after the as-of date: ignored
            ("b", "sync", 80, 2),  # nothing in the last 30 days
            ("c", "reports", 120, 9),  # older than 90 days: not profiled
        ]
    )
    profiles = personas.usage_profiles(usage, AS_OF, (30, 90))
    assert list(profiles.index) == ["a", "b"]
    assert profiles.loc["a", "share_30d__reports"] == pytest.approx(0.75)
    assert profiles.loc["a", "share_30d__api"] == pytest.approx(0.25)
    assert profiles.loc["a", "share_90d__api"] == pytest.approx(5 / 8)
    assert profiles.loc["b"].filter(like="share_30d").sum() == 0.0
    assert profiles.loc["b", "share_90d__sync"] == pytest.approx(1.0)


def test_a_missing_usage_column_is_named() -> None:
    with pytest.raises(ValueError, match="events"):
        personas.usage_profiles(_usage([]).drop(columns="events"), AS_OF, (30,))


def test_names_come_from_the_strongest_features_and_stay_unique() -> None:
    strength = pd.DataFrame(
        [
            {"reports": 2.0, "api": 1.2, "sync": -1.0},  # two strong features, strongest first
            {"reports": -0.5, "api": 0.3, "sync": 0.9},  # one above min_z
            {"reports": 0.1, "api": 0.2, "sync": 0.4},  # none: balanced
            {"reports": -0.5, "api": 0.2, "sync": 1.5},  # same name as the second
        ]
    )
    names = personas.persona_names(strength, NAMES, top_features=2, min_z=0.5)
    assert names == [
        "Reports + API access heavy",
        "Sync heavy",
        "balanced usage",
        "Sync heavy (2)",
    ]
    # Windows are averaged per feature before naming.
    centroids = pd.DataFrame([{"share_30d__api": 1.0, "share_90d__api": 0.0}])
    assert personas.feature_strength(centroids).loc[0, "api"] == pytest.approx(0.5)


def _blobs(seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = np.array([[0, 0, 0], [6, 0, 0], [0, 6, 0], [0, 0, 6]], dtype=float)
    return np.vstack([center + rng.normal(0, 0.4, (15, 3)) for center in centers])


def test_k_selection_finds_the_planted_k_and_is_deterministic() -> None:
    data = _blobs()
    first = personas.select_k(data, 3, 8, n_init=5, max_iter=300, random_state=7)
    again = personas.select_k(data, 3, 8, n_init=5, max_iter=300, random_state=7)
    assert first is not None and again is not None
    assert first.k == 4 and set(first.silhouettes) == set(range(3, 9))
    assert first.silhouette == max(first.silhouettes.values())
    assert first.silhouettes == again.silhouettes
    np.testing.assert_array_equal(first.model.labels_, again.model.labels_)


def test_k_selection_stops_where_silhouette_is_undefined() -> None:
    three_points = np.array([[0.0], [1.0], [5.0]])
    assert personas.select_k(three_points, 3, 8, n_init=2, max_iter=50, random_state=0) is None
    same = np.zeros((10, 2))
    assert personas.select_k(same, 2, 4, n_init=2, max_iter=50, random_state=0) is None
    four = np.array([[0.0], [0.1], [5.0], [5.1]])
    picked = personas.select_k(four, 2, 8, n_init=2, max_iter=50, random_state=0)
    assert picked is not None and picked.k == 2 and set(picked.silhouettes) == {2, 3}


def _fixture_inputs() -> tuple[pd.DataFrame, pd.Series, dict[str, str]]:
    marts = build_marts()
    profiles = personas.usage_profiles(marts["fct_feature_usage_daily"], AS_OF, (30, 90))
    peers = marts["dim_accounts"].set_index("account_id")["is_active_customer"]
    adoption = marts["account_feature_adoption"]
    names = dict(zip(adoption["feature_key"], adoption["feature_name"], strict=False))
    return profiles, peers, names


def test_fixture_personas_are_the_planted_groups(settings: Settings) -> None:
    profiles, peers, names = _fixture_inputs()
    spec = load_persona_spec(settings)
    fit = personas.fit_personas(profiles, peers, names, spec)
    assert fit.fitted and fit.selection is not None and fit.selection.k == 3
    assert fit.accounts_fit == int(peers.reindex(profiles.index).sum())
    assert set(fit.centroids["persona_name"]) == {
        "Reports + Dashboards heavy",
        "Salesforce integration + Automated workflows heavy",
        "Mobile app + API access heavy",
    }
    # Every profiled account, churned ones included, lands in its planted group.
    planted = {account: index % 3 for index, account in enumerate(sorted(peers.index))}
    grouped = fit.assignments.assign(group=fit.assignments["account_id"].map(planted))
    assert grouped.groupby("persona_id")["group"].nunique().eq(1).all()
    assert grouped["confidence"].between(0, 1).all() and (grouped["distance"] >= 0).all()

    again = personas.fit_personas(profiles, peers, names, spec)
    pd.testing.assert_frame_equal(fit.assignments, again.assignments)


def test_too_few_peers_give_one_persona_and_say_why(settings: Settings) -> None:
    profiles, peers, names = _fixture_inputs()
    spec = load_persona_spec(settings)
    few = profiles.iloc[:5]
    fit = personas.fit_personas(few, peers, names, spec)
    assert not fit.fitted and fit.selection is None
    assert "(< 30)" in fit.reason and "no k-means" in fit.reason
    assert set(fit.assignments["persona_name"]) == {personas.SINGLE_NAME}
    assert fit.assignments["distance"].notna().all()

    nobody = personas.fit_personas(profiles.iloc[0:0], peers, names, spec)
    assert nobody.assignments.empty and nobody.centroids.empty
    table = personas.persona_table(["x", "y"], nobody, AS_OF, None)
    assert list(table["persona_id"]) == [0, 0]
    assert set(table["persona_name"]) == {personas.NO_USAGE_NAME}

    # Profiles too alike to cluster: one persona as well, with the reason.
    alike = pd.DataFrame({"share_30d__reports": [1.0] * 40}, index=[f"a{i}" for i in range(40)])
    flat = personas.fit_personas(alike, pd.Series(True, index=alike.index), names, spec)
    assert not flat.fitted and "too few distinct profiles" in flat.reason


def test_the_table_holds_every_account_and_replaces_the_previous_one(settings: Settings) -> None:
    import duckdb

    profiles, peers, names = _fixture_inputs()
    fit = personas.fit_personas(profiles, peers, names, load_persona_spec(settings))
    table = personas.persona_table(list(peers.index), fit, AS_OF, "4")
    assert len(table) == len(peers) and table["account_id"].is_unique
    no_usage = table[table["persona_id"] == personas.NO_USAGE_ID]
    assert len(no_usage) == len(peers) - len(profiles)
    assert no_usage["model_version"].isna().all()
    assert (table.loc[table["persona_id"] > 0, "model_version"] == "4").all()

    con = duckdb.connect()
    try:
        assert personas.publish_personas(con, table) == len(table)
        assert personas.publish_personas(con, table.head(3)) == 3
        written = con.execute("select * from marts.account_personas").fetchdf()
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_name = 'account_personas'"
            ).fetchall()
        )
    finally:
        con.close()
    assert len(written) == 3
    assert types == personas.TABLE_COLUMNS
    assert written["as_of_date"].iloc[0] == pd.Timestamp(date(2026, 6, 30))
