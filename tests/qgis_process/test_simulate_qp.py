"""simulatestack (tiny) then buildstack headless through qgis_process.bin."""
import subprocess


def test_simulatestack_then_buildstack_headless(qgis_process, tmp_path):
    out = tmp_path / "sim"
    rc, js, stdout, err = qgis_process("run", "minesar:simulatestack",
                                       params={"SCENARIO": "tiny", "SEED": 0, "OUTPUT_FOLDER": out})
    assert rc == 0, err + stdout
    r = js["results"]
    assert r["N_DATES"] == 12
    manifest = r["MANIFEST"]
    assert manifest.endswith("manifest.csv") and (out / "manifest.csv").exists()
    vrt = tmp_path / "stack.vrt"
    rc, js, stdout, err = qgis_process("run", "minesar:buildstack",
                                       params={"MANIFEST": manifest, "INCIDENCE": r["INCIDENCE"],
                                               "HEADING": r["HEADING"], "SLANT_RANGE": r["SLANT_RANGE"],
                                               "RANGE_PIXEL": r["RANGE_PIXEL"], "AZIMUTH_PIXEL": r["AZIMUTH_PIXEL"],
                                               "DEM": r["DEM"], "OUTPUT": vrt})
    assert rc == 0, err + stdout
    assert js["results"]["N_DATES"] == 12
    info = subprocess.run(["gdalinfo", str(vrt)], capture_output=True, text=True).stdout
    assert "MINESAR_KIND=slc" in info and "INCIDENCE_DEG=37.1" in info
    dates = [line.split("=", 1)[1].strip() for line in info.splitlines() if "Description =" in line]
    assert dates == ["20180111", "20180123", "20180204", "20180216", "20180228", "20180312", "20180324",
                     "20180405", "20180417", "20180429", "20180511", "20180523"]
    truth = subprocess.run(["gdalinfo", r["TRUTH_DISPLACEMENT"]], capture_output=True, text=True).stdout
    assert "MINESAR_KIND=truth_displacement" in truth and "UNITS=mm" in truth


def test_simulatestack_headless_bad_scenario(qgis_process, tmp_path):
    rc, js, stdout, err = qgis_process("run", "minesar:simulatestack",
                                       params={"SCENARIO": "atlantis", "OUTPUT_FOLDER": tmp_path / "x"})
    assert rc != 0 and "Traceback" not in stdout + err
    assert not (tmp_path / "x" / "manifest.csv").exists()
