"""buildstack headless through qgis_process.bin in an isolated profile."""
import subprocess

import pytest

from stackfixtures import bad_manifests, write_slc_set


def test_qgis_process_lists_minesar(qgis_process):
    rc, js, out, err = qgis_process("list")
    assert rc == 0, err
    algs = js["providers"]["minesar"]["algorithms"]
    assert "minesar:buildstack" in algs
    assert js["providers"]["minesar"]["name"] == "MineSAR"


def test_qgis_process_help_has_conventions(qgis_process):
    rc, js, out, err = qgis_process("help", "minesar:buildstack")
    assert rc == 0, err
    assert js["algorithm_details"]["short_description"].startswith("Builds a self-describing SLC stack")
    rc, js, out, err = qgis_process("help", "minesar:buildstack", as_json=False)
    assert "toward the satellite" in out and "MANIFEST" in out


def test_buildstack_headless(qgis_process, tmp_path):
    m = write_slc_set(tmp_path, 3)
    out = tmp_path / "stack.vrt"
    rc, js, stdout, err = qgis_process("run", "minesar:buildstack",
                                       params={"MANIFEST": m, "INCIDENCE": 37.1, "OUTPUT": out})
    assert rc == 0, err + stdout
    assert js["results"]["N_DATES"] == 3
    info = subprocess.run(["gdalinfo", str(out)], capture_output=True, text=True).stdout
    assert "MINESAR_KIND=slc" in info
    for d in ("20200101", "20200113", "20200125"):
        assert f"Description = {d}" in info


@pytest.mark.parametrize("case_index", range(9))
def test_buildstack_headless_bad_manifest(qgis_process, tmp_path, case_index):
    case, manifest, pattern = list(bad_manifests(tmp_path))[case_index]
    out = tmp_path / "stack.vrt"
    rc, js, stdout, err = qgis_process("run", "minesar:buildstack", params={"MANIFEST": manifest, "OUTPUT": out})
    assert rc != 0, case
    import re
    assert re.search(pattern, stdout + err), (case, stdout, err)
    assert "Traceback" not in stdout + err
    assert not out.exists()
