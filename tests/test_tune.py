"""Tuning weights: metrics on tiny rankings, a tiny world with obvious best weights,
parity with evaluate, cross-validation, GridSearchCV, and weights fitted to outcomes."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold

from matchmaker import Catalogue, Matchmaker, ProfileVectorizer, Weights, evaluate
from matchmaker.evaluation._evaluate import Judgement, load_judgements
from matchmaker.evaluation._fit_weights import _fit_nonnegative_logistic, fit_weights
from matchmaker.evaluation._outcomes import OutcomeLog
from matchmaker.evaluation._scorer import ranking_scorer
from matchmaker.evaluation._tune import METRICS, TuneResult, _Group, _RankingCache, tune
from matchmaker.ranking._scores import ComponentScores
from matchmaker.ranking._weights import COMPONENTS
from matchmaker.vectors._taxonomy import Taxonomy

from .conftest import tiny_profiles

# In the tiny world, "surface engineering" is offered exactly by the generalist, and
# (as a narrower specialism) by the cladder, which alone has a documented award. These
# judgements want the evidence-backed specialist every time: only a heavy readiness
# weight ranks it first.
SPECIALIST = [
    Judgement(id=f"s{i}", text=text, relevant={"cladder": 3})
    for i, text in enumerate(
        [
            "surface engineering",
            "surface engineering services",
            "laser cladding",
            "surface engineering for engines",
            "surface engineering consultancy",
            "surface engineering of parts",
        ],
        start=1,
    )
]


def _weights(**components: float) -> Weights:
    zero = dict.fromkeys(COMPONENTS, 0.0)
    return Weights.model_validate(zero | components)


# -- metrics on a tiny ranking with hand-computed answers ---------------------------------------
def _tiny_group(k: int) -> _Group:
    scores = ComponentScores(
        {
            "concept": np.array([[1.0, 0.5, 0.0]]),
            "focus": np.zeros((1, 3)),
            "text": np.array([[0.0, 0.5, 1.0]]),
            "meaning": np.zeros((1, 3)),
            "sector": np.zeros((1, 3)),
            "readiness": np.zeros((1, 3)),
        },
        sector_share=np.zeros((1, 1)),
    )
    ids = np.array(["a", "b", "c"], dtype=object)
    return _Group(ids, [scores], [None], [{"a": 3, "c": 1}], k)


def test_metrics_on_a_tiny_ranking_by_hand() -> None:
    group = _tiny_group(k=2)
    ideal = 7 + 1 / math.log2(3)
    # concept only ranks a, b: a (grade 3) first.
    by_concept = {m: float(v[0]) for m, v in group.metrics(_weights(concept=1)).items()}
    assert by_concept == pytest.approx(
        {"ndcg": 7 / ideal, "precision": 0.5, "recall": 0.5, "map": 0.5, "mrr": 1.0}
    )
    # text only ranks c, b: c (grade 1) first.
    by_text = {m: float(v[0]) for m, v in group.metrics(_weights(text=1)).items()}
    assert by_text == pytest.approx(
        {"ndcg": 1 / ideal, "precision": 0.5, "recall": 0.5, "map": 0.5, "mrr": 1.0}
    )


def test_ties_break_by_id_as_in_shortlist() -> None:
    # Equal weights: all three score 0.5, so the ranking is a, b, c.
    group = _tiny_group(k=3)
    ndcg = float(group.metrics(_weights(concept=1, text=1))["ndcg"][0])
    assert ndcg == pytest.approx((7 + 1 / 2) / (7 + 1 / math.log2(3)))


# -- parity with evaluate (the slow, obvious reference) -----------------------------------------
@pytest.fixture(scope="module")
def judged() -> list[Judgement]:
    return load_judgements()[:24]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.lists(st.floats(0.0, 1.0), min_size=len(COMPONENTS), max_size=len(COMPONENTS)).filter(
        lambda w: sum(w) > 0.05
    ),
    k=st.integers(1, 8),
)
def test_cached_rankings_match_evaluate(
    engine: Matchmaker, judged: list[Judgement], raw: list[float], k: int
) -> None:
    weights = _weights(**dict(zip(COMPONENTS, raw, strict=True)))
    cache = _RankingCache(engine, judged, k, "GB")
    reference = evaluate(engine.with_weights(weights), judged, k=k).per_query.set_index("query")
    names = {"ndcg": "ndcg", "precision": "precision", "recall": "recall", "map": "ap", "mrr": "rr"}
    for metric in METRICS:
        got = pd.Series(cache.per_query(weights, metric), index=cache.ids)
        want = reference.loc[cache.ids, f"{names[metric]}@{k}"]
        np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), atol=1e-12)


@pytest.mark.parametrize("reciprocal", [False, True])
def test_cached_rankings_match_evaluate_on_partnerships(
    bundled: Catalogue, reciprocal: bool
) -> None:
    engine = Matchmaker(bundled, reciprocal=reciprocal).fit()
    weights = _weights(concept=0.3, text=0.5, sector=0.1, readiness=0.1)
    cache = _RankingCache(engine, evaluate.__globals__["_partnership_queries"](engine), 5, None)
    reference = evaluate(engine.with_weights(weights), "partnerships", k=5).per_query
    want = reference.set_index("query").loc[cache.ids, "ndcg@5"].to_numpy()
    np.testing.assert_allclose(cache.per_query(weights, "ndcg"), want, atol=1e-12)


# -- tune: a tiny world with an obvious answer ----------------------------------------------------
def test_tune_finds_the_obvious_weights(tiny_engine: Matchmaker) -> None:
    result = tune(
        tiny_engine, SPECIALIST, grid={"readiness": [0.05, 1.0, 5.0]}, k=1, metric="ndcg@1", cv=3
    )
    assert isinstance(result, TuneResult)
    expected = Weights(readiness=5.0).normalised()
    assert result.best_weights.normalised() == pytest.approx(expected)
    assert result.best_weights.strong == tiny_engine.weights_.strong  # thresholds kept
    assert result.train_score == 1.0
    assert result.cv_score == 1.0
    # Default weights rank the cladder first only for "laser cladding": 1 of 6.
    assert result.baseline_score == pytest.approx(1 / 6)
    assert result.improved
    table = result.results
    assert list(table.columns) == [
        *COMPONENTS, "mean_test", "std_test", "rank", "train", "current",
    ]  # fmt: skip
    assert len(table) == 3
    assert table.current.tolist() == [True, False, False]
    assert table.loc[table["rank"] == 1, "readiness"].item() == pytest.approx(
        5 / (0.5 + 0.1 + 0.3 + 0.8 + 0.15 + 5)
    )
    assert "cross-validated" in repr(result)
    assert "in-sample" in repr(result)
    html = result._repr_html_()
    assert html.startswith("<div>")
    assert "<table" in html
    assert "cross-validated" in html


def test_tune_ranks_exactly_as_the_reweighted_engine(tiny_engine: Matchmaker) -> None:
    result = tune(tiny_engine, SPECIALIST, grid={"readiness": [0.05, 5.0]}, k=1, cv=2)
    for row in result.results.itertuples():
        weights = Weights(**{c: getattr(row, c) for c in COMPONENTS})
        summary = evaluate(tiny_engine.with_weights(weights), SPECIALIST, k=1).summary
        assert row.train == pytest.approx(summary["ndcg@1"])


def test_current_weights_win_ties(tiny_engine: Matchmaker) -> None:
    # Neither change moves any ranking: keep what we have.
    result = tune(tiny_engine, SPECIALIST, grid={"readiness": [0.05, 0.06]}, k=1, cv=2)
    assert result.best_weights.normalised() == pytest.approx(tiny_engine.weights_.normalised())
    assert not result.improved
    assert "keep them" in repr(result)
    assert result.cv_gain == 0.0


@pytest.mark.parametrize("method", ["random", "coordinate"])
def test_random_and_coordinate_find_the_obvious_weights(
    tiny_engine: Matchmaker, method: str
) -> None:
    # Focus favours the generalist, who names the queries' exact concept; from
    # a focus-weighted start no single move helps, the known limit of
    # coordinate ascent, so start without it. Random draws cover all five
    # components: few put most weight on readiness, hence 150 of them.
    start = tiny_engine.with_weights(focus=0.0, text=0.2)
    n_iter = 150 if method == "random" else 3
    result = tune(start, SPECIALIST, method=method, k=1, cv=3, n_iter=n_iter)
    assert result.train_score == 1.0
    chosen = result.best_weights.normalised()
    assert chosen["readiness"] > 0.3
    assert len(result.fold_weights) == 3


def test_search_is_seeded(engine: Matchmaker) -> None:
    a = tune(engine, method="random", n_iter=10, cv=3, random_state=7)
    b = tune(engine, method="random", n_iter=10, cv=3, random_state=7)
    pd.testing.assert_frame_equal(a.results, b.results)
    assert a.cv_score == b.cv_score
    c = tune(engine, method="random", n_iter=10, cv=3, random_state=8)
    assert not a.results.equals(c.results)


def test_coordinate_ascent_never_loses_in_sample(engine: Matchmaker) -> None:
    result = tune(engine, method="coordinate", n_iter=2, cv=3)
    assert result.train_score >= result.baseline_score
    assert result.results.current.sum() == 1


def test_random_search_accepts_distributions(tiny_engine: Matchmaker) -> None:
    from scipy.stats import uniform

    result = tune(
        tiny_engine,
        SPECIALIST,
        method="random",
        grid={"readiness": uniform(0, 10)},
        n_iter=15,
        k=1,
        cv=2,
    )
    assert result.train_score == 1.0


def test_nested_cv_is_not_the_in_sample_score(engine: Matchmaker) -> None:
    # On the bundled judgements the best in-sample weighting is partly luck: the
    # held-out estimate is lower than the score on the queries that chose it.
    result = tune(engine, cv=5)
    assert result.cv_score < result.train_score
    assert result.train_score >= result.baseline_score
    assert result.n_queries == sum(1 for j in load_judgements() if any(j.relevant.values()))
    assert result.results["rank"].min() == 1
    assert tuple(result.results.columns[: len(COMPONENTS)]) == COMPONENTS
    row_sums = result.results[list(COMPONENTS)].sum(axis=1)
    np.testing.assert_allclose(row_sums, 1.0)


def test_tune_accepts_a_splitter(tiny_engine: Matchmaker) -> None:
    result = tune(tiny_engine, SPECIALIST, grid={"readiness": [5.0]}, k=1, cv=KFold(2))
    assert result.n_splits == 2


def test_tune_on_partnerships(engine: Matchmaker) -> None:
    result = tune(engine, "partnerships", grid={"text": [0.2, 0.6]}, cv=3)
    assert result.baseline_score == pytest.approx(
        evaluate(engine, "partnerships", k=5).summary["ndcg@5"]
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"method": "bayes"},
            "The 'method' parameter of tune must be one of 'grid', 'random', 'coordinate'. Got 'bayes' instead.",
        ),
        ({"method": "grid", "n_iter": 5}, "n_iter"),
        ({"metric": "ndcg@10"}, "names cutoff 10 but k=5"),
        ({"metric": "auc"}, "The 'metric' parameter of tune must be one of"),
        ({"k": 0}, "The 'k' parameter of tune must be an int >= 1. Got 0 instead."),
        ({"cv": 1}, "The 'cv' parameter of tune must be an int >= 2. Got 1 instead."),
        ({"cv": 99}, "asks for 99 folds but only 6 judged queries"),
        ({"cv": "five"}, "must be an int >= 2 or a scikit-learn splitter"),
        (
            {"method": "random", "grid": {"text": [0.1, 0.2]}, "n_iter": 5},
            "exceeds the 2 combinations",
        ),
    ],
)
def test_tune_rejects_bad_parameters(tiny_engine: Matchmaker, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        tune(tiny_engine, SPECIALIST, **kwargs)


def test_bad_grid_lists_every_problem(tiny_engine: Matchmaker) -> None:
    grid = {"texts": [0.1], "strong": [0.5], "sector": [-1, 0.2], "readiness": "high"}
    with pytest.raises(ValueError, match="Invalid 'grid'") as err:
        tune(tiny_engine, SPECIALIST, grid=grid)
    text = str(err.value)
    assert "unknown component 'texts'" in text
    assert "Thresholds only change strength labels" in text
    assert "got [-1]" in text
    assert "'readiness': expected a list of values" in text


def test_tune_needs_judged_queries(tiny_engine: Matchmaker) -> None:
    nothing = [Judgement(id="n", text="laser cladding", no_match=True)]
    with pytest.raises(ValueError, match="at least 2 judged queries"):
        tune(tiny_engine, nothing)
    with pytest.raises(TypeError, match="list of Judgement"):
        tune(tiny_engine, ["laser cladding"])  # type: ignore[list-item]


# -- scikit-learn: GridSearchCV over Matchmaker -----------------------------------------------------
def test_gridsearchcv_picks_the_best_weights(tiny_taxonomy: Taxonomy) -> None:
    estimator = Matchmaker(
        Catalogue(tiny_profiles()),
        vectorizer=ProfileVectorizer(taxonomy=tiny_taxonomy),
        encoder=None,
    )
    candidates = [{"readiness": 0.05}, {"readiness": 5.0}, {"concept": 0.0, "text": 1.0}]
    search = GridSearchCV(
        estimator, {"weights": candidates}, scoring=ranking_scorer("ndcg", k=1), cv=KFold(3)
    ).fit(SPECIALIST)
    assert search.best_params_ == {"weights": {"readiness": 5.0}}
    assert search.best_score_ == 1.0
    # Default weights rank the specialist first only for "laser cladding" (fold 2 of 3).
    assert search.cv_results_["mean_test_score"][0] == pytest.approx(1 / 6)
    # The refitted best estimator ranks the specialist first everywhere.
    assert evaluate(search.best_estimator_, SPECIALIST, k=1).summary["ndcg@1"] == 1.0


def test_matchmaker_params_survive_clone(tiny_taxonomy: Taxonomy) -> None:
    estimator = Matchmaker(Catalogue(tiny_profiles()), weights={"text": 0.4})
    twin = clone(estimator)
    assert twin.get_params()["weights"] == {"text": 0.4}
    twin.set_params(weights={"readiness": 5.0})
    assert twin.weights == {"readiness": 5.0}
    assert estimator.weights == {"text": 0.4}


def test_scorer_accepts_texts_with_grades(tiny_engine: Matchmaker) -> None:
    scorer = ranking_scorer(metric="precision@1", k=1)
    texts = [j.text for j in SPECIALIST]
    grades = [dict(j.relevant) for j in SPECIALIST]
    assert scorer(tiny_engine, texts, grades) == pytest.approx(1 / 6)
    assert scorer(tiny_engine.with_weights(readiness=5.0), SPECIALIST) == 1.0
    assert repr(scorer) == "ranking_scorer(metric='precision', k=1, country='GB')"
    assert pickle.loads(pickle.dumps(scorer))(tiny_engine, SPECIALIST) == pytest.approx(1 / 6)


def test_scorer_refuses_what_it_cannot_score(tiny_engine: Matchmaker) -> None:
    scorer = ranking_scorer()
    with pytest.raises(ValueError, match="pass y as a list"):
        scorer(tiny_engine, ["laser cladding"])
    with pytest.raises(ValueError, match="pass y=None"):
        scorer(tiny_engine, SPECIALIST, [{"x": 1}] * len(SPECIALIST))
    with pytest.raises(ValueError, match="is undefined"):
        scorer(tiny_engine, [Judgement(id="n", text="laser cladding", no_match=True)])
    with pytest.raises(ValueError, match="The 'metric' parameter of ranking_scorer"):
        ranking_scorer("f1")


# -- fit_weights -----------------------------------------------------------------------------------
def test_nonnegative_fit_matches_sklearn_when_unconstrained_is_positive() -> None:
    rng = np.random.default_rng(0)
    X = rng.random((400, 4))
    y = (rng.random(400) < 1 / (1 + np.exp(-(X @ [3.0, 1.0, 2.0, 1.5] - 3.5)))).astype(float)
    reference = LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(X, y)
    assert (reference.coef_ > 0).all()
    theta = _fit_nonnegative_logistic(X, y, 1.0)
    np.testing.assert_allclose(theta[:4], reference.coef_[0], rtol=1e-3, atol=1e-3)
    assert theta[4] == pytest.approx(reference.intercept_[0], abs=1e-3)


def test_nonnegative_fit_zeroes_a_harmful_component() -> None:
    rng = np.random.default_rng(1)
    X = rng.random((300, 2))
    y = (X[:, 0] - X[:, 1] + 0.1 * rng.standard_normal(300) > 0).astype(float)
    theta = _fit_nonnegative_logistic(X, y, 1.0)
    assert theta[0] > 1
    assert theta[1] == 0.0


def _pairs(engine: Matchmaker) -> pd.DataFrame:
    needs = [p.id for p in engine.catalogue_ if p.kind == "sector_demand"][:8]
    return engine.match(needs, engine.catalogue_.filter(country="GB"), k=12)


def _pairs_log(engine: Matchmaker, label: str = "text") -> pd.DataFrame:
    """Synthetic outcomes: a pair met when its `label` score is above the median."""
    pairs = _pairs(engine)
    good = pairs[label] > pairs[label].median()
    return pd.DataFrame(
        {
            "need_id": pairs.need_id,
            "offer_id": pairs.offer_id,
            "status": np.where(good, "met", "declined"),
            "date": pd.Timestamp("2024-05-01"),
        }
    )


@pytest.mark.parametrize("label", ["text", "concept"])
def test_fit_weights_finds_the_component_that_decides(engine: Matchmaker, label: str) -> None:
    log = _pairs_log(engine, label)
    fit = fit_weights(engine, log, n_bootstrap=50)
    weights = fit.weights.normalised()
    # Components live on different scales (text rarely passes 0.5), so the
    # deciding one is the one that moves the log-odds most across the pairs:
    # coefficient times the component's spread, not the raw weight.
    spread = _pairs(engine)[list(fit.coefficients.index)].std()
    effect = fit.coefficients.coefficient * spread
    assert effect.idxmax() == label, effect
    assert sum(weights.values()) == pytest.approx(1.0)
    assert fit.cv_auc > 0.85
    assert fit.n_pairs == len(log)
    assert fit.n_positive + fit.n_negative == fit.n_pairs
    assert fit.positive_share == pytest.approx(fit.n_positive / fit.n_pairs)
    table = fit.coefficients
    assert tuple(table.index) == COMPONENTS
    assert (table.coefficient >= 0).all()
    assert (table.low <= table.weight + 1e-9).all()
    assert (table.weight <= table.high + 1e-9).all()
    assert fit.weights.strong == engine.weights_.strong
    assert "cross-validated AUC" in repr(fit)


def test_fit_weights_is_seeded(engine: Matchmaker) -> None:
    log = _pairs_log(engine)
    a = fit_weights(engine, log, n_bootstrap=30, random_state=3)
    b = fit_weights(engine, log, n_bootstrap=30, random_state=3)
    pd.testing.assert_frame_equal(a.coefficients, b.coefficients)
    assert a.cv_auc == b.cv_auc


def test_latest_status_labels_a_pair(engine: Matchmaker) -> None:
    log = _pairs_log(engine)
    first = log.iloc[0]
    paired = set(log.offer_id[log.need_id == first.need_id])
    unpaired = min(p.id for p in engine.catalogue_ if p.country == "GB" and p.id not in paired)
    later = pd.DataFrame(
        [
            {
                "need_id": first.need_id,
                "offer_id": first.offer_id,
                "status": "met",
                "date": pd.Timestamp("2024-01-01"),
            },
            {
                "need_id": first.need_id,
                "offer_id": first.offer_id,
                "status": "declined",
                "date": pd.Timestamp("2025-01-01"),
            },
            {
                "need_id": first.need_id,
                "offer_id": unpaired,
                "status": "contacted",
                "date": pd.Timestamp("2025-01-01"),
            },
        ]
    )
    fit = fit_weights(engine, pd.concat([log, later], ignore_index=True), n_bootstrap=0)
    # The pair's latest status (declined) counts; the contacted-only pair is ignored.
    assert fit.n_pairs == len(log)
    assert fit.n_ignored == 1
    assert fit.n_negative == int((log.status == "declined").sum()) + (first.status == "met")
    counted = fit_weights(
        engine,
        pd.concat([log, later], ignore_index=True),
        positive=("contacted", "met"),
        n_bootstrap=0,
    )
    assert counted.n_pairs == len(log) + 1


def test_fit_weights_from_an_outcome_log(engine: Matchmaker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    log = OutcomeLog(tmp_path / "outcomes.sqlite")
    log.record_many(_pairs_log(engine).assign(recorded_by="test"))
    fit = fit_weights(engine, log, n_bootstrap=10)
    html = fit._repr_html_()
    assert "labelled pairs" in html
    assert "<table" in html
    assert fit.n_pairs == len(log)


def test_not_enough_data_raises(engine: Matchmaker) -> None:
    log = _pairs_log(engine).head(6)
    with pytest.raises(ValueError, match=r"Not enough data to fit weights: 6 labelled pair\(s\)"):
        fit_weights(engine, log)


def test_unscorable_pairs_are_all_listed(engine: Matchmaker) -> None:
    log = _pairs_log(engine)
    bad = pd.DataFrame(
        {
            "need_id": ["no-such-need", "twi", log.need_id.iloc[0]],
            "offer_id": ["twi", "no-such-offer", log.need_id.iloc[0]],
            "status": ["met", "declined", "met"],
        }
    )
    with pytest.raises(ValueError, match="cannot be scored") as err:
        fit_weights(engine, pd.concat([log, bad], ignore_index=True))
    text = str(err.value)
    assert "'no-such-need' is not in the engine's catalogue" in text
    assert "'no-such-offer' is not in the engine's catalogue" in text
    assert "paired with itself" in text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"positive": ("met", "won")}, "unknown status"),
        ({"positive": ("met",), "negative": ("met",)}, "both positive and negative"),
        ({"positive": "met"}, "non-empty list of statuses"),
        ({"C": 0}, "The 'C' parameter of fit_weights must be a float > 0. Got 0 instead."),
        ({"interval": 1.5}, "The 'interval' parameter of fit_weights must be a float in"),
        ({"cv": 1}, "The 'cv' parameter of fit_weights must be an int >= 2"),
    ],
)
def test_fit_weights_rejects_bad_parameters(engine: Matchmaker, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        fit_weights(engine, _pairs_log(engine), **kwargs)


def test_fit_weights_needs_a_table_or_log(engine: Matchmaker) -> None:
    with pytest.raises(TypeError, match="OutcomeLog or a DataFrame"):
        fit_weights(engine, [("a", "b", "met")])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lacks column"):
        fit_weights(engine, pd.DataFrame({"need_id": ["a"]}))


def test_no_separating_component_raises(engine: Matchmaker) -> None:
    # Only pairs at or below the median on every component met: no component helps.
    needs = [p.id for p in engine.catalogue_ if p.kind == "sector_demand"][:8]
    pairs = engine.match(needs, engine.catalogue_.filter(country="GB"), k=12)
    low = np.ones(len(pairs), dtype=bool)
    for c in ("concept", "text", "sector", "readiness"):
        low &= pairs[c] <= pairs[c].median()
    log = pairs[["need_id", "offer_id"]].assign(status=np.where(low, "met", "declined"))
    with pytest.raises(ValueError, match="No component separates good from bad matches"):
        fit_weights(engine, log)


def test_unknown_statuses_in_a_table_are_not_ignored(engine: Matchmaker) -> None:
    log = _pairs_log(engine)
    log.loc[[3, 7], "status"] = ["Met", "signed"]
    with pytest.raises(ValueError, match=r"2 outcome\(s\) have an unknown status") as err:
        fit_weights(engine, log)
    assert "row 4: status 'Met'" in str(err.value)
    assert "row 8: status 'signed'" in str(err.value)


def test_dates_as_text_order_the_history(engine: Matchmaker) -> None:
    log = _pairs_log(engine).assign(date="2024-05-01")
    first = log.iloc[0]
    flip = "declined" if first.status == "met" else "met"
    earlier = log.head(1).assign(status=flip, date="2023-01-01")
    # Recorded later, but dated earlier: the 2024 status still counts.
    fit = fit_weights(engine, pd.concat([log, earlier], ignore_index=True), n_bootstrap=0)
    assert fit.n_positive == int((log.status == "met").sum())
