"""The demo chain: which algorithms run, with which parameters, in which order.

Each step is a plain ``processing.run("minesar:<id>", params)`` call — the same
call a user makes from the Python console, a Graphical Modeler model or
``qgis_process``.  Inputs a surveyor would bring (leveling benchmarks, a profile
line) are made from the simulator's truth so the demo can check itself.
"""
from __future__ import annotations

import os
import time

import numpy as np


def _registered(alg_id: str) -> bool:
    from qgis.core import QgsApplication
    return QgsApplication.processingRegistry().algorithmById(f"minesar:{alg_id}") is not None


def _truth_checks(sim, sbas, ifg_looks):
    """SBAS velocity and last-date displacement against the simulator's truth."""
    from minesar.algorithms import stackio
    out = {}
    if not sbas:
        return out
    vel = stackio.read_band(sbas["OUTPUT_VELOCITY"])
    truth = stackio.read_band(sim["TRUTH_VELOCITY"]).astype(np.float64)
    lr, la = ifg_looks
    h, w = vel.shape
    t = truth[: h * la, : w * lr].reshape(h, la, w, lr).mean(axis=(1, 3))
    ok = np.isfinite(vel)
    # SBAS is relative to its reference point on stable ground; the truth is absolute
    d = vel[ok] - t[ok]
    out["SBAS median offset vs truth (mm/yr)"] = float(np.median(d))
    d -= np.median(d)
    out["SBAS velocity RMSE vs truth (mm/yr)"] = float(np.sqrt(np.mean(d ** 2)))
    out["SBAS min velocity (mm/yr)"] = float(np.nanmin(vel))
    out["truth min velocity (mm/yr)"] = float(t.min())
    out["valid pixels (%)"] = float(100.0 * ok.mean())
    return out


def _stable_reference(sim, looks):
    """A reference point on stable, coherent ground (urban/bare, |truth velocity| small, far from the
    bowl) — what a surveyor picks from a field visit; returns ``"x,y [EPSG:n]"``."""
    from minesar.algorithms import stackio
    v = stackio.read_band(sim["TRUTH_VELOCITY"]).astype(float)
    lc = stackio.read_band(sim["LANDCOVER"])
    gt, wkt = _georef(sim["TRUTH_VELOCITY"])
    la, lr = looks[1], looks[0]
    h, w = v.shape[0] // la, v.shape[1] // lr
    vm = np.abs(v[: h * la, : w * lr].reshape(h, la, w, lr)).max(axis=(1, 3))
    good = np.isin(lc[: h * la, : w * lr], (1, 2)).reshape(h, la, w, lr).all(axis=(1, 3))
    r0, c0 = np.unravel_index(np.nanargmin(v), v.shape)
    rr, cc = np.mgrid[0:h, 0:w]
    dist = np.hypot(rr * la - r0, cc * lr - c0)
    score = np.where(good & (vm < 1.0), dist, -1.0)
    if score.max() < 0:
        return None
    r, c = np.unravel_index(np.argmax(score), score.shape)
    x = gt[0] + (c + 0.5) * lr * gt[1]
    y = gt[3] + (r + 0.5) * la * gt[5]
    return f"{x},{y} [{_authid(wkt)}]"


