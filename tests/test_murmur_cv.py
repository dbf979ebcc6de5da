"""The murmur benchmark's evaluation (benchmarks/murmur_cv.py): metric, folds, and no label leaks."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import murmur_cv as M  # noqa: E402


def test_weighted_accuracy_hand_values():
    # 2 Present (1 right), 1 Unknown (right), 3 Absent (2 right): (5*1 + 3*1 + 1*2) / (5*2 + 3 + 3)
    true = ["Present", "Present", "Unknown", "Absent", "Absent", "Absent"]
    pred = ["Present", "Absent", "Unknown", "Absent", "Present", "Absent"]
    assert M.weighted_accuracy(true, pred) == pytest.approx(10 / 16, abs=1e-15)
    cm = M.confusion(true, pred)
    np.testing.assert_array_equal(cm, [[1, 0, 1], [0, 1, 0], [1, 0, 2]])
    assert M.weighted_accuracy(true, true) == 1.0


def _held_out(g, patients, every):
    """(training-recording mask, test patients, labels with every test patient flipped to
    Present): the test patients are ``unique(g)[every]``."""
    test_pats = set(np.unique(g)[every])
    flipped = {
        p: ({"Murmur": "Present", "Murmur locations": "AV"} if p in test_pats else row)
        for p, row in patients.items()
    }
    return ~np.isin(g, list(test_pats)), test_pats, flipped


def _toy(n_pat=40, seed=0):
    """Patients with 3 recordings each; Present patients' murmur locations carry a shift."""
    rng = np.random.default_rng(seed)
    labels = rng.choice(["Present", "Unknown", "Absent"], size=n_pat, p=[0.3, 0.2, 0.5])
    patients, X, y, g = {}, [], [], []
    for i, lab in enumerate(labels):
        pid = f"p{i}"
        locs = "AV+MV" if lab == "Present" else "nan"
        patients[pid] = {"Murmur": lab, "Murmur locations": locs}
        for loc in ("AV", "MV", "TV"):
            rec = M.Recording(f"{pid}_{loc}.wav", pid, loc)
            yl = M.recording_label(rec, patients)
            x = rng.standard_normal(4)
            x[0] += 3.0 * (yl == "Present")
            x[1] += 3.0 * (yl == "Unknown")
            X.append(x)
            y.append(yl)
            g.append(pid)
    return np.array(X), np.array(y), np.array(g), patients


def test_recording_labels_follow_murmur_locations():
    patients = {"a": {"Murmur": "Present", "Murmur locations": "AV+TV"}}
    assert M.recording_label(M.Recording("a_AV.wav", "a", "AV"), patients) == "Present"
    assert M.recording_label(M.Recording("a_MV.wav", "a", "MV"), patients) == "Absent"
    patients = {"b": {"Murmur": "Unknown", "Murmur locations": "nan"}}
    assert M.recording_label(M.Recording("b_MV.wav", "b", "MV"), patients) == "Unknown"


def test_folds_are_patient_wise(monkeypatch):
    X, y, g, patients = _toy()
    seen = []

    def spy(X_tr, y_tr, g_tr, X_te, g_te, patients_, **_):
        seen.append((set(g_tr), set(g_te)))
        pats = np.unique(g_te)
        return pats, np.array(["Absent"] * len(pats))

    monkeypatch.setattr(M, "fit_predict", spy)
    M.cross_validate(X, y, g, patients)
    assert len(seen) == 5
    for tr, te in seen:
        assert not tr & te
    assert set().union(*(te for _, te in seen)) == set(g)


def test_no_label_leak_from_the_evaluated_patients():
    """Changing the labels of the test patients changes nothing that is fitted or predicted
    (with the benchmark's own model)."""
    from threadpoolctl import threadpool_limits

    X, y, g, patients = _toy(n_pat=25)
    tr, test_pats, flipped = _held_out(g, patients, slice(None, None, 4))
    with threadpool_limits(1):  # OpenMP threads of the gradient boosting: slow when contended
        _, pred = M.fit_predict(X[tr], y[tr], g[tr], X[~tr], g[~tr], patients)
    with threadpool_limits(1):
        _, pred2 = M.fit_predict(X[tr], y[tr], g[tr], X[~tr], g[~tr], flipped)
    np.testing.assert_array_equal(pred, pred2)


