"""One text classifier for support tickets (intents) and CSM notes (themes), with sentiment.

Pure scikit-learn, nothing downloaded: the input is a frame with a ``title`` and a ``body``
column (a ticket's subject and description; a note has only a body). The pipeline is

    prepare_frame (markdown/code/URL/stack-trace normalisation, template headers)
    -> title words (1-2-grams) | body words (1-2-grams) | characters (2-5, title + body)
       | template headers (``### Steps to reproduce``, ``**Expected**``), each TF-IDF
    -> logistic regression (class-balanced; its probabilities are what ``predict_proba`` gives)

Every hyperparameter comes from the ``[model]`` table of a spec (``ml/ticket_intent.toml``);
:func:`build_text_classifier` is the one build function used by training, scoring and
``benchmarks/bench_text.py``. Sentiment is the documented lexicon rule
(:func:`uptake.ml.features.note_sentiment`): there is no labelled sentiment to learn from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from uptake.ml.features import NOTE_THEMES, keyword_intent, note_sentiment, note_themes

TEXT_COLUMNS = ("title", "body")
NO_THEME = "none"  # the note-theme class of a note that points to no root cause
# Stand-ins for an empty title or a body without headers, so that a vocabulary is never empty
# (notes have no title; many tickets have no template).
NO_TITLE = "zznotitle"
NO_HEADERS = "h_none"

# --- normalisation ---------------------------------------------------------------------------
# Code, traces, URLs and numbers are replaced by one placeholder word each: their content is
# specific to one report, but *that* a report holds a trace or a code block says a lot
# (a bug report pastes a stack trace, a question pastes a snippet).
_COMMENT = re.compile(r"<!--.*?-->", re.S)  # issue templates' hidden instructions
_FENCE = re.compile(r"```.*?(?:```|\Z)", re.S)
_TRACE = re.compile(
    r"(?m)^[ \t]*(?:at \S+.*|File \".*\", line \d+.*|Traceback \(most recent call last\):.*"
    r"|\S+\.(?:py|js|ts|tsx|cpp|cc|c|h|hpp|java|go|rs):\d+.*)$"
)
_URL = re.compile(r"https?://\S+|www\.\S+")
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_HTML_TAG = re.compile(r"<[^>\n]+>")
_NUMBER = re.compile(r"\b\d+(?:\.\d+)*\b")
_HEADER = re.compile(r"(?m)^[ \t]*(#{1,6}[ \t]*\S.*|\*\*[^*\n]{2,80}\*\*:?)[ \t]*$")
_NOT_WORD = re.compile(r"[^a-z]+")


def normalise(text: object) -> str:
    """Markdown body -> plain words with placeholders for code, traces, URLs and numbers."""
    text = str(text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _COMMENT.sub(" ", text)
    text = _FENCE.sub(" zzcodeblock ", text)
    text = _TRACE.sub(" zztraceline ", text)
    text = _URL.sub(" zzurl ", text)
    text = _INLINE_CODE.sub(" zzcode ", text)
    text = _HTML_TAG.sub(" ", text)
    return _NUMBER.sub(" zznum ", text)


def template_headers(text: object) -> str:
    """The Markdown headers and bold labels of a body as tokens (``h_steps_to_reproduce``):
    issue and ticket forms differ by kind, and their headers say which form was used."""
    text = _COMMENT.sub(" ", str(text or "").replace("\r", ""))
    tokens = []
    for header in _HEADER.findall(text):
        slug = _NOT_WORD.sub("_", header.lower().strip("#* :\t")).strip("_")[:40]
        if slug:
            tokens.append(f"h_{slug}")
    return " ".join(tokens) or NO_HEADERS


def prepare_frame(frame: pd.DataFrame, max_body_chars: int = 4000) -> pd.DataFrame:
    """``title``/``body`` -> the four text columns the vectorizers read. A missing input column
    is an error naming it (notes have no title: pass an empty one)."""
    missing = [column for column in TEXT_COLUMNS if column not in frame.columns]
    if missing:
        raise KeyError(f"text classifier input lacks column(s) {missing}")
    titles = frame["title"].fillna("").astype(str).tolist()
    raw_bodies = frame["body"].fillna("").astype(str).tolist()
    bodies = [normalise(body)[:max_body_chars] for body in raw_bodies]
    return pd.DataFrame(
        {
            "title": [title if title.strip() else NO_TITLE for title in titles],
            "body": bodies,
            "headers": [template_headers(body) for body in raw_bodies],
            "all": [f"{title} . {body}" for title, body in zip(titles, bodies, strict=True)],
        }
    )


# --- the model -------------------------------------------------------------------------------
def build_text_classifier(params: Mapping[str, Any]) -> Pipeline:
    """The classifier for any label set, from a spec's ``[model]`` table (defaults below)."""
    p = dict(params)
    words = {
        "ngram_range": (1, int(p.get("word_ngram_max", 2))),
        "sublinear_tf": bool(p.get("sublinear_tf", True)),
        "strip_accents": "unicode",
        "lowercase": True,
        "min_df": int(p.get("min_df", 1)),
    }
    char_range = tuple(int(n) for n in p.get("char_ngram_range", (2, 5)))
    vectorizers = [
        ("title", TfidfVectorizer(**words), "title"),
        ("body", TfidfVectorizer(max_df=float(p.get("body_max_df", 0.9)), **words), "body"),
        (
            "chars",
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(char_range[0], char_range[1]),
                min_df=int(p.get("char_min_df", 2)),
                max_features=int(p.get("char_max_features", 150000)),
                sublinear_tf=True,
                lowercase=True,
            ),
            "all",
        ),
        (
            "headers",
            TfidfVectorizer(token_pattern=r"\S+", binary=True, lowercase=False),
            "headers",
        ),
    ]
    weights = {
        "title": float(p.get("title_weight", 1.0)),
        "body": float(p.get("body_weight", 1.0)),
        "chars": float(p.get("char_weight", 1.0)),
        "headers": float(p.get("header_weight", 0.5)),
    }
    classifier = LogisticRegression(
        C=float(p.get("C", 4.0)),
        class_weight=p.get("class_weight") or None,
        max_iter=int(p.get("max_iter", 3000)),
    )
    prepare = FunctionTransformer(
        prepare_frame, kw_args={"max_body_chars": int(p.get("max_body_chars", 4000))}
    )
    return Pipeline(
        [
            ("prepare", prepare),
            ("features", ColumnTransformer(vectorizers, transformer_weights=weights)),
            ("classifier", classifier),
        ]
    )


