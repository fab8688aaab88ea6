"""minesar:psinsar headless through qgis_process.bin, alone and in a Modeler chain."""
import sqlite3

import numpy as np

from minesar.algorithms import simulate, stackio


def _gpkg_rows(path, columns):
    con = sqlite3.connect(str(path))
    try:
        table = con.execute("SELECT table_name FROM gpkg_contents WHERE data_type='features'").fetchone()[0]
        return con.execute(f'SELECT {", ".join(columns)} FROM "{table}"').fetchall()
    finally:
        con.close()


def test_psinsar_headless(qgis_process, tmp_path):
    sim = simulate.simulate_stack(str(tmp_path / "sim"), "huaibei", seed=2, rows=70, cols=70)
    vrt = stackio.build_stack(sim.manifest, str(tmp_path / "stack.vrt"), geometry=sim.scenario.geometry,
                              dem=sim.dem_path).path
    out = tmp_path / "ps.gpkg"
    rc, js, stdout, err = qgis_process("run", "minesar:psinsar", params={
        "STACK": vrt, "SELECTION": "dual", "MASTER_DATE": "", "VERTICAL": False, "OUTPUT": out})
    assert rc == 0, err + stdout
    n = js["results"]["N_PS"]
    assert n > 50 and js["results"]["PS_DENSITY_PER_KM2"] > 100
    rows = _gpkg_rows(out, ["CODE", "VEL", "COH", "D20201031", "D20220822"])
    assert len(rows) == n
    assert all(r[3] == 0 for r in rows) and all(r[2] >= 0.7 for r in rows)
    assert min(r[4] for r in rows) < -5.0                       # subsidence is negative


def test_psinsar_headless_bad_stack(qgis_process, tmp_path):
    sim = simulate.simulate_stack(str(tmp_path / "sim"), "huaibei", seed=1, rows=30, cols=30, n_dates=4)
    vrt = stackio.build_stack(sim.manifest, str(tmp_path / "s.vrt"), geometry=sim.scenario.geometry).path
    out = tmp_path / "ps.gpkg"
    rc, js, stdout, err = qgis_process("run", "minesar:psinsar", params={"STACK": vrt, "OUTPUT": out})
    assert rc != 0
    assert "at least 5" in stdout + err and "Traceback" not in stdout + err
    assert not out.exists()


def test_model_simulate_buildstack_psinsar(qgis_app, qgis_process, tmp_path):
    from modeltools import build_model
    geo = {k: ("child", "sim", k) for k in ("WAVELENGTH", "INCIDENCE", "HEADING", "SLANT_RANGE", "RANGE_PIXEL",
                                            "AZIMUTH_PIXEL")}
    model = build_model(tmp_path / "ps_chain.model3", [
        ("sim", "minesar:simulatestack", {"SCENARIO": ("value", "huaibei"), "ROWS": ("value", 70),
                                          "COLS": ("value", 70), "SEED": ("value", 0),
                                          "OUTPUT_FOLDER": ("value", str(tmp_path / "simdir"))}),
        ("build", "minesar:buildstack", dict(geo, MANIFEST=("child", "sim", "MANIFEST"),
                                             DEM=("child", "sim", "DEM"))),
        ("ps", "minesar:psinsar", {"STACK": ("child", "build", "OUTPUT"), "SELECTION": ("value", "dual"),
                                   "OUTPUT": ("output", "points")}),
    ])
    out = tmp_path / "chain_ps.gpkg"
    rc, js, stdout, err = qgis_process("run", str(model), params={"ps:points": str(out)})
    assert rc == 0, err + stdout
    rows = _gpkg_rows(out, ["VEL", "D20220822"])
    assert len(rows) > 50
    vel = np.array([r[0] for r in rows])
    truth = stackio.read_band(str(tmp_path / "simdir" / "truth" / "velocity_los.tif"))
    assert vel.min() < 0.5 * np.nanmin(truth)                    # the bowl is seen with the right sign