def test_learns_a_real_signal_and_not_noise(monkeypatch):
    from sklearn.linear_model import LogisticRegression

    # the pipeline (labels, folds, thresholds, aggregation), with a cheap model in place
    monkeypatch.setattr(M, "make_model", lambda: LogisticRegression(max_iter=500))
    X, y, g, patients = _toy(n_pat=60)
    acc, cm, _ = M.cross_validate(X, y, g, patients)
    assert acc > 0.85
    assert cm.sum() == 60
    rng = np.random.default_rng(1)
    acc_noise, _, _ = M.cross_validate(rng.standard_normal(X.shape), y, g, patients)
    assert acc_noise < acc - 0.2


def test_fold_segmenter_sees_only_the_training_patients(monkeypatch, tmp_path):
    import physiofeat.pcg
    from benchmarks import _pcg_data

    recs = [M.Recording(f"/data/{p}_{loc}.wav", p, loc) for p in "abcdef" for loc in ("AV", "MV")]
    read_paths, fitted = [], []

    def fake_read(path):
        read_paths.append(str(path))
        return np.zeros(10), 4000, object(), ""

    class FakeModel:
        def to_json(self, path):
            path.write_text("{}")

    def fake_fit(data, **kw):
        fitted.append(len(data))
        return FakeModel()

    monkeypatch.setattr(_pcg_data, "read", fake_read)
    monkeypatch.setattr(physiofeat.pcg, "fit_segmenter", fake_fit)
    monkeypatch.setattr(physiofeat.pcg, "load_model", lambda: None)
    monkeypatch.setattr(M, "CACHE", tmp_path)
    M.fold_segmenter(0, ["a", "c"], recs, fresh=True)
    assert sorted(read_paths) == [
        "/data/a_AV.wav",
        "/data/a_MV.wav",
        "/data/c_AV.wav",
        "/data/c_MV.wav",
    ]
    assert fitted == [4]


def test_cross_validate_uses_each_folds_own_features(monkeypatch):
    X, y, g, patients = _toy()
    X_folds = [np.full_like(X, k) for k in range(5)]
    seen = []

    def spy(X_tr, y_tr, g_tr, X_te, g_te, patients_, **_):
        seen.append((np.unique(X_tr), np.unique(X_te)))
        pats = np.unique(g_te)
        return pats, np.array(["Absent"] * len(pats))

    monkeypatch.setattr(M, "fit_predict", spy)
    M.cross_validate(X, y, g, patients, X_folds=X_folds)
    assert [(list(a), list(b)) for a, b in seen] == [([k], [k]) for k in range(5)]


def test_nested_selection_uses_training_patients_only(monkeypatch):
    """The set with signal is chosen over a noise set, inside the training fold, and the test
    patients' labels change neither the choice nor the predictions."""
    from sklearn.linear_model import LogisticRegression

    monkeypatch.setattr(M, "make_model", lambda: LogisticRegression(max_iter=500))
    X, y, g, patients = _toy(n_pat=40)
    noise = np.random.default_rng(3).standard_normal(X.shape)
    tr, test_pats, flipped = _held_out(g, patients, slice(None, None, 4))
    cands = {"noise": (noise[tr], noise[~tr]), "signal": (X[tr], X[~tr])}
    _, pred, name = M.select_fit_predict(cands, y[tr], g[tr], g[~tr], patients)
    assert name == "signal"
    _, pred2, name2 = M.select_fit_predict(cands, y[tr], g[tr], g[~tr], flipped)
    assert name2 == name
    np.testing.assert_array_equal(pred, pred2)
    acc, cm, _, chosen = M.cross_validate_select(
        [{"noise": noise, "signal": X}] * 5, y, g, patients
    )
    assert chosen == ["signal"] * 5 and cm.sum() == 40 and acc > 0.8


def test_select_by_f_matches_sklearn_and_keeps_nan():
    """SelectByF keeps the columns scikit-learn's SelectKBest(f_classif) keeps on NaN-free data
    (an independent oracle), scores NaN by the column median, passes NaN through, and scores
    constant or all-NaN columns 0."""
    from sklearn.feature_selection import SelectKBest, f_classif

    rng = np.random.default_rng(5)
    y = rng.choice(["Present", "Unknown", "Absent"], size=120)
    X = rng.standard_normal((120, 12))
    X[:, 4] += 2.0 * (y == "Present")
    X[:, 9] += 1.0 * (y == "Unknown")
    ref = SelectKBest(f_classif, k=3).fit(X, y).get_support(indices=True)
    sel = M.SelectByF(3).fit(X, y)
    np.testing.assert_array_equal(sel.columns_, np.sort(ref))
    assert {4, 9} <= set(sel.columns_.tolist())

    Xn = X.copy()
    Xn[:7, 4] = np.nan
    Xn[:, 2] = 1.5  # constant
    Xn[:, 3] = np.nan  # all NaN
    sel = M.SelectByF(12).fit(Xn, y)
    assert sel.scores_[2] == 0.0 and sel.scores_[3] == 0.0
    filled = Xn[:, 4].copy()
    filled[:7] = np.nanmedian(Xn[:, 4])
    F4 = f_classif(filled[:, None], y)[0][0]
    assert sel.scores_[4] == pytest.approx(F4, rel=1e-12)
    s2 = M.SelectByF(2).fit(Xn, y)
    out = s2.transform(Xn)
    assert out.shape == (120, 2) and 4 in s2.columns_
    assert np.isnan(out[:7, list(s2.columns_).index(4)]).all()
    # fewer columns than k: all of them, in order
    np.testing.assert_array_equal(M.SelectByF(60).fit(X[:, :5], y).columns_, np.arange(5))


