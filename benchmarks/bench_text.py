"""The text classifier on real issue reports: NLBSE'24 issue report classification.

    python benchmarks/bench_text.py [--data DIR] [--cv] [--other-weight W]

DIR holds ``issues_train.csv`` and ``issues_test.csv`` (columns repo, label, title, body) from
the ``data/`` folder of the public GitHub repository nlbse2024/issue-report-classification;
the data set is not shipped with Uptake. Labels map to intents bug -> bug, feature ->
feature-request, question -> how-to. Every model is built by the product's own
``uptake.ml.ticket_intent.build_classifier`` with the product's spec (``ml/ticket_intent.toml``).

Printed: macro F1 per repository and their mean (the published protocol: one model per
repository, scored on its test rows), the pooled figure (one model on all training rows, scored
on all test rows), beside baselines computed in the same run (the keyword rule, and plain word
TF-IDF + logistic regression on title + body), with wall times. Each learned model's
per-repository figures are printed twice: trained on its repository's training rows alone, and
trained on them plus the other repositories' training rows at sample weight W (default 0.25;
the competition's rules allow any input derived from the training split). ``--cv`` scores
5-fold cross-validation on the training split instead of the test split: that is what
hyperparameters (and W) were chosen with; the test split is for the final figure only.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from uptake.ml.features import keyword_intent
from uptake.ml.model_specs import IntentSpec, load_intent_spec
from uptake.ml.ticket_intent import build_classifier
from uptake.settings import get_settings

DEFAULT_DATA = Path(__file__).resolve().parent / "data" / "nlbse24"
FILES = ("issues_train.csv", "issues_test.csv")
COLUMNS = ("repo", "label", "title", "body")
LABELS = {"bug": "bug", "feature": "feature-request", "question": "how-to"}
SOURCE = (
    "the data/ folder of the public GitHub repository nlbse2024/issue-report-classification "
    "(issues_train.csv and issues_test.csv)"
)
# Published per-repository means on the same test split (NLBSE'24 baselines and reports),
# printed for orientation only; nothing here is computed from them.
PUBLISHED = {"fastText": 0.718, "RoBERTa": 0.792, "SetFit": 0.824}
FOLDS = 5
# The other repositories' rows count this much in a repository's model (1 = pooled training).
# Chosen by cross-validation on the training split: 0.1 / 0.25 / 0.5 / 1 (docs/models.md).
OTHER_REPOSITORY_WEIGHT = 0.25


class DataMissing(SystemExit):
    pass


def load(data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both splits with intents in ``intent``; a missing file or column is a clear error."""
    missing = [name for name in FILES if not (data / name).is_file()]
    if missing:
        raise DataMissing(
            f"bench_text: {', '.join(missing)} not found in {data}. The NLBSE'24 data set is "
            f"not shipped with Uptake: download {SOURCE} into that folder, or pass --data DIR."
        )
    frames = []
    for name in FILES:
        frame = pd.read_csv(data / name)
        absent = [column for column in COLUMNS if column not in frame.columns]
        if absent:
            raise SystemExit(f"bench_text: {name} lacks column(s) {absent}")
        unknown = sorted(set(frame["label"]) - set(LABELS))
        if unknown:
            raise SystemExit(f"bench_text: {name} has labels {unknown}; expected {list(LABELS)}")
        frame = frame.assign(
            intent=frame["label"].map(LABELS),
            title=frame["title"].fillna("").astype(str),
            body=frame["body"].fillna("").astype(str),
        )
        frames.append(frame.reset_index(drop=True))
    return frames[0], frames[1]


def plain_tfidf() -> Pipeline:
    """The baseline: word 1-2-gram TF-IDF over ``title + ". " + body``, logistic regression."""
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode")
    return Pipeline(
        [
            ("features", ColumnTransformer([("tfidf", vectorizer, "text")])),
            ("classifier", LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)),
        ]
    )


def _joined(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"text": (frame["title"] + ". " + frame["body"]).to_numpy()})


Predictor = Callable[[pd.DataFrame, np.ndarray, pd.DataFrame], np.ndarray]


def product_model(spec: IntentSpec) -> Predictor:
    """The product's classifier, built exactly as training builds it."""

    def run(train: pd.DataFrame, weights: np.ndarray, test: pd.DataFrame) -> np.ndarray:
        model = build_classifier(spec).fit(
            train[["title", "body"]], train["intent"], classifier__sample_weight=weights
        )
        return model.predict(test[["title", "body"]])

    return run


def plain_model(train: pd.DataFrame, weights: np.ndarray, test: pd.DataFrame) -> np.ndarray:
    model = plain_tfidf().fit(_joined(train), train["intent"], classifier__sample_weight=weights)
    return model.predict(_joined(test))