def text_frame(titles: Sequence[str] | None, bodies: Sequence[str]) -> pd.DataFrame:
    """The model's input: ``title`` and ``body`` columns (notes: no titles)."""
    titles = [""] * len(bodies) if titles is None else list(titles)
    return pd.DataFrame({"title": titles, "body": list(bodies)})


def _model_input(model: Any, frame: pd.DataFrame) -> pd.DataFrame:
    # A champion trained before this module read one ``text`` column (subject + ". " + body).
    if list(getattr(model, "feature_names_in_", TEXT_COLUMNS)) == ["text"]:
        title = frame["title"].fillna("").astype(str)
        return pd.DataFrame({"text": (title + ". " + frame["body"].fillna("").astype(str))})
    return frame[list(TEXT_COLUMNS)]


def predict_labels(model: Any, frame: pd.DataFrame) -> list[str]:
    if len(frame) == 0:
        return []
    return [str(label) for label in model.predict(_model_input(model, frame))]


def predict_proba(model: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """One probability column per class, rows summing to 1."""
    classes = [str(label) for label in model.classes_]
    if len(frame) == 0:
        return pd.DataFrame(columns=classes, dtype=float)
    return pd.DataFrame(model.predict_proba(_model_input(model, frame)), columns=classes)


def analyse(model: Any | None, frame: pd.DataFrame) -> pd.DataFrame:
    """``label``, ``probability`` (of that label; NaN for the keyword rule) and ``sentiment``
    in [-1, 1] per row; without a model the label is the keyword rule's intent."""
    texts = frame["title"].fillna("").astype(str) + ". " + frame["body"].fillna("").astype(str)
    sentiment = [note_sentiment(text) for text in texts]
    if model is None:
        labels = [keyword_intent(text) for text in texts]
        return pd.DataFrame({"label": labels, "probability": np.nan, "sentiment": sentiment})
    probabilities = predict_proba(model, frame)
    best = probabilities.to_numpy().argmax(axis=1) if len(frame) else np.array([], dtype=int)
    return pd.DataFrame(
        {
            "label": [probabilities.columns[i] for i in best],
            "probability": probabilities.to_numpy()[np.arange(len(best)), best],
            "sentiment": sentiment,
        }
    )


def top_terms(model: Pipeline, per_class: int = 8) -> pd.DataFrame:
    """The features with the largest coefficient for each class (the classifier's importances),
    named ``<vectorizer>__<term>``."""
    features = model.named_steps["features"]
    classifier = model.named_steps["classifier"]
    terms = np.asarray(features.get_feature_names_out())
    coefficients = classifier.coef_
    classes = list(classifier.classes_)
    if coefficients.shape[0] == 1:  # binary: one row, positive = classes[1]
        coefficients = np.vstack([-coefficients[0], coefficients[0]])
    rows: list[dict[str, Any]] = []
    for index, label in enumerate(classes):
        for position in np.argsort(coefficients[index])[::-1][:per_class]:
            rows.append(
                {
                    "intent": label,
                    "feature": f"{label}: {terms[position]}",
                    "term": terms[position],
                    "importance": float(coefficients[index][position]),
                }
            )
    return pd.DataFrame(rows)


# --- notes -----------------------------------------------------------------------------------
NOTE_LABELS: tuple[str, ...] = (*NOTE_THEMES, NO_THEME)


def note_theme_labels(bodies: Sequence[str]) -> list[str | None]:
    """The phrase rule's theme for each note when it names exactly one (``none`` when it names
    no theme, None when several: ambiguous, not a training example)."""
    labels: list[str | None] = []
    for body in bodies:
        themes = note_themes(body)
        labels.append(next(iter(themes)) if len(themes) == 1 else None if themes else NO_THEME)
    return labels


def fit_note_classifier(
    bodies: Sequence[str], themes: Sequence[str], params: Mapping[str, Any]
) -> Pipeline:
    """The same classifier trained on notes labelled with a theme of NOTE_LABELS."""
    unknown = sorted(set(themes) - set(NOTE_LABELS))
    if unknown:
        raise ValueError(f"unknown note themes {unknown}; expected {list(NOTE_LABELS)}")
    return build_text_classifier(params).fit(text_frame(None, bodies), list(themes))


def classify_notes(model: Any | None, bodies: Sequence[str]) -> pd.DataFrame:
    """Per note: ``theme`` (one of NOTE_LABELS), ``probability`` and ``sentiment``. Without a
    model the theme comes from the phrase rule (the first of several, ``none`` for none)."""
    frame = text_frame(None, bodies)
    if model is None:
        themes = [
            next((t for t in NOTE_THEMES if t in note_themes(body)), NO_THEME) for body in bodies
        ]
        sentiment = [note_sentiment(body) for body in bodies]
        return pd.DataFrame({"theme": themes, "probability": np.nan, "sentiment": sentiment})
    return analyse(model, frame).rename(columns={"label": "theme"})