def test_column_selection_sees_only_the_training_rows(monkeypatch):
    """The selection is part of the model: refitted inside every fit, so a column informative
    only on the evaluated patients (through their labels) is not chosen -- and it would be, were
    the evaluated rows seen."""
    monkeypatch.setattr(M, "N_SELECT", 1)
    X, y, g, patients = _toy(n_pat=60, seed=3)
    a, b = M.outer_folds(g, patients, folds=5, seed=0)[0]
    tr, te = np.isin(g, a), np.isin(g, b)
    leak = np.where(te, 10.0 * (y == "Present"), 0.0)  # informative on the test rows only
    Xl = np.column_stack([X[:, 2:], leak])  # two noise columns and the leaky one
    assert 2 not in M.make_model().fit(Xl[tr], y[tr])[0].columns_
    assert M.make_model().fit(Xl, y)[0].columns_.tolist() == [2]  # seen, it would be chosen


def test_in_fold_choice_of_k_uses_training_patients_only():
    """The number of kept columns is chosen by the training patients' inner CV (with the
    benchmark's own model): the test patients' labels change neither the choice nor the
    predictions, and the choice is one of the candidates."""
    from threadpoolctl import threadpool_limits

    X, y, g, patients = _toy(n_pat=25)
    X = np.hstack([X, np.random.default_rng(4).standard_normal((X.shape[0], 8))])
    tr, test_pats, flipped = _held_out(g, patients, slice(1, None, 4))
    with threadpool_limits(1):
        out = [
            M.select_k_fit_predict(X[tr], y[tr], g[tr], X[~tr], g[~tr], pt, ks=(2, 12))
            for pt in (patients, flipped)
        ]
    (p1, pred1, k1), (p2, pred2, k2) = out
    assert k1 == k2 and k1 in (2, 12)
    np.testing.assert_array_equal(p1, p2)
    np.testing.assert_array_equal(pred1, pred2)
    assert set(p1) == test_pats


def test_variant_models_leave_unheard_recordings_out_of_training_only():
    """benchmarks/murmur_variants.py: recordings labelled Unheard change nothing of the fitted
    model (fitting with them equals fitting without them), yet are predicted like any other."""
    from benchmarks import murmur_variants as V

    X, y, g, _ = _toy(n_pat=30)
    y = y.astype(object)
    unheard = np.zeros(len(y), dtype=bool)
    unheard[::7] = True
    y_u = y.copy()
    y_u[unheard] = V.UNHEARD
    X_u = X.copy()
    X_u[unheard] = 1e3  # far off: a model fitted on these rows would differ
    with_rows = V._Wrapped(2).fit(X_u, y_u)
    without = V._Wrapped(2).fit(X[~unheard], y[~unheard])
    assert V.UNHEARD not in set(with_rows.classes_)
    np.testing.assert_allclose(with_rows.predict_proba(X), without.predict_proba(X), rtol=0, atol=0)
    assert with_rows.predict_proba(X_u).shape == (len(X), len(with_rows.classes_))


def test_ratio_columns_match_naive_numpy():
    from benchmarks import murmur_variants as V

    rng = np.random.default_rng(1)
    cols = [
        f"pcg_cycle_average_{s}_{st}_{j}"
        for s in ("pcg", "murmur")
        for st, n in (("s1", 4), ("systole", 8), ("s2", 4), ("diastole", 8))
        for j in range(n)
    ]
    X = rng.uniform(0.1, 2.0, (5, len(cols)))
    out = V._ratio_columns(X, cols)
    assert out.shape == (5, len(cols) + 12)
    np.testing.assert_array_equal(out[:, : len(cols)], X)
    c = {name: X[:, i] for i, name in enumerate(cols)}

    def mean(prefix, n):
        return sum(c[f"{prefix}_{j}"] for j in range(n)) / n

    p = "pcg_cycle_average_murmur"
    s1, sy = mean(p + "_s1", 4), mean(p + "_systole", 8)
    np.testing.assert_allclose(out[:, len(cols)], np.log(sy / s1), rtol=1e-12)
    s2 = mean(p + "_s2", 4)
    dmin = np.min([c[f"{p}_diastole_{j}"] for j in range(8)], axis=0)
    np.testing.assert_allclose(out[:, len(cols) + 5], np.log(dmin / np.maximum(s1, s2)), rtol=1e-12)


