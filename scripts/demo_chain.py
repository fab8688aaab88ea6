"""The demo chain: which algorithms run, with which parameters, in which order.

Each step is a plain ``processing.run("minesar:<id>", params)`` call — the same
call a user makes from the Python console, a model or qgis_process.
"""
from __future__ import annotations

import os
import time


def _registered(alg_id: str) -> bool:
    from qgis.core import QgsApplication
    return QgsApplication.processingRegistry().algorithmById(f"minesar:{alg_id}") is not None


def run_chain(out: str, *, scenario: str = "tiny", seed: int = 1):
    """Run every available stage; return a list of step records."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    steps = []
    results = {}

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
        rec["figures"] = [(t, res[k]) for t, k in figures if res.get(k) and os.path.exists(res[k])]
        rec["reports"] = [(t, res[k]) for t, k in reports if res.get(k) and os.path.exists(res[k])]
        results[alg_id] = res
        print(f"[demo] {alg_id}: ok in {rec['seconds']:.1f} s {rec['numbers']}")
        return res

    sim = step("simulatestack", {"SCENARIO": scenario, "SEED": seed, "OUTPUT_FOLDER": os.path.join(out, "sim")},
               numbers=("N_DATES",),
               layers=[("truth LOS velocity (mm/yr)", "TRUTH_VELOCITY", "raster"),
                       ("truth DEM error (m)", "TRUTH_DEM_ERROR", "raster")])
    if sim is None:
        return steps
    step("buildstack", {"MANIFEST": sim["MANIFEST"], "OUTPUT": os.path.join(out, "stack.vrt")},
         numbers=("N_DATES",))
    return steps
