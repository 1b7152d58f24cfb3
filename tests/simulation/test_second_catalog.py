"""The second simulated product (``field_service``) writes a landing zone in its own names.

Nothing of the default catalog may leak into it: the pipeline is measured on it as a product it
was not written around, so a feature key, event, plan or use case left over from ``analytics``
would make that measurement meaningless.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.simulation.conftest import event_lines, read_csv
from uptake.simulation import PRESETS, SimulationSummary, simulate
from uptake.simulation.catalog import ANALYTICS, CATALOGS, FIELD_SERVICE, Catalog, Feature


@pytest.fixture(scope="module")
def field_service(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SimulationSummary]:
    root = tmp_path_factory.mktemp("field_service")
    return root, simulate(root, seed=7, catalog="field_service", **PRESETS["tiny"])


def test_the_catalog_files_are_the_second_products(
    field_service: tuple[Path, SimulationSummary],
) -> None:
    root, summary = field_service
    assert summary.catalog == "field_service"
    _, features = read_csv(root / "catalog" / "features.csv")
    assert [f["feature_key"] for f in features] == [f.key for f in FIELD_SERVICE.features]
    assert not {f["feature_key"] for f in features} & {f.key for f in ANALYTICS.features}
    _, plans = read_csv(root / "catalog" / "plan_features.csv")
    assert {row["plan"] for row in plans} == {"essentials", "professional", "premier"}
    _, product = read_csv(root / "catalog" / "product.csv")
    assert {"key": "product_name", "value": "Dispatchly"} in product


def test_crm_events_and_truth_use_its_plans_use_cases_and_events(
    field_service: tuple[Path, SimulationSummary],
) -> None:
    root, _ = field_service
    plans, use_cases = set(), set()
    for folder in sorted((root / "crm").glob("dt=*")):
        plans |= {row["Plan__c"] for row in read_csv(folder / "subscriptions.csv")[1]}
        use_cases |= {row["Primary_Use_Case__c"] for row in read_csv(folder / "accounts.csv")[1]}
    assert plans and plans <= {"essentials", "professional", "premier"}
    assert use_cases and use_cases <= set(FIELD_SERVICE.use_cases)

    sent = set()
    for _, _, line in event_lines(root):
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue  # the planted malformed lines
        if isinstance(message, dict) and message.get("type") == "track":
            sent.add(message.get("event"))
    vocabulary = set(FIELD_SERVICE.event_vocabulary())
    assert {"Job Scheduled", "Job Booked", "App Opened"} <= sent
    assert not sent & (set(ANALYTICS.event_vocabulary()) - vocabulary)

    _, truth = read_csv(root / "_truth" / "feature_truth.csv")
    assert {row["feature_key"] for row in truth} <= {f.key for f in FIELD_SERVICE.features}
    assert {row["plan"] for row in truth} <= {"essentials", "professional", "premier"}


def test_an_unknown_catalog_or_an_inconsistent_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="catalog must be one of"):
        simulate(tmp_path, accounts=2, months=1, catalog="nope")
    feature = FIELD_SERVICE.features[0]
    with pytest.raises(ValueError, match="one relevance per use case"):
        Catalog(
            "broken", {}, ("A",), (1.0,), FIELD_SERVICE.plan_names,
            (feature,), FIELD_SERVICE.rename,
        )  # fmt: skip
    renamed = Feature(**{**feature.__dict__, "events": ("Job Scheduled",), "relevance": (1.0,)})
    with pytest.raises(ValueError, match="renamed feature"):
        Catalog(
            "broken", {}, ("A",), (1.0,), FIELD_SERVICE.plan_names,
            (renamed,), FIELD_SERVICE.rename,
        )  # fmt: skip
    assert sorted(CATALOGS) == ["analytics", "field_service"]