def test_location_columns_are_one_hot_and_always_kept():
    """benchmarks/murmur_variants.py ``location``: one column per location, 1 where the
    recording was made; the selection scores only the feature columns and always passes the
    location columns on, even when they carry no signal at all."""
    from benchmarks import murmur_variants as V

    recs = [M.Recording(f"p{i}.wav", f"{i}", loc) for i, loc in enumerate(["MV", "AV", "Phc"])]
    out = V._location_columns(np.zeros((3, 2)), recs)
    np.testing.assert_array_equal(out[:, 2:], [[0, 0, 0, 1, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0, 1]])
    rng = np.random.default_rng(3)
    y = rng.choice(["Present", "Unknown", "Absent"], size=90)
    X = rng.standard_normal((90, 8))
    X[:, 6] += 3.0 * (y == "Present")
    X[:, 7] += 3.0 * (y == "Absent")  # strong, but among the always-kept columns
    sel = V._KeepLast(2, n=6).fit(X, y)
    ref = M.SelectByF(2).fit(X[:, :6], y).columns_
    np.testing.assert_array_equal(sel.columns_, np.concatenate([ref, [6, 7]]))
    np.testing.assert_array_equal(sel.transform(X), X[:, sel.columns_])
    m = V._Wrapped(2, keep_last=2).fit(X, y)
    np.testing.assert_array_equal(m.models_[0][0].columns_, sel.columns_)


def test_repeated_inner_cv_averages_the_inner_seeds():
    """murmur_variants' ``k_inner3``: the training patients' out-of-fold probabilities are the
    mean of INNER_REPEATS inner CVs with consecutive seeds, each run as murmur_cv runs it."""
    from threadpoolctl import threadpool_limits

    from benchmarks import murmur_variants as V

    X, y, g, patients = _toy(n_pat=25)
    with threadpool_limits(1):
        got = V._repeated_oof(X, y, g, patients, seed=3, k=2)
        each = [M._out_of_fold(X, y, g, patients, seed=3 + i, k=2) for i in range(V.INNER_REPEATS)]
    assert V.INNER_REPEATS == 3
    np.testing.assert_allclose(got, np.mean(each, axis=0), rtol=1e-12, atol=0)
    assert not np.allclose(each[0], each[1])  # the seeds do partition differently


def test_a_given_model_factory_fits_every_inner_and_final_model():
    """``model=`` of the cross-validation reaches every fit: the 5 inner folds and the final
    model of each of the 5 outer folds, each asked for the fold's ``k``."""
    from threadpoolctl import threadpool_limits

    X, y, g, patients = _toy(n_pat=20)
    asked = []

    def factory(k=None):
        asked.append(k)
        return M._model(2 if k is None else k)

    with threadpool_limits(1):
        M.cross_validate(X, y, g, patients, model=factory)
        assert asked == [None] * (5 * (5 + 1))
        asked.clear()
        chosen = M.cross_validate_k(X, y, g, patients, ks=(2, 3), model=factory)[3]
    assert len(asked) == 5 * (2 * 5 + 1)  # each outer fold: 2 k's x 5 inner fits, 1 final
    assert set(asked) == {2, 3} and set(chosen) <= {2, 3}


def test_cache_keys_follow_the_code_and_its_dependencies(tmp_path, monkeypatch):
    """A changed source file, a new one, or another version of a dependency gives another
    fingerprint, so the cached tables are rebuilt; files that are not code do not count."""
    from importlib import metadata

    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "a.py").write_text("x = 1\n")
    (pkg / "sub" / "m.json").write_text("{}")
    base = M.code_fingerprint.__wrapped__(pkg)
    assert base == M.code_fingerprint.__wrapped__(pkg)  # stable
    (pkg / "notes.txt").write_text("not code")
    assert M.code_fingerprint.__wrapped__(pkg) == base
    (pkg / "a.py").write_text("x = 2\n")
    changed = M.code_fingerprint.__wrapped__(pkg)
    assert changed != base
    (pkg / "b.py").write_text("")
    assert M.code_fingerprint.__wrapped__(pkg) not in (base, changed)
    (pkg / "b.py").unlink()
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda d: "0.0.dev" if d == "scipy" else real(d))
    assert M.code_fingerprint.__wrapped__(pkg) != changed


