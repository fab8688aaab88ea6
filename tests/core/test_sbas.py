"""Core tests of the SBAS inversion (``algorithms/sbas.py``) on simulated stacks.

Simulated unwrapped stacks are built in numpy (``tests/test_sbas_helpers.py``):
truth displacement + DEM-error phase + turbulent atmosphere + phase noise.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from minesar.algorithms import sbas, stackio
from test_sbas_helpers import make_stack, write_stack


def _rmse(a, b):
    return float(np.sqrt(np.nanmean((np.asarray(a) - np.asarray(b)) ** 2)))


def test_design_matrix_and_disconnected_network():
    d = [dt.date(2020, 1, 1) + dt.timedelta(days=12 * i) for i in range(5)]
    pairs = [(d[0], d[1]), (d[0], d[2]), (d[3], d[4])]
    A, B, dty, ri, si = sbas.design_matrices(pairs, d)
    assert A.shape == (3, 4) and B.shape == (3, 4)
    np.testing.assert_allclose(B[1], [12 / 365.25, 12 / 365.25, 0, 0])
    np.testing.assert_allclose(A[2], [0, 0, -1, 1])
    assert sbas.network_subsets(pairs, d) == 2
    with pytest.raises(ValueError, match="reference date after"):
        sbas.design_matrices([(d[2], d[1])], d)


def test_noise_free_timeseries_exact_with_nan_holes():
    d = make_stack(nonlinear_mm=6.0, quadratic=15.0)
    ph = d["phase"].copy()
    rng = np.random.default_rng(1)
    holes = rng.random(ph.shape) < 0.08          # 8 % missing phase: many valid-patterns
    holes[:, 0, 0] = False
    ph[holes] = np.nan
    r = sbas.sbas_arrays(ph, d["pairs"], geometry=d["geometry"], reference=(0, 0), dem_error=False,
                         min_coherent_fraction=0.5)
    ok = np.isfinite(r.velocity_mm_yr)
    assert ok.mean() > 0.95
    err = np.abs(r.timeseries_mm - d["disp"])[:, ok]
    assert err.max() < 1e-3                      # mm
    np.testing.assert_allclose(r.timeseries_mm[0][ok], 0.0, atol=1e-9)
    np.testing.assert_allclose(r.temporal_coherence[ok], 1.0, atol=1e-9)
    assert np.nanmax(r.residual_rms_mm) < 1e-6


@pytest.mark.parametrize("weight", ["coh", "fim", "var"])
def test_noise_free_weighted_exact(weight):
    d = make_stack(rows=12, cols=14, nonlinear_mm=4.0)
    coh = np.random.default_rng(3).uniform(0.2, 0.95, d["phase"].shape)
    r = sbas.sbas_arrays(d["phase"], d["pairs"], geometry=d["geometry"], coherence=coh, weight=weight,
                         reference=(0, 0), dem_error=False)
    assert np.nanmax(np.abs(r.timeseries_mm - d["disp"])) < 1e-3


def test_weights_follow_mintpy_formulas():
    g = np.array([0.01, 0.3, 0.6, 0.9, 0.999])
    np.testing.assert_allclose(sbas.coherence_to_weight(g, "coh", 5), [0.05, 0.3, 0.6, 0.9, 0.999])
    fim = sbas.coherence_to_weight(g, "fim", 5)
    np.testing.assert_allclose(fim[1], 2 * 5 * 0.09 / 0.91)
    var = 1.0 / sbas.coherence_to_weight(g, "var", 5)
    # phase variance of distributed scatterers: uniform phase (pi^2/3) for g -> 0, falls with g
    assert 2.8 < var[0] < np.pi ** 2 / 3 + 0.05
    assert np.all(np.diff(var) < 0)
    # for high coherence it approaches the Cramer-Rao bound (1 - g^2) / (2 L g^2)
    crb = (1 - 0.9 ** 2) / (2 * 5 * 0.9 ** 2)
    assert crb < var[3] < 1.6 * crb


def test_noise_velocity_rmse_within_propagated_bound():
    """sigma_v is the exact propagation of i.i.d. phase noise through the
    linear estimator (velocity = M . phase): sigma_v = sigma_phi * ||M||."""
    sigma = 0.5
    d = make_stack(noise_rad=sigma, n_dates=20)
    r = sbas.sbas_arrays(d["phase"], d["pairs"], geometry=d["geometry"], reference=(0, 0), dem_error=False)
    n = len(d["pairs"])
    unit = np.concatenate([np.eye(n)[:, :, None], np.zeros((n, n, 1))], axis=2)
    M = sbas.sbas_arrays(unit, d["pairs"], geometry=d["geometry"], reference=(0, 1), dem_error=False)
    sigma_v = sigma * float(np.sqrt(np.sum(M.velocity_mm_yr[:, 0] ** 2)))
    err = (r.velocity_mm_yr - d["vel"])
    mask = np.ones(err.shape, bool)
    mask[0, 0] = False
    e = err[mask]
    spread = float(np.std(e))             # pixel noise; the mean is the reference pixel's own noise
    print(f"velocity RMSE {np.sqrt(np.mean(e ** 2)):.2f} mm/yr, spread {spread:.2f}, "
          f"propagated sigma_v {sigma_v:.2f} mm/yr")
    assert 0.85 * sigma_v < spread < 1.15 * sigma_v
    assert abs(float(np.mean(e))) < 4.0 * sigma_v
    assert np.sqrt(np.mean(e ** 2)) < np.sqrt(2) * sigma_v * 1.6


def test_dem_error_recovered_and_improves_timeseries():
    d = make_stack(noise_rad=0.3, n_dates=30, step_days=12, dem_error_m=15.0, bperp_spread_m=150.0,
                   quadratic=20.0)
    r = sbas.sbas_arrays(d["phase"], d["pairs"], geometry=d["geometry"], reference=(0, 0),
                         date_bperp_m=d["bperp"])
    r0 = sbas.sbas_arrays(d["phase"], d["pairs"], geometry=d["geometry"], reference=(0, 0),
                          date_bperp_m=d["bperp"], dem_error=False)
    dem_rms = _rmse(r.dem_error_m, d["dz"])
    ts_with, ts_without = _rmse(r.timeseries_mm, d["disp"]), _rmse(r0.timeseries_mm, d["disp"])
    print(f"DEM error RMS {dem_rms:.2f} m; time-series RMSE {ts_with:.2f} mm with, {ts_without:.2f} mm without")
    assert dem_rms < 1.0
    assert ts_with < 0.6 * ts_without
    assert np.all(np.isnan(r0.dem_error_m))


def test_atmospheric_filter_lowers_timeseries_rmse():
    d = make_stack(atmo_mm=5.0, atmo_sigma_px=8.0, n_dates=40, step_days=12, rows=48, cols=48, noise_rad=0.2)
    kw = dict(geometry=d["geometry"], reference=(0, 0), dem_error=False, pixel_size_m=(100.0, 100.0))
    r = sbas.sbas_arrays(d["phase"], d["pairs"], atmosphere=True, **kw)
    r0 = sbas.sbas_arrays(d["phase"], d["pairs"], atmosphere=False, **kw)
    with_f, without = _rmse(r.timeseries_mm, d["disp"]), _rmse(r0.timeseries_mm, d["disp"])
    print(f"time-series RMSE with atmospheric filter {with_f:.2f} mm, without {without:.2f} mm")
    assert with_f < 0.7 * without
    assert r.atmosphere_mm is not None and np.allclose(r.atmosphere_mm[0], 0.0, equal_nan=True)
    # the estimate correlates with the true (referenced) atmosphere
    true_a = d["atmo"] - d["atmo"][:, :1, :1] - (d["atmo"][0] - d["atmo"][0, 0, 0])[None]
    c = np.corrcoef(r.atmosphere_mm[1:].ravel(), true_a[1:].ravel())[0, 1]
    assert c > 0.6


def test_vertical_and_sign():
    d = make_stack(rows=10, cols=12)
    r = sbas.sbas_arrays(d["phase"], d["pairs"], geometry=d["geometry"], reference=(0, 0), dem_error=False)
    rv = sbas.sbas_arrays(d["phase"], d["pairs"], geometry=d["geometry"], reference=(0, 0), dem_error=False,
                          vertical=True)
    np.testing.assert_allclose(rv.velocity_mm_yr, r.velocity_mm_yr / np.cos(np.radians(39.0)), rtol=1e-9)
    assert r.velocity_mm_yr.min() < -50          # the bowl subsides: negative, toward-satellite positive


def test_disconnected_network_min_norm():
    d = make_stack(rows=6, cols=6, n_dates=10, max_btemp=50)
    cut = d["dates"][5]
    keep = [i for i, (a, b) in enumerate(d["pairs"]) if not (a < cut <= b)]
    pairs = [d["pairs"][i] for i in keep]
    assert sbas.network_subsets(pairs, d["dates"]) == 2
    r = sbas.sbas_arrays(d["phase"][keep], pairs, geometry=d["geometry"], reference=(0, 0), dem_error=False)
    ts, tr = r.timeseries_mm, d["disp"]
    # inside each subset the time series is exact; the unobserved interval gets zero velocity
    np.testing.assert_allclose(ts[:5], tr[:5], atol=1e-6)
    np.testing.assert_allclose(ts[5:] - ts[5], tr[5:] - tr[5], atol=1e-6)
    np.testing.assert_allclose(ts[5], ts[4], atol=1e-9)


def test_auto_reference_and_bad_inputs():
    d = make_stack(rows=10, cols=12)
    coh = np.full(d["phase"].shape, 0.5)
    coh[:, 6, 7] = 0.95
    r = sbas.sbas_arrays(d["phase"], d["pairs"], geometry=d["geometry"], coherence=coh, dem_error=False)
    assert r.reference == (6, 7)
    ph = d["phase"].copy()
    ph[3, 2, 2] = np.nan
    with pytest.raises(ValueError, match=r"REFERENCE: the reference pixel \(row 2, col 2\).*NaN.*1 of"):
        sbas.sbas_arrays(ph, d["pairs"], geometry=d["geometry"], reference=(2, 2))
    with pytest.raises(ValueError, match="COHERENCE_THRESHOLD: every pixel is masked"):
        sbas.sbas_arrays(d["phase"], d["pairs"], geometry=d["geometry"], coherence=coh, reference=(0, 0),
                         coherence_threshold=0.99)
    with pytest.raises(ValueError, match="WEIGHT: 'var' weights need a COHERENCE"):
        sbas.sbas_arrays(d["phase"], d["pairs"], weight="var")
    with pytest.raises(ValueError, match="WEIGHT"):
        sbas.sbas_arrays(d["phase"], d["pairs"], weight="nope")


def test_files_blocks_match_arrays_and_bad_files(tmp_path):
    d = make_stack(rows=30, cols=20, noise_rad=0.2, dem_error_m=10, bperp_spread_m=120, atmo_mm=3,
                   atmo_sigma_px=6)
    p = write_stack(tmp_path / "unw.tif", d)
    outs = dict(out_timeseries=str(tmp_path / "ts.tif"), out_velocity=str(tmp_path / "v.tif"),
                out_dem_error=str(tmp_path / "dem.tif"), out_temporal_coherence=str(tmp_path / "tc.tif"),
                out_residual_rms=str(tmp_path / "rms.tif"), out_atmosphere=str(tmp_path / "atm.tif"))
    s = sbas.run_sbas(str(p), reference=(0, 0), memory_mb=0.05, workers=2, **outs)
    assert s.n_blocks > 3 and s.n_valid == 600
    ref = sbas.sbas_arrays(d["phase"].astype("float32").astype(float), d["pairs"], geometry=d["geometry"],
                           reference=(0, 0), date_bperp_m=d["bperp"], atmosphere=True, pixel_size_m=(20.0, 20.0))
    ts = stackio.read_block(outs["out_timeseries"])
    assert np.nanmax(np.abs(ts - ref.timeseries_mm)) < 0.05
    np.testing.assert_allclose(stackio.read_band(outs["out_dem_error"]), ref.dem_error_m, atol=0.05)
    inf = stackio.read_stack_info(outs["out_timeseries"])
    assert inf.kind == "timeseries" and inf.units == "mm" and inf.dates == d["dates"]
    assert inf.metadata["REF_ROW"] == "0" and inf.band_metadata[0]["DATE"] == "20200103"
    assert stackio.read_stack_info(outs["out_velocity"]).kind == "velocity"
    assert stackio.read_stack_info(outs["out_atmosphere"]).count == len(d["dates"])
    # no pair metadata
    bad = write_stack(tmp_path / "nopairs.tif", d, with_pairs=False)
    with pytest.raises(ValueError, match="PHASE: .* has no pair metadata"):
        sbas.run_sbas(str(bad), out_timeseries=str(tmp_path / "x.tif"), out_velocity=str(tmp_path / "y.tif"))
    wrapped = write_stack(tmp_path / "wr.tif", d, kind="wrapped")
    with pytest.raises(ValueError, match="'wrapped' raster"):
        sbas.run_sbas(str(wrapped), out_timeseries=str(tmp_path / "x.tif"), out_velocity=str(tmp_path / "y.tif"))
    assert not (tmp_path / "x.tif").exists()


def test_files_reference_from_metadata_and_cancel(tmp_path):
    from osgeo import gdal
    from minesar.algorithms.progress import Canceled
    d = make_stack(rows=40, cols=12, noise_rad=0.1)
    p = write_stack(tmp_path / "unw.tif", d)
    ds = gdal.Open(str(p), gdal.GA_Update)
    ds.SetMetadataItem("REF_ROW", "5")
    ds.SetMetadataItem("REF_COL", "6")
    ds = None
    s = sbas.run_sbas(str(p), out_timeseries=str(tmp_path / "ts.tif"), out_velocity=str(tmp_path / "v.tif"),
                      atmosphere=False)
    assert s.reference == (5, 6) and "REF_ROW" in s.reference_how
    np.testing.assert_allclose(stackio.read_block(str(tmp_path / "ts.tif"))[:, 5, 6], 0.0, atol=1e-9)

    class CancelAfterFirst:
        n = 0

        def setProgress(self, v):
            self.n += 1

        def isCanceled(self):
            return self.n > 0

    with pytest.raises(Canceled):
        sbas.run_sbas(str(p), out_timeseries=str(tmp_path / "c_ts.tif"), out_velocity=str(tmp_path / "c_v.tif"),
                      memory_mb=0.02, workers=1, feedback=CancelAfterFirst())
    assert not (tmp_path / "c_ts.tif").exists() and not (tmp_path / "c_v.tif").exists()
    assert not list(tmp_path.glob("minesar_sbas_*"))
