"""The shared text classifier: tickets, notes, normalisation, determinism, the benchmark's
refusal without its data set. Small synthetic texts only; no data set needed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from uptake.ml.model_specs import load_intent_spec
from uptake.ml.text_classifier import (
    NO_THEME,
    analyse,
    classify_notes,
    fit_note_classifier,
    normalise,
    note_theme_labels,
    predict_labels,
    predict_proba,
    prepare_frame,
    template_headers,
    text_frame,
    top_terms,
)
from uptake.ml.ticket_intent import build_classifier
from uptake.settings import Settings

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_text.py"

TICKETS = {
    "how-to": [
        ("How do I export a report", "Where is the setting to export the monthly report?"),
        ("How can I add users", "How do I invite a colleague to the workspace?"),
        ("Setting up alerts", "How can I configure an alert for my team?"),
        ("Question about filters", "Is there a way to save a filter? How do I do that?"),
    ],
    "bug": [
        (
            "Export crashes",
            "Export fails with error 500.\n```\nTraceback (most recent call last):\n```",
        ),
        ("Dashboard broken", "The dashboard shows an exception since the update: crash."),
        ("Login error", "Login fails with an error message, it is broken for everyone."),
        ("Sync failing", "Sync is failing with exception TimeoutError at 12:00."),
    ],
    "feature-request": [
        ("Dark mode please", "It would be great to have a dark mode. Please add it."),
        ("Support for SSO", "Please add support for single sign-on, would be great."),
        ("Feature request: API", "Feature request: an API to pull reports, would be great."),
        ("Wish: CSV import", "We wish there was a CSV import. Please add this feature."),
    ],
    "complaint": [
        ("Unacceptable downtime", "This is unacceptable, we are very frustrated and disappointed."),
        ("Refund", "Terrible service, we want a refund, we are frustrated."),
        ("Disappointed", "Really disappointed with support, this is unacceptable."),
        ("Cancel", "We will cancel, the service has been terrible and frustrating."),
    ],
}


def _tickets() -> tuple[pd.DataFrame, list[str]]:
    rows = [(t, b, intent) for intent, pairs in TICKETS.items() for t, b in pairs] * 3
    frame = text_frame([r[0] for r in rows], [r[1] for r in rows])
    return frame, [r[2] for r in rows]


def test_it_learns_a_small_ticket_set(settings: Settings) -> None:
    frame, labels = _tickets()
    model = build_classifier(load_intent_spec(settings)).fit(frame, labels)
    assert predict_labels(model, frame) == labels
    unseen = text_frame(
        ["How do I change my password", "Upload crashes", "Please add a calendar view"],
        ["Where is the setting?", "It fails with an error 500.", "It would be great."],
    )
    assert predict_labels(model, unseen) == ["how-to", "bug", "feature-request"]
    probabilities = predict_proba(model, unseen)
    assert sorted(probabilities.columns) == sorted(TICKETS)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    terms = top_terms(model, per_class=3)
    assert set(terms["intent"]) == set(TICKETS) and len(terms) == 12


def test_same_data_twice_gives_the_same_model(settings: Settings) -> None:
    frame, labels = _tickets()
    spec = load_intent_spec(settings)
    first = build_classifier(spec).fit(frame, labels)
    second = build_classifier(spec).fit(frame.copy(), list(labels))
    probe = text_frame(["Export problem", "Where is it"], ["It fails sometimes", "How do I?"])
    assert predict_labels(first, probe) == predict_labels(second, probe)
    assert np.array_equal(predict_proba(first, probe), predict_proba(second, probe))


def test_normalisation_replaces_code_traces_urls_and_numbers() -> None:
    body = (
        "<!-- delete this -->See https://example.com/x and `foo()` in v1.2.3\n"
        '  File "app.py", line 3, in main\n'
        "```python\nprint(1)\n```\nDone <b>Bug</b>"
    )
    text = normalise(body)
    for placeholder in ("zzurl", "zzcode", "zznum", "zztraceline", "zzcodeblock"):
        assert placeholder in text
    assert "delete this" not in text and "print" not in text and "<b>" not in text
    assert "Bug" in text and "Done" in text
    headers = template_headers("### Steps to reproduce\r\n1. x\n**Expected behavior**\ntext")
    assert headers == "h_steps_to_reproduce h_expected_behavior"
    assert template_headers("no headers here") == "h_none"


def test_input_columns_are_checked() -> None:
    with pytest.raises(KeyError, match="title"):
        prepare_frame(pd.DataFrame({"body": ["x"]}))


def test_a_champion_trained_on_one_text_column_still_predicts() -> None:
    old = Pipeline(
        [
            ("features", ColumnTransformer([("tfidf", TfidfVectorizer(), "text")])),
            ("classifier", LogisticRegression()),
        ]
    ).fit(
        pd.DataFrame({"text": ["export fails. error", "how do. where is"] * 4}),
        ["bug", "how-to"] * 4,
    )
    frame = text_frame(["export fails", "how do"], ["error", "where is"])
    assert predict_labels(old, frame) == ["bug", "how-to"]


NOTES = {
    "training": [
        "Users are confused by reports and need a walkthrough.",
        "The team struggles with the editor; suggested training.",
        "They do not know how to build dashboards, offered guidance.",
    ],
    "product_fit": [
        "Reports do not fit their process; they went back to spreadsheets.",
        "The editor lacks what they need, they use a competitor.",
        "Automation is not working for them, they built a workaround.",
    ],
    "urgency": [
        "Automation is not a priority this quarter, revisit later.",
        "Other projects come first; they have no time for exports now.",
        "They are busy, will look at the API next quarter.",
    ],
    "not_relevant": [
        "Mobile does not apply to their team.",
        "They have no need for exports at the moment.",
        "The API is not relevant for how they work.",
    ],
    NO_THEME: [
        "Monthly check-in, discussed the roadmap.",
        "Sent the usage summary, waiting for feedback.",
        "Renewal signed for another term.",
    ],
}


def test_note_themes_and_sentiment(settings: Settings) -> None:
    bodies = [body for theme in NOTES for body in NOTES[theme]] * 2
    themes = [theme for theme in NOTES for _ in NOTES[theme]] * 2
    # the phrase rule labels each example note with its theme: the rule is the fallback
    assert note_theme_labels(bodies) == themes
    rule = classify_notes(None, ["Users are confused by reports.", "Great QBR, they love it."])
    assert list(rule["theme"]) == ["training", NO_THEME]
    assert rule["sentiment"].iloc[0] < 0 < rule["sentiment"].iloc[1]

    model = fit_note_classifier(bodies, themes, load_intent_spec(settings).model_params)
    assert list(classify_notes(model, bodies)["theme"]) == themes
    result = classify_notes(model, ["They are frustrated: the editor does not fit, no value."])
    assert result["theme"].iloc[0] == "product_fit"
    assert 0.0 < result["probability"].iloc[0] <= 1.0
    assert result["sentiment"].iloc[0] == -1.0
    with pytest.raises(ValueError, match="unknown note themes"):
        fit_note_classifier(["x y"], ["happy"], {})


def test_analyse_without_a_model_uses_the_keyword_rule() -> None:
    result = analyse(None, text_frame(["Crash"], ["The export fails with an error"]))
    assert list(result["label"]) == ["bug"] and np.isnan(result["probability"].iloc[0])


def _bench():  # the benchmark script, loaded as a module
    spec = importlib.util.spec_from_file_location("bench_text", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_says_where_to_get_its_data(tmp_path: Path) -> None:
    bench = _bench()
    with pytest.raises(SystemExit, match="nlbse2024/issue-report-classification") as error:
        bench.main(["--data", str(tmp_path)])
    assert "issues_train.csv" in str(error.value) and str(tmp_path) in str(error.value)
    for name in bench.FILES:
        pd.DataFrame({"repo": ["a"], "label": ["bug"], "title": ["t"]}).to_csv(
            tmp_path / name, index=False
        )
    with pytest.raises(SystemExit, match=r"lacks column\(s\) \['body'\]"):
        bench.main(["--data", str(tmp_path)])


def test_a_repositorys_model_weights_the_other_repositories_rows() -> None:
    bench = _bench()
    rows = pd.DataFrame({"repo": ["a", "b", "a", "c"], "intent": ["bug"] * 4, "n": [0, 1, 2, 3]})
    own, own_weights = bench.training_rows(rows, "a", 0.0)
    assert list(own["n"]) == [0, 2] and list(own_weights) == [1.0, 1.0]
    mixed, weights = bench.training_rows(rows, "a", 0.25)
    assert list(mixed["n"]) == [0, 2, 1, 3] and list(weights) == [1.0, 1.0, 0.25, 0.25]
    with pytest.raises(SystemExit):
        bench.main(["--other-weight", "0"])
