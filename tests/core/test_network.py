"""Pair network (issue 3): thresholds, star master, critical baseline, repair, coherence, tables."""
from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pytest

from minesar.algorithms import network, simulate, stackio
from minesar.algorithms.stackio import Geometry

D0 = dt.date(2020, 1, 1)


def _days(*k):
    return [D0 + dt.timedelta(days=int(x)) for x in k]


def make_stack(folder, dates, bperp, *, geometry=None, rows=8, cols=8):
    """Tiny complex GeoTIFFs + manifest + buildstack VRT; returns the VRT path."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    entries = []
    for d, b in zip(dates, bperp):
        p = folder / f"{d:%Y%m%d}.tif"
        a = (rng.standard_normal((rows, cols)) + 1j * rng.standard_normal((rows, cols))).astype("complex64")
        stackio.write_raster(str(p), a, kind="slc", geotransform=(500000.0, 20.0, 0.0, 4650000.0, 0.0, -20.0))
        entries.append((d, str(p), float(b)))
    man = stackio.write_manifest(str(folder / "manifest.csv"), entries)
    vrt = str(folder / "stack.vrt")
    stackio.build_stack(man, vrt, geometry=geometry)
    return vrt


def brute_force(dates, bperp, t_max, b_max):
    """Independent count of the pairs within inclusive thresholds."""
    out = set()
    for i in range(len(dates)):
        for j in range(i + 1, len(dates)):
            if (dates[j] - dates[i]).days <= t_max and abs(bperp[j] - bperp[i]) <= b_max:
                out.add((dates[i], dates[j]))
    return out


# ----------------------------------------------------------------------------- critical baseline
def test_critical_baseline_sentinel1_hand_computation():
    # λ·R = 0.05546576 m × 880 000 m = 48 809.87 m²; tan 39° = 0.809784 -> 39 525.45;
    # B_r / c = 56.5e6 / 299 792 458 = 0.1884637 /m -> B⊥,crit = 7 449.11 m; 2 % = 148.98 m
    bc = network.critical_baseline_m(Geometry())
    assert bc == pytest.approx(7449.11, abs=0.01)
    assert 0.02 * bc == pytest.approx(148.98, abs=0.01)
    # the range bandwidth enters linearly (RANGE_BANDWIDTH override)
    assert network.critical_baseline_m(Geometry(), range_bandwidth_hz=28.25e6) == pytest.approx(bc / 2, rel=1e-12)
    # the Puhe geometry (incidence 37.1°, simulator slant range) -> 6 686.3 m
    sc = simulate.scenario("puhe")
    g = sc.geometry
    hand = g.wavelength_m * g.slant_range_m * math.tan(math.radians(37.1)) * 56.5e6 / 299792458.0
    assert network.critical_baseline_m(g) == pytest.approx(hand, rel=1e-12)
    assert network.critical_baseline_m(g) == pytest.approx(6686.3, abs=0.1)
    with pytest.raises(ValueError, match="RANGE_BANDWIDTH"):
        network.critical_baseline_m(Geometry(), range_bandwidth_hz=-1.0)


# ----------------------------------------------------------------------------- puhe sbas
@pytest.mark.parametrize("t_max, n_expected, min_deg", [(72, 195, 5), (71, 163, 4)])
def test_puhe_thresholds_single_component(t_max, n_expected, min_deg):
    sc = simulate.scenario("puhe")
    assert len(sc.dates) == 42
    r = network.select_network(sc.dates, sc.bperp_m, mode="sbas", max_temporal_days=t_max,
                               max_perp_percent=2.0, geometry=sc.geometry)
    bc = network.critical_baseline_m(sc.geometry)
    assert r.max_perp_m == pytest.approx(0.02 * bc)
    # the thresholds are obeyed (nothing was added) and the result is exactly the brute-force set
    assert all(p.reason == network.REASON_THRESHOLDS for p in r.pairs)
    assert set(r.pair_list) == brute_force(sc.dates, sc.bperp_m, t_max, 0.02 * bc)
    assert all(p.btemp_days <= t_max and abs(p.bperp_m) <= 0.02 * bc and p.bperp_pct <= 2.0 for p in r.pairs)
    assert all(p.ref < p.sec for p in r.pairs)
    # one component, every date connected, sane count (study: 216 interferograms)
    assert r.n_components == 1
    assert set(r.degrees) == set(sc.dates) and min(r.degrees.values()) >= 1
    assert r.n_pairs == n_expected
    assert r.min_degree == min_deg
    assert 150 <= r.n_pairs <= 240


def test_puhe_perpendicular_limit_binds():
    sc = simulate.scenario("puhe")
    r = network.select_network(sc.dates, sc.bperp_m, max_temporal_days=72, max_perp_m=40.0, geometry=sc.geometry)
    kept = [p for p in r.pairs if p.reason == network.REASON_THRESHOLDS]
    assert {(p.ref, p.sec) for p in kept} == brute_force(sc.dates, sc.bperp_m, 72, 40.0)
    assert len(kept) < 195
    added = [p for p in r.pairs if p.reason != network.REASON_THRESHOLDS]
    assert all(p.reason in network.ADDED_REASONS for p in added)
    assert r.n_components == 1


# ----------------------------------------------------------------------------- huaibei star
def test_huaibei_star_automatic_master():
    sc = simulate.scenario("huaibei")
    assert len(sc.dates) == 26
    r = network.select_network(sc.dates, sc.bperp_m, mode="star", geometry=sc.geometry)
    assert r.master == dt.date(2021, 3, 12)
    assert r.n_pairs == 25 and r.n_components == 1 and r.min_degree == 1
    assert all(r.master in (p.ref, p.sec) and p.ref < p.sec and p.reason == "star" for p in r.pairs)
    assert sum(1 for p in r.pairs if p.sec == r.master) == 11       # the 11 earlier dates are references
    assert r.degrees[r.master] == 25
    # reproducible: same answer for shuffled input, and the score table is sorted
    order = np.random.default_rng(3).permutation(26)
    r2 = network.select_network([sc.dates[k] for k in order], sc.bperp_m[order], mode="star", geometry=sc.geometry)
    assert r2.master == r.master and r2.pair_list == r.pair_list
    scores = [s for _, s in r.master_scores]
    assert scores == sorted(scores) and scores[0] < scores[1]
    assert r.master_scores[0][0] == r.master
    # independent check of the rule: Σ|Δt|/span + Σ|ΔB⊥|/span
    t = np.array([(d - sc.dates[0]).days for d in sc.dates], float)
    b = sc.bperp_m
    s = [np.abs(t - t[m]).sum() / np.ptp(t) + np.abs(b - b[m]).sum() / np.ptp(b) for m in range(26)]
    assert sc.dates[int(np.argmin(s))] == r.master
    assert r.master_scores[0][1] == pytest.approx(min(s))
    assert any("runners-up" in m and "20210312" in m for m in r.messages)


def test_star_given_master_and_doppler():
    sc = simulate.scenario("huaibei")
    r = network.select_network(sc.dates, sc.bperp_m, mode="star", master_date="20210616")
    assert r.master == dt.date(2021, 6, 16) and r.n_pairs == 25
    # a huge Doppler difference of the automatic winner moves the master elsewhere
    dop = np.zeros(26)
    dop[11] = 500.0
    r3 = network.select_network(sc.dates, sc.bperp_m, mode="star", doppler_hz=dop)
    assert r3.master != dt.date(2021, 3, 12)


# ----------------------------------------------------------------------------- repair / message
def _toy():
    # dates 0,12,24,36,48 days; date 3 (day 24) is 170-200 m away from every other date
    return _days(0, 12, 24, 36, 48), np.array([0.0, 10.0, 200.0, 20.0, 30.0])


def test_disconnected_message_lists_groups_and_smallest_thresholds():
    d, b = _toy()
    with pytest.raises(ValueError) as exc:
        network.select_network(d, b, max_temporal_days=12, max_perp_m=50, repair=False)
    msg = str(exc.value)
    assert "3 groups" in msg
    assert "[20200101, 20200113]; [20200125]; [20200206, 20200218]" in msg
    assert "isolated: 20200125" in msg
    # keeping 12 days the bottleneck is the 190 m pair 20200113_20200125: 190/7449.11 = 2.5506 % -> 2.56 %
    assert "MAX_PERP_M >= 190.0 m" in msg and "MAX_PERP_PERCENT >= 2.56 %" in msg
    # keeping 50 m, nothing connects 20200125 (>= 170 m from every date)
    assert "no temporal limit connects it within the perpendicular limit" in msg
    assert "REPAIR" in msg
    # the suggested threshold really connects it, 189.9 m does not
    assert network.select_network(d, b, max_temporal_days=12, max_perp_m=190.0, repair=False).n_components == 1
    with pytest.raises(ValueError, match="disconnected"):
        network.select_network(d, b, max_temporal_days=12, max_perp_m=189.9, repair=False)
    # temporal hint when only the temporal limit is too tight
    d2 = _days(0, 12, 60, 72)
    with pytest.raises(ValueError, match=r"MAX_TEMPORAL_DAYS >= 48 \(keeping the perpendicular limit 100.0 m\)"):
        network.select_network(d2, np.zeros(4), max_temporal_days=24, max_perp_m=100, repair=False)


def test_sequential_hint_counts_only_sequential_pairs():
    d = _days(0, 12, 24, 36)
    b = np.array([0.0, 100.0, 0.0, 100.0])   # the N=1 chain needs 100 m; a 24-day pair would need 0 m
    with pytest.raises(ValueError, match=r"among the sequential pairs: .*MAX_PERP_M >= 100.0 m"):
        network.select_network(d, b, mode="sequential", sequential_n=1, max_perp_m=50, repair=False)
    with pytest.raises(ValueError, match=r"Smallest thresholds that connect it: .*MAX_PERP_M >= 100.0 m"):
        network.select_network(d, b, mode="sbas", max_temporal_days=12, max_perp_m=50, repair=False)


def test_repair_and_min_connections_are_labelled_and_cheapest():
    d, b = _toy()
    r = network.select_network(d, b, max_temporal_days=12, max_perp_m=50, repair=True)
    lab = {(p.ref, p.sec): p.reason for p in r.pairs}
    assert lab[(d[0], d[1])] == lab[(d[3], d[4])] == "thresholds"
    # Kruskal on normalised baseline Δt/12 + |ΔB⊥|/50: (1,3) 2.2, then (2,3) 4.6 beats (1,2) 4.8
    assert lab[(d[1], d[3])] == lab[(d[2], d[3])] == "added_connectivity"
    assert r.n_pairs == 4 and r.n_components == 1
    r2 = network.select_network(d, b, max_temporal_days=12, max_perp_m=50, min_connections=2)
    lab2 = {(p.ref, p.sec): p.reason for p in r2.pairs}
    added = {k for k, v in lab2.items() if v == "added_min_connections"}
    # date 0: (0,3) 3.4 < (0,4) 4.6; date 2: (1,2) 4.8 < (2,4) 5.4; date 4: (1,4) 3.4
    assert added == {(d[0], d[3]), (d[1], d[2]), (d[1], d[4])}
    assert r2.min_degree == 2
    for p in r2.pairs:   # everything not labelled as added obeys the thresholds
        if p.reason not in network.ADDED_REASONS:
            assert p.btemp_days <= 12 and abs(p.bperp_m) <= 50


def test_muli_min_connections_four():
    sc = simulate.scenario("muli")
    r = network.select_network(sc.dates, sc.bperp_m, max_temporal_days=90, max_perp_percent=45,
                               min_connections=4, geometry=sc.geometry)
    assert r.min_degree >= 4 and r.n_components == 1
    lim = 0.45 * network.critical_baseline_m(sc.geometry)
    for p in r.pairs:
        if p.reason == "thresholds":
            assert p.btemp_days <= 90 and abs(p.bperp_m) <= lim
        else:
            assert p.reason == "added_min_connections" and p.btemp_days > 90
    assert r.count("added_min_connections") == 6


def test_max_connections_cap():
    d = _days(*range(0, 120, 12))
    b = np.linspace(0, 90, 10)
    r = network.select_network(d, b, max_connections=3)
    assert max(r.degrees.values()) <= 3 and r.n_components == 1
    assert all(p.reason == "thresholds" for p in r.pairs)
    with pytest.raises(ValueError, match="MIN_CONNECTIONS.*MAX_CONNECTIONS"):
        network.select_network(d, b, min_connections=4, max_connections=3)
    # a cap of 1 leaves a matching of 5 disjoint pairs: the message blames the cap, not the thresholds
    with pytest.raises(ValueError, match=r"5 groups.*thresholds alone connect the dates.*MAX_CONNECTIONS=1"):
        network.select_network(d, b, max_temporal_days=36, max_connections=1, repair=False)
    r = network.select_network(d, b, max_temporal_days=36, max_connections=1, repair=True)
    assert r.n_components == 1 and r.count("added_connectivity") == 4 and r.n_pairs == 9


# ----------------------------------------------------------------------------- coherence
def test_coherence_mst_keeps_connectivity():
    d = _days(0, 12, 24, 36, 48, 60)
    b = np.array([0.0, 5.0, -5.0, 10.0, 0.0, 3.0])
    coh = {}
    for i in range(6):
        for j in range(i + 1, 6):
            coh[(d[i], d[j])] = 0.8 - 0.1 * (j - i)
    for i in range(5):              # the last date only has weak pairs
        coh[(d[i], d[5])] = 0.05 * (i + 1)      # best: (4,5) 0.25, then (3,5) 0.20
    r = network.select_network(d, b, coherence=coh, min_coherence=0.45)
    lab = {(p.ref, p.sec): p for p in r.pairs}
    assert r.n_components == 1
    assert lab[(d[4], d[5])].reason == "kept_coherence_mst"
    assert lab[(d[4], d[5])].coherence == pytest.approx(0.25)
    assert (d[3], d[5]) not in lab
    # all other pairs have coherence >= 0.45: 0.8-0.1*k >= 0.45 -> lags 1..3
    for (r_, s_), p in lab.items():
        if p.reason != "kept_coherence_mst":
            assert p.coherence >= 0.45
    assert r.count("kept_coherence_mst") == 1
    assert r.n_pairs == (4 + 3 + 2) + 1       # lags 1..3 among dates 0-4, plus the spanning-tree pair
    assert r.n_pairs == sum(1 for (i, j) in coh if coh[(i, j)] >= 0.45) + 1
    assert any("maximum spanning tree" in m for m in r.messages)


def test_coherence_from_table_and_stack(tmp_path):
    d = _days(0, 12, 24)
    csv_path = tmp_path / "coh.csv"
    csv_path.write_text("PAIR,COHERENCE\n20200101_20200113,0.61\n20200113_20200125,0.42\n20200101_20200125,\n")
    c = network.read_coherence_table(str(csv_path))
    assert c[(d[0], d[1])] == pytest.approx(0.61) and c[(d[0], d[2])] is None
    pairs = [(d[0], d[1]), (d[1], d[2]), (d[0], d[2])]
    data = np.stack([np.full((6, 5), 0.7), np.full((6, 5), 0.3), np.full((6, 5), 0.5)]).astype("float32")
    data[0, 0, :] = np.nan
    path = stackio.write_raster(str(tmp_path / "coh.tif"), data, kind="coherence",
                                labels=[stackio.pair_label(*p) for p in pairs],
                                band_metadata=stackio.band_metadata_for_pairs(pairs))
    m = network.read_coherence(path)
    assert m[(d[0], d[1])] == pytest.approx(0.7, abs=1e-6) and m[(d[1], d[2])] == pytest.approx(0.3, abs=1e-6)
    with pytest.raises(ValueError, match="COHERENCE: .*not a pair stack"):
        network.mean_coherence_of_stack(stackio.write_raster(str(tmp_path / "x.tif"), data, kind="velocity"))
    with pytest.raises(ValueError, match="no coherence column"):
        network.read_coherence_table([{"PAIR": "20200101_20200113", "X": 1}])


# ----------------------------------------------------------------------------- other modes
def test_sequential_and_delaunay():
    sc = simulate.scenario("tiny")
    n = len(sc.dates)
    r = network.select_network(sc.dates, sc.bperp_m, mode="sequential", sequential_n=2)
    assert r.n_pairs == (n - 1) + (n - 2) and all(p.reason == "sequential" for p in r.pairs)
    idx = {x: k for k, x in enumerate(sc.dates)}
    assert all(1 <= idx[p.sec] - idx[p.ref] <= 2 for p in r.pairs)
    r = network.select_network(sc.dates, sc.bperp_m, mode="delaunay")
    assert r.n_components == 1 and all(p.reason == "delaunay" for p in r.pairs)
    assert n - 1 <= r.n_pairs <= 3 * n - 6                 # a planar triangulation
    assert r.min_degree >= 2                               # every vertex of a triangulation
    # thresholds apply to the triangulation edges too
    r = network.select_network(sc.dates, sc.bperp_m, mode="delaunay", max_temporal_days=24, repair=True)
    assert all(p.btemp_days <= 24 for p in r.pairs if p.reason == "delaunay")
    # collinear points (all B⊥ equal) fall back to the sequential chain
    r = network.select_network(sc.dates, np.zeros(n), mode="delaunay")
    assert r.n_pairs == n - 1


# ----------------------------------------------------------------------------- bad input
def test_bad_input_messages():
    d = _days(0, 12, 24)
    with pytest.raises(ValueError, match="at least 2 acquisition dates, got 1"):
        network.select_network(d[:1], [0.0])
    with pytest.raises(ValueError, match="duplicate date 20200113"):
        network.select_network([d[0], d[1], d[1]], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="perpendicular baselines are missing"):
        network.select_network(d, None)
    with pytest.raises(ValueError, match="perpendicular baselines are missing for some dates"):
        network.select_network(d, [0.0, 1.0])
    with pytest.raises(ValueError, match=r"missing \(not finite\) for 20200125"):
        network.select_network(d, [0.0, 1.0, float("nan")])
    with pytest.raises(ValueError, match=r"missing \(not finite\) for 20200113"):
        network.select_network(d, [0.0, None, 2.0])
    with pytest.raises(ValueError, match=r"MASTER_DATE: 20200114 is not an acquisition date.*nearest: 20200113"):
        network.select_network(d, [0.0, 1.0, 2.0], mode="star", master_date="20200114")
    with pytest.raises(ValueError, match="MODE: 'hierarchical' is not one of"):
        network.select_network(d, [0.0, 1.0, 2.0], mode="hierarchical")
    with pytest.raises(ValueError, match="MAX_TEMPORAL_DAYS: must be >= 0"):
        network.select_network(d, [0.0, 1.0, 2.0], max_temporal_days=-5)


def test_stack_input_and_missing_baselines(tmp_path):
    sc = simulate.scenario("huaibei")
    vrt = make_stack(tmp_path / "hb", sc.dates, sc.bperp_m, geometry=sc.geometry)
    r = network.network_from_stack(vrt, mode="star")
    assert r.master == dt.date(2021, 3, 12) and r.n_pairs == 25
    assert r.critical_baseline_m == pytest.approx(network.critical_baseline_m(sc.geometry), rel=1e-9)
    # a date stack without BPERP_M metadata
    data = np.ones((3, 4, 4), dtype="float32")
    p = stackio.write_raster(str(tmp_path / "nob.tif"), data, kind="timeseries", labels=["20200101", "20200113",
                                                                                           "20200125"])
    with pytest.raises(ValueError, match="STACK: the perpendicular baselines are missing"):
        network.network_from_stack(p)
    one = stackio.write_raster(str(tmp_path / "one.tif"), data[:1], kind="slc", labels=["20200101"],
                               band_metadata=stackio.band_metadata_for_dates(_days(0), [0.0]))
    with pytest.raises(ValueError, match="at least 2 acquisition dates"):
        network.network_from_stack(one)


# ----------------------------------------------------------------------------- tables and plot
@pytest.mark.parametrize("ext", ["gpkg", "csv"])
def test_pairs_table_roundtrip(tmp_path, ext):
    d, b = _toy()
    r = network.select_network(d, b, max_temporal_days=12, max_perp_m=50)
    path = network.write_pairs_table(str(tmp_path / f"pairs.{ext}"), r)
    assert network.read_pairs_table(path) == r.pair_list
    assert network.read_pairs_table(path if ext == "csv" else path + "|layername=pairs") == r.pair_list
    rows = network._read_table_rows(path, name="T")
    assert [str(x["PAIR"]) for x in rows] == [p.label for p in r.pairs]
    assert [x["REASON"] for x in rows] == [p.reason for p in r.pairs]
    assert all(x["COHERENCE"] in (None, "") for x in rows)


def test_read_pairs_table_variants(tmp_path):
    (tmp_path / "p.csv").write_text("pair\n20200101_20200113\n20200113_20200125\n")
    want = [tuple(_days(0, 12)), tuple(_days(12, 24))]
    assert network.read_pairs_table(str(tmp_path / "p.csv")) == want
    (tmp_path / "ifg.txt").write_text("# MintPy date12 list\n200101-200113\n200113-200125\n")
    assert network.read_pairs_table(tmp_path / "ifg.txt") == want
    assert network.read_pairs_table(["20200101_20200113", ("20200113", "20200125")]) == want
    (tmp_path / "nohead.csv").write_text("20200101,20200113\n20200113,20200125\n")
    assert network.read_pairs_table(str(tmp_path / "nohead.csv")) == want
    (tmp_path / "rev.csv").write_text("REF_DATE,SEC_DATE\n20200113,20200101\n")
    with pytest.raises(ValueError, match=r"PAIRS: row 1: .*later date as reference"):
        network.read_pairs_table(str(tmp_path / "rev.csv"))
    (tmp_path / "dup.csv").write_text("PAIR\n20200101_20200113\n20200101_20200113\n")
    with pytest.raises(ValueError, match=r"row 2: duplicate pair 20200101_20200113"):
        network.read_pairs_table(str(tmp_path / "dup.csv"))
    with pytest.raises(ValueError, match="PAIRS: file not found"):
        network.read_pairs_table(str(tmp_path / "nothere.csv"))
    (tmp_path / "cols.csv").write_text("A,B\n1,2\n")
    with pytest.raises(ValueError, match="no REF_DATE/SEC_DATE"):
        network.read_pairs_table(str(tmp_path / "cols.csv"))


def test_plot_png(tmp_path):
    d, b = _toy()
    r = network.select_network(d, b, max_temporal_days=12, max_perp_m=50, min_connections=2)
    png = network.plot_network(r, str(tmp_path / "net.png"))
    import matplotlib.image as mpimg
    img = mpimg.imread(png)
    assert img.shape[0] == 550 and img.shape[1] == 1000
    # the added pairs are drawn in colour: red/orange pixels exist
    rgb = img[..., :3]
    assert ((rgb[..., 0] > 0.8) & (rgb[..., 2] < 0.3)).sum() > 50
