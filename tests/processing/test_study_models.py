"""The study models (models/*.model3) inside the provider, through processing.run (tier b)."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import LINK_PARENT, ROOT

STUDY_DEFAULTS = {
    "study_muli_sbas": {"MAX_TEMPORAL_DAYS": 90.0, "MAX_PERP_PERCENT": 45.0, "MIN_CONNECTIONS": 4,
                        "GOLDSTEIN_ALPHA": 0.5, "UNWRAP_METHOD": "delaunay", "ATMOSPHERE": True,
                        "ATMO_TEMPORAL_DAYS": 365.0, "ATMO_SPATIAL_M": 1600.0},
    "study_huaibei_ps": {"SELECTION": "dual", "COHERENCE_THRESHOLD": 0.7, "DISPERSION_THRESHOLD": 0.6,
                         "MASTER_DATE": "", "RADIUS": 50.0},
    "study_puhe_sbas_okada": {"MAX_TEMPORAL_DAYS": 72.0, "MAX_PERP_PERCENT": 2.0, "UNWRAP_METHOD": "grid",
                              "COHERENCE_THRESHOLD": 0.2, "N_SOURCES": 3, "FIX_DIP_ZERO": True},
}


def _alg(model_id):
    from qgis.core import QgsApplication
    alg = QgsApplication.processingRegistry().algorithmById(f"minesar:{model_id}")
    assert alg is not None, f"minesar:{model_id} is not registered (models/{model_id}.model3)"
    return alg


@pytest.mark.parametrize("model_id", sorted(STUDY_DEFAULTS))
def test_study_model_in_provider(qgis_app, model_id):
    alg = _alg(model_id)
    assert alg.id() == f"minesar:{model_id}" and alg.groupId() == "8_studies"
    assert alg.displayName().startswith("Study ") and alg.shortHelpString().startswith("Study ")
    inst = alg.create()
    assert inst.id() == alg.id() and type(inst) is type(alg)
    params = {p.name(): p for p in inst.parameterDefinitions()}
    assert "STACK" in params
    for key, value in STUDY_DEFAULTS[model_id].items():
        assert params[key].defaultValue() == (pytest.approx(value) if isinstance(value, float) else value), key
    # every model input is UPPER_SNAKE, every output STEP:NAME
    assert all(p.name() == p.name().upper() for p in params.values())
    assert all(":" in o.name() for o in inst.outputDefinitions())


def test_model_files_are_up_to_date(qgis_app):
    """models/*.model3 equal what scripts/build_study_models.py builds now (regenerate when keys change)."""
    from qgis.core import QgsProcessingModelAlgorithm
    spec = importlib.util.spec_from_file_location("build_study_models", ROOT / "scripts" / "build_study_models.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)

    def summary(m):
        children = {cid: (c.algorithmId(), {k: [(s.source(), s.staticValue(), s.parameterName(), s.outputChildId(),
                                                 s.outputName()) for s in v]
                                            for k, v in c.parameterSources().items()})
                    for cid, c in m.childAlgorithms().items()}
        inputs = {p.name(): (p.type(), p.defaultValue()) for p in m.parameterDefinitions()}
        return children, inputs, m.helpContent().get("ALG_DESC"), m.name()

    for model_id, make in mod.STUDIES.items():
        fresh = make()
        saved = QgsProcessingModelAlgorithm()
        assert saved.fromFile(str(ROOT / "models" / f"{model_id}.model3"))
        assert summary(saved) == summary(fresh), \
            f"models/{model_id}.model3 is stale: run /usr/bin/python3 scripts/build_study_models.py"


def test_puhe_model_without_profile_line_uses_study_defaults(run_alg, tmp_path):
    """No LINE: the profile step is skipped; inputs left out get the STUDY's defaults (not the steps')."""
    from osgeo import ogr
    sim = run_alg("simulatestack", {"SCENARIO": "tiny", "SEED": 2, "OUTPUT_FOLDER": str(tmp_path / "sim")})
    geometry = {k: sim[k] for k in ("WAVELENGTH", "INCIDENCE", "HEADING", "SLANT_RANGE", "RANGE_PIXEL",
                                    "AZIMUTH_PIXEL")}
    stack = run_alg("buildstack", {"MANIFEST": sim["MANIFEST"], "DEM": sim["DEM"], **geometry,
                                   "OUTPUT": str(tmp_path / "stack.vrt")})["OUTPUT"]
    params = {"STACK": stack, "LOOKS_RANGE": 2, "LOOKS_AZIMUTH": 2, "N_SOURCES": 1, "ITERATIONS": 1000,
              "NETWORK:PAIRS": str(tmp_path / "pairs.gpkg"), "OKADA:SOURCES": str(tmp_path / "sources.gpkg")}
    for p in _alg("study_puhe_sbas_okada").destinationParameterDefinitions():
        params.setdefault(p.name(), "TEMPORARY_OUTPUT")       # mandatory outputs need a value
    res = run_alg("study_puhe_sbas_okada", params)
    assert not res.get("PROFILE:STATIONS")
    ds = ogr.Open(str(tmp_path / "pairs.gpkg"))
    bt = [f.GetField("BTEMP_DAYS") for f in ds.GetLayer(0)]
    assert max(bt) == 72          # the study's 72 days, not pairnetwork's own default of 90
    ds = ogr.Open(str(tmp_path / "sources.gpkg"))
    assert ds.GetLayer(0).GetFeatureCount() == 1


def test_model_with_a_missing_stage_is_skipped(qgis_app, tmp_path):
    """A model whose step is not registered is logged and left out; the others still load."""
    from minesar.processing_provider.studies import study_models
    good = (ROOT / "models" / "study_huaibei_ps.model3").read_text(encoding="utf-8")
    (tmp_path / "study_ok.model3").write_text(good, encoding="utf-8")
    (tmp_path / "study_broken.model3").write_text(good.replace("minesar:leveling", "minesar:nosuchstage"),
                                                  encoding="utf-8")
    algs = study_models(str(tmp_path))
    assert [a.name() for a in algs] == ["study_ok"]


REGISTRATION = textwrap.dedent('''
    import collections, json, sys
    from qgis.core import QgsApplication, QgsProcessingAlgorithm
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing
    Processing.initialize()
    from minesar.processing_provider import base
    from minesar.processing_provider.provider import MineSARProvider
    from minesar.processing_provider.studies import study_models

    made = collections.Counter()          # instantiations per stage (each runs __init__ + initAlgorithm)

    def counting_init(self, *args, **kwargs):
        made[type(self).ALG_ID] += 1
        QgsProcessingAlgorithm.__init__(self, *args, **kwargs)

    base.MineSARAlgorithm.__init__ = counting_init
    provider = MineSARProvider()
    loaded = []
    provider.algorithmsLoaded.connect(lambda: loaded.append(sorted(a.name() for a in provider.algorithms())))
    QgsApplication.processingRegistry().addProvider(provider)
    out = {"registration": dict(made), "names": sorted(a.name() for a in provider.algorithms()),
           "toolbox_told": loaded[-1] if loaded else [],
           "outputs": {a.name(): len(a.outputDefinitions()) for a in provider.algorithms()
                       if a.name().startswith("study_")}}
    made.clear()
    models = study_models()               # what the study models cost on their own (their steps)
    out["models_alone"] = dict(made)
    out["fresh_outputs"] = {m.name(): len(m.outputDefinitions()) for m in models}
    made.clear()
    provider.refreshAlgorithms()          # a later reload (provider registered): same cost, same list
    out["refresh"] = dict(made)
    out["names_after_refresh"] = sorted(a.name() for a in provider.algorithms())
    print("RESULT" + json.dumps(out))
''')


def test_registration_creates_each_stage_algorithm_once(tmp_path):
    """Registering the provider instantiates each stage algorithm once, plus what the study models' steps need.

    QGIS 3.22 resolves a model's steps through the registry, which holds the provider
    only after loading it; the studies used to be added by a refreshAlgorithms() after
    registration, which created every stage a second time (minesar:buildstack 2 instances,
    minesar:sbas 12: 2 + 2 x 5 for the models A and C, whose file used to be read twice).
    Now: buildstack 1, sbas 7 (1 + per model: 2 made by fromFile, 1 by the missing-step check).
    """
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "profile"),
               PYTHONPATH=os.pathsep.join([str(LINK_PARENT), "/usr/share/qgis/python",
                                           "/usr/share/qgis/python/plugins"]))
    proc = subprocess.run([sys.executable, "-c", REGISTRATION], env=env, capture_output=True, text=True,
                          timeout=300)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")]
    assert proc.returncode == 0 and line, proc.stdout[-2000:] + proc.stderr[-3000:]
    res = json.loads(line[0][len("RESULT"):])
    reg, models_alone = res["registration"], res["models_alone"]
    assert reg["buildstack"] == 1 and reg["simulatestack"] == 1, reg
    assert models_alone["sbas"] > 0, models_alone           # the test counts the models' steps at all
    # every stage: one provider instance + exactly what loading the three study models once costs
    assert reg == {alg: 1 + models_alone.get(alg, 0) for alg in reg}, (reg, models_alone)
    # the studies are registered, their steps resolved (all outputs), and the toolbox was told
    assert set(STUDY_DEFAULTS) <= set(res["names"])
    assert res["outputs"] == res["fresh_outputs"] and all(res["outputs"].values()), res["outputs"]
    assert res["toolbox_told"] == res["names"]
    # a later refresh of the registered provider costs the same and lists the same algorithms
    assert res["refresh"] == reg and res["names_after_refresh"] == res["names"]