def test_cache_keys_cover_the_shipped_segmenter_model():
    """The pcg tables depend on the shipped segmenter model: it is one of the files the
    fingerprint hashes (a .json inside the package)."""
    import physiofeat
    from physiofeat.pcg._hsmm import DEFAULT_MODEL_PATH

    model = Path(DEFAULT_MODEL_PATH).resolve()
    assert model.suffix == ".json"
    assert model.is_relative_to(Path(physiofeat.__file__).resolve().parent)


def test_quality_gate_leaves_poor_recordings_out_of_present_only():
    """murmur_variants ``quality_gate``: a patient's P(Present) is the max over its kept
    recordings (over all when none is kept), its P(Unknown) the mean over all; hand values."""
    from benchmarks import murmur_variants as V

    proba = np.array(  # columns: Present, Unknown, Absent
        [[0.9, 0.1, 0.0], [0.2, 0.6, 0.2], [0.7, 0.2, 0.1], [0.4, 0.4, 0.2], [0.3, 0.3, 0.4]]
    )
    groups = np.array(["a", "a", "b", "b", "c"])
    keep = np.array([False, True, True, True, False])
    pats, pres, unk = V._gated_scores(proba, M.CLASSES, groups, keep)
    assert list(pats) == ["a", "b", "c"]
    np.testing.assert_allclose(pres, [0.2, 0.7, 0.3], rtol=0, atol=1e-15)  # c: none kept
    np.testing.assert_allclose(unk, [0.35, 0.3, 0.3], rtol=0, atol=1e-15)
    ungated = M._patient_scores(proba, M.CLASSES, groups)
    all_kept = V._gated_scores(proba, M.CLASSES, groups, np.ones(5, dtype=bool))
    for u, v in zip(ungated, all_kept):
        np.testing.assert_array_equal(u, v)


def test_quality_gates_come_from_the_training_recordings_and_nan_is_poor():
    from benchmarks import murmur_variants as V

    Q = np.array([[1.0, np.nan], [2.0, np.nan], [3.0, 5.0], [4.0, 6.0], [np.nan, 7.0]])
    gates = V._gates(Q)
    assert gates[0] is None
    want = [(0, np.quantile([1, 2, 3, 4], a)) for a in V.GATE_QUANTILES]
    want += [(1, np.quantile([5, 6, 7], a)) for a in V.GATE_QUANTILES]
    assert [g[0] for g in gates[1:]] == [w[0] for w in want]
    np.testing.assert_allclose([g[1] for g in gates[1:]], [w[1] for w in want], rtol=1e-15)
    np.testing.assert_array_equal(V._keep(Q, (0, 2.0)), [False, True, True, True, False])
    np.testing.assert_array_equal(V._keep(Q, None), np.ones(5, dtype=bool))


def test_quality_gate_choice_uses_training_patients_only():
    """The gate and thresholds are chosen on the training patients: the test patients' labels
    and their quality indices change neither the gate chosen nor anything fitted, and a test
    recording's quality only decides whether it is gated by the chosen rule."""
    from threadpoolctl import threadpool_limits

    from benchmarks import murmur_variants as V

    X, y, g, patients = _toy(n_pat=25)
    rng = np.random.default_rng(7)
    Q = rng.uniform(size=(len(X), 2))
    tr, test_pats, flipped = _held_out(g, patients, slice(2, None, 4))
    with threadpool_limits(1):
        p1, pred1, gate1 = V.gated_fit_predict(
            X[tr], y[tr], g[tr], Q[tr], X[~tr], g[~tr], Q[~tr], patients
        )
        p2, pred2, gate2 = V.gated_fit_predict(
            X[tr], y[tr], g[tr], Q[tr], X[~tr], g[~tr], Q[~tr], flipped
        )
        Q_other = rng.uniform(size=(int((~tr).sum()), 2))  # other test-recording quality
        _, _, gate3 = V.gated_fit_predict(
            X[tr], y[tr], g[tr], Q[tr], X[~tr], g[~tr], Q_other, patients
        )
    assert gate1 == gate2 == gate3 and gate1 in V._gates(Q[tr])
    np.testing.assert_array_equal(p1, p2)
    np.testing.assert_array_equal(pred1, pred2)
    assert set(p1) == test_pats