def keyword_rule(train: pd.DataFrame, weights: np.ndarray, test: pd.DataFrame) -> np.ndarray:
    return np.array([keyword_intent(t) for t in (test["title"] + ". " + test["body"])])


def training_rows(
    rows: pd.DataFrame, repo: str, other_weight: float
) -> tuple[pd.DataFrame, np.ndarray]:
    """A repository's training rows (weight 1), then the others' at ``other_weight`` if > 0."""
    own = rows["repo"] == repo
    if other_weight <= 0:
        return rows[own], np.ones(int(own.sum()))
    ordered = pd.concat([rows[own], rows[~own]])
    return ordered, np.where(ordered["repo"] == repo, 1.0, other_weight)


def splits(train: pd.DataFrame, test: pd.DataFrame, cv: bool):
    """(train, evaluation) pairs: the given split, or stratified folds of the training split."""
    if not cv:
        yield train, test
        return
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    for fit_rows, held_rows in folds.split(train, train["repo"] + "|" + train["intent"]):
        yield train.iloc[fit_rows], train.iloc[held_rows]


def evaluate(
    predictor: Predictor,
    train: pd.DataFrame,
    test: pd.DataFrame,
    cv: bool,
    other_weight: float = 0.0,
    pooled: bool = True,
) -> dict[str, float]:
    """Per-repository macro F1 (one model per repository, the others' rows at
    ``other_weight``), their mean, and pooled macro F1 (one model on every repository), each
    over the evaluation rows of every split."""
    started = time.perf_counter()
    per_repo: dict[str, list[np.ndarray]] = {}
    pooled_truth, pooled_predicted = [], []
    for fit_rows, eval_rows in splits(train, test, cv):
        for repo, held in eval_rows.groupby("repo"):
            rows, weights = training_rows(fit_rows, str(repo), other_weight)
            per_repo.setdefault(repo, []).append(
                np.c_[held["intent"], predictor(rows, weights, held)]
            )
        if pooled:
            pooled_truth.append(eval_rows["intent"].to_numpy())
            pooled_predicted.append(predictor(fit_rows, np.ones(len(fit_rows)), eval_rows))
    scores = {}
    for repo, pairs in sorted(per_repo.items()):
        both = np.vstack(pairs)
        scores[repo] = f1_score(both[:, 0], both[:, 1], average="macro")
    scores["mean per repository"] = float(np.mean(list(scores.values())))
    scores["pooled"] = (
        f1_score(np.concatenate(pooled_truth), np.concatenate(pooled_predicted), average="macro")
        if pooled
        else np.nan
    )
    scores["seconds"] = time.perf_counter() - started
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"default {DEFAULT_DATA}")
    parser.add_argument("--cv", action="store_true", help="5-fold CV on the training split")
    parser.add_argument(
        "--other-weight",
        type=float,
        default=OTHER_REPOSITORY_WEIGHT,
        help="sample weight of the other repositories' rows in a repository's model "
        f"(default {OTHER_REPOSITORY_WEIGHT})",
    )
    args = parser.parse_args(argv)
    if not 0 < args.other_weight <= 1:
        parser.error(f"--other-weight must be in (0, 1], not {args.other_weight}")
    train, test = load(args.data)
    where = f"{FOLDS}-fold cross-validation on the training split" if args.cv else "test split"
    print(f"NLBSE'24 issue reports: {len(train)} train / {len(test)} test rows; scored on {where}")
    product = product_model(load_intent_spec(get_settings()))
    with_others = f"+ other repositories at {args.other_weight:g}"
    rows = {
        "Uptake text classifier": evaluate(product, train, test, args.cv),
        f"Uptake, {with_others}": evaluate(
            product, train, test, args.cv, args.other_weight, pooled=False
        ),
        "plain TF-IDF + LR": evaluate(plain_model, train, test, args.cv),
        f"plain, {with_others}": evaluate(
            plain_model, train, test, args.cv, args.other_weight, pooled=False
        ),
        "keyword rule": evaluate(keyword_rule, train, test, args.cv),
    }
    repos = sorted(train["repo"].unique())
    columns = [*repos, "mean per repository", "pooled", "seconds"]
    table = pd.DataFrame(rows).T[columns]
    table.columns = [c.split("/")[-1] for c in columns]
    print(table.to_string(float_format="{:.3f}".format, na_rep="-"))
    print(
        "macro F1; 'mean per repository' is the published protocol; published means on the "
        "test split: " + ", ".join(f"{name} {value:.3f}" for name, value in PUBLISHED.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
