"""Real data: Mexico City, 13 Sentinel-1 dates (2018-01-06 … 2018-07-17), 30 GAMMA
unwrapped interferograms from PyRate's test data (``../shared/data/mexico_city_s1``).

PyRate's config says ``signal_polarity: -1``: PyRate converts radians to mm as
+lambda/(4 pi) x phase and divides its products by signal_polarity, i.e. its
output is -lambda/(4 pi) x phase = MineSAR's d_mm with the phase as stored.
So the files are imported with PHASE_SIGN = +1 and subsidence comes out
negative.  Numbers pinned below were measured with this code (docs/sbas.md):
reference pixel row 20, col 10 (-99.1765 E, 19.4228 N, the stable western
hills around Chapultepec), COHERENCE_THRESHOLD 0.2, defaults otherwise.
"""
from __future__ import annotations

import numpy as np
import pytest

from minesar.algorithms import ingest, sbas, stackio

MX = "mexico_city_s1"


@pytest.fixture(scope="module")
def mexico_stack(shared_data, tmp_path_factory):
    d = tmp_path_factory.mktemp("mx")
    r = ingest.import_unwrapped(str(shared_data / MX / "geotiffs"), str(d / "unw.tif"),
                                output_coherence=str(d / "coh.tif"),
                                baseline_folder=str(shared_data / MX / "geometry"))
    return d, r


def test_mexico_import(mexico_stack):
    d, r = mexico_stack
    assert r["n_pairs"] == 30 and r["n_dates"] == 13 and r["has_coherence"] and r["has_baselines"]
    inf = stackio.read_stack_info(str(d / "unw.tif"))
    assert (inf.width, inf.height) == (100, 60)
    assert inf.geometry.wavelength_m == pytest.approx(0.0555041577)     # PyRate GeoTIFF tags
    assert inf.geometry.incidence_deg == pytest.approx(39.7026)
    # B_perp of 20180106-20180130 from the GAMMA bperp table (mean of the column)
    assert inf.bperp_m[0] == pytest.approx(30.34, abs=0.01)
    assert np.isnan(stackio.read_block(str(d / "unw.tif"))).mean() == pytest.approx(0.0185, abs=0.01)


def test_mexico_sbas_subsidence_bowl(mexico_stack):
    d, _ = mexico_stack
    out = {k: str(d / f"{k}.tif") for k in ("ts", "vel", "dem", "tc")}
    s = sbas.run_sbas(str(d / "unw.tif"), coherence_path=str(d / "coh.tif"), out_timeseries=out["ts"],
                      out_velocity=out["vel"], out_dem_error=out["dem"], out_temporal_coherence=out["tc"],
                      reference=(20, 10), coherence_threshold=0.2)
    v = stackio.read_band(out["vel"])
    ts = stackio.read_block(out["ts"])
    px, py = stackio.read_stack_info(out["vel"]).pixel_size_m
    area_km2 = float(np.sum(v < -100.0)) * px * py / 1e6
    west = v[:, :20]
    print(f"Mexico City: min velocity {np.nanmin(v):.1f} mm/yr, area below -100 mm/yr {area_km2:.1f} km2, "
          f"western median {np.nanmedian(west):.1f} mm/yr, min cumulative {np.nanmin(ts[-1]):.1f} mm, "
          f"median temporal coherence {s.median_tcoh:.3f}")
    assert s.n_valid == 5723 and s.dem_error_estimated
    # decimetres per year of subsidence, NEGATIVE (toward-satellite positive)
    assert -300.0 < np.nanmin(v) < -275.0                      # measured -288.8 mm/yr
    row, col = np.unravel_index(np.nanargmin(v), v.shape)
    assert col > 70                                            # east, near the airport (-99.07 E)
    assert 47.0 < area_km2 < 55.0                              # measured 51.0 km2
    assert abs(np.nanmedian(west)) < 6.0                       # stable western hills: 3.0 mm/yr
    assert np.nanmin(ts[-1]) < -140.0                          # measured -152.7 mm in 192 days
    assert s.median_tcoh > 0.9
    # uplift is small: the bowl dominates with the negative sign
    assert np.nanmax(v) < 60.0