def run_chain(out: str, *, scenario: str = "tiny", seed: int = 1):
    """Run every available stage; return a list of step records."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    steps = []
    P = lambda name: os.path.join(out, name)  # noqa: E731

    def step(alg_id, params, *, layers=(), numbers=(), figures=(), reports=(), note=""):
        rec = {"alg": f"minesar:{alg_id}", "status": "skipped", "note": note}
        steps.append(rec)
        if not _registered(alg_id):
            rec["note"] = "stage not available in this version"
            return None
        t0 = time.time()
        try:
            params = params() if callable(params) else params
            res = processing.run(f"minesar:{alg_id}", params, context=QgsProcessingContext(),
                                 feedback=QgsProcessingFeedback())
        except Exception as exc:  # noqa: BLE001 - the report says what failed
            rec.update(status="failed", note=str(exc)[:300], seconds=time.time() - t0)
            print(f"[demo] {alg_id}: FAILED: {exc}")
            return None
        rec.update(status="ok", seconds=time.time() - t0)
        rec["numbers"] = {k: res[k] for k in numbers if k in res}
        rec["layers"] = [(name, res[k], kind) for name, k, kind in layers if res.get(k)]
        rec["figures"] = [(t, res[k]) for t, k in figures if res.get(k) and os.path.exists(str(res[k]))]
        rec["reports"] = [(t, res[k]) for t, k in reports if res.get(k) and os.path.exists(str(res[k]))]
        print(f"[demo] {alg_id}: ok in {rec['seconds']:.1f} s {rec['numbers']}")
        return res

    sim = step("simulatestack", {"SCENARIO": scenario, "SEED": seed, "OUTPUT_FOLDER": P("sim")},
               numbers=("N_DATES",),
               layers=[("truth LOS velocity (mm/yr)", "TRUTH_VELOCITY", "raster"),
                       ("truth DEM error (m)", "TRUTH_DEM_ERROR", "raster"),
                       ("truth PS mask", "PS_MASK", "raster")])
    if sim is None:
        return steps
    geometry = {k: sim[k] for k in ("WAVELENGTH", "INCIDENCE", "HEADING", "SLANT_RANGE", "RANGE_PIXEL",
                                    "AZIMUTH_PIXEL") if k in sim}
    stack = step("buildstack", {"MANIFEST": sim["MANIFEST"], "DEM": sim["DEM"], **geometry,
                                "OUTPUT": P("stack.vrt")}, numbers=("N_DATES",))
    if stack is None:
        return steps
    # puhe's 20 m single-look pixels over farmland need 4 x 4 looks to unwrap reliably (docs/simulate.md)
    looks = (2, 2) if scenario == "tiny" else (4, 4)
    pairs = step("pairnetwork", {"STACK": stack["OUTPUT"], "MODE": "sbas", "MAX_TEMPORAL_DAYS": 72,
                                 "MAX_PERP_PERCENT": 2, "REPAIR": True, "OUTPUT": P("pairs.gpkg"),
                                 "PLOT": P("network.png")},
                 numbers=("N_PAIRS", "MIN_DEGREE", "N_COMPONENTS", "CRITICAL_BASELINE_M"),
                 layers=[("pairs", "OUTPUT", "vector")], figures=[("SBAS pair network", "PLOT")])
    ifg = step("interferograms", lambda: {
        "STACK": stack["OUTPUT"], "PAIRS": pairs["OUTPUT"], "LOOKS_RANGE": looks[0], "LOOKS_AZIMUTH": looks[1],
        "COHERENCE_WINDOW": 5, "REMOVE_TOPO": True, "GOLDSTEIN_ALPHA": 0.5,
        "OUTPUT_PHASE": P("wrapped.tif"), "OUTPUT_COHERENCE": P("coherence.tif"),
        "OUTPUT_MEAN_COHERENCE": P("mean_coherence.tif"),
        "OUTPUT_AMPLITUDE_DISPERSION": P("amplitude_dispersion.tif")},
        numbers=("N_PAIRS", "MEAN_COHERENCE"),
        layers=[("mean coherence", "OUTPUT_MEAN_COHERENCE", "raster"),
                ("amplitude dispersion", "OUTPUT_AMPLITUDE_DISPERSION", "raster")]) if pairs else None
    unw = step("unwrap", lambda: {
        "PHASE": ifg["OUTPUT_PHASE"], "COHERENCE": ifg["OUTPUT_COHERENCE"], "METHOD": "grid",
        "COHERENCE_THRESHOLD": 0.2, "CORRECT_CLOSURE": True, "OUTPUT": P("unwrapped.tif"), "OUTPUT_COMPONENTS": P("components.tif"),
        "OUTPUT_CLOSURE": P("closure.gpkg")},
        numbers=("N_FLAGGED", "REF_ROW", "REF_COL"),
        layers=[("closure check", "OUTPUT_CLOSURE", "vector")]) if ifg else None
    ref = _stable_reference(sim, looks)
    sbas = step("sbas", lambda: {
        "PHASE": unw["OUTPUT"], "COHERENCE": ifg["OUTPUT_COHERENCE"], "WEIGHT": "var", "DEM_ERROR": True,
        **({"REFERENCE": ref} if ref else {}),
        "ATMOSPHERE": True, "OUTPUT_TIMESERIES": P("timeseries.tif"), "OUTPUT_VELOCITY": P("velocity.tif"),
        "OUTPUT_DEM_ERROR": P("dem_error.tif"), "OUTPUT_TEMPORAL_COHERENCE": P("temporal_coherence.tif")},
        layers=[("SBAS velocity (mm/yr)", "OUTPUT_VELOCITY", "raster"),
                ("SBAS time series (mm)", "OUTPUT_TIMESERIES", "raster"),
                ("SBAS DEM error (m)", "OUTPUT_DEM_ERROR", "raster"),
                ("temporal coherence", "OUTPUT_TEMPORAL_COHERENCE", "raster")]) if unw else None
    if sbas:
        steps[-1].setdefault("numbers", {}).update(_truth_checks(sim, sbas, looks))
    step("psinsar", {"STACK": stack["OUTPUT"], "SELECTION": "dual", "OUTPUT": P("ps.gpkg")},
         numbers=("N_PS", "PS_DENSITY_PER_KM2", "MASTER_DATE"), layers=[("PS points", "OUTPUT", "vector")])
    if sbas:
        # benchmarks (vertical truth + 2 mm, five disturbed), a profile line through the bowls and
        # two tilt points 31.46 m apart, made from the simulator's truth (algorithms/leveling.py)
        from minesar.algorithms import leveling, stackio
        val = leveling.simulated_validation_inputs(sim["TRUTH_DISPLACEMENT"], P("validation"), seed=seed)
        truth_dates = stackio.read_stack_info(sim["TRUTH_DISPLACEMENT"]).dates
        step("leveling", {"BENCHMARKS": val["benchmarks"], "ID_FIELD": "NAME", "VALUE_FIELD": "SUBS",
                          "START_DATE": stackio.date_label(truth_dates[0]),
                          "END_DATE": stackio.date_label(truth_dates[-1]), "INSAR": sbas["OUTPUT_TIMESERIES"],
                          "AGGREGATION": "mean", "RADIUS": 50.0, "VERTICAL": True,
                          "EXCLUDE_FIELD": "TRUE_OFFSET_MM", "OUTPUT": P("leveling.gpkg"),
                          "OUTPUT_REPORT": P("leveling.html")},
             numbers=("RMSE", "RMSE_CLEAN", "R2", "PEARSON_R2", "BIAS", "N"),
             layers=[("leveling comparison", "OUTPUT", "vector")],
             reports=[("Leveling validation report", "OUTPUT_REPORT")])
        step("profile", {"INPUT": sbas["OUTPUT_TIMESERIES"], "LINE": val["line"], "STEP": 20.0, "BUFFER": 0.0,
                         "DATES": "all", "OUTPUT": P("profile.gpkg"), "PLOT": P("profile.png")},
             figures=[("Profile through the bowl", "PLOT")])
        step("tilt", {"INPUT": sbas["OUTPUT_TIMESERIES"], "POINT_A": val["point_a"], "POINT_B": val["point_b"],
                      "OUTPUT": P("tilt.gpkg"), "PLOT": P("tilt.png")},
             numbers=("MAX_TILT", "DISTANCE_M"), figures=[("Tilt between two points", "PLOT")])
        step("okadafit", {"DISPLACEMENT": sbas["OUTPUT_VELOCITY"], "N_SOURCES": 1 if scenario == "tiny" else 2,
                          "OUTPUT_SOURCES": P("okada_sources.gpkg"), "OUTPUT_MODEL": P("okada_model.tif"),
                          "OUTPUT_RESIDUAL": P("okada_residual.tif"), "OUTPUT_REPORT": P("okada.html")},
             layers=[("Okada sources", "OUTPUT_SOURCES", "vector"), ("Okada model", "OUTPUT_MODEL", "raster")],
             reports=[("Okada fit report", "OUTPUT_REPORT")])
    return steps


def _georef(path):
    from minesar.algorithms import stackio
    info = stackio.read_stack_info(path)
    return info.geotransform, info.crs_wkt


def _authid(wkt):
    from osgeo import osr
    s = osr.SpatialReference()
    s.ImportFromWkt(wkt)
    s.AutoIdentifyEPSG()
    code = s.GetAuthorityCode(None)
    return f"EPSG:{code}" if code else "EPSG:4326"
