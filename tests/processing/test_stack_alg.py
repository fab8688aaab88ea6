"""buildstack through processing.run in a headless QgsApplication."""
import glob
import re

import pytest

from stackfixtures import bad_manifests, write_slc_set


def test_provider_registers_every_stage(qgis_app):
    from qgis.core import QgsApplication
    prov = QgsApplication.processingRegistry().providerById("minesar")
    assert prov is not None and prov.name() == "MineSAR"
    ids = {a.name() for a in prov.algorithms()}
    assert "buildstack" in ids
    for alg in prov.algorithms():
        help_text = alg.shortHelpString()
        assert help_text.strip(), alg.name()
        if not alg.name().startswith("study_"):
            # what it does, units, and the method's reference (a year of publication)
            assert re.search(r"\b(19|20)\d\d\b", help_text), f"{alg.name()}: no citation in the help"
            assert re.search(r"\bmm\b|\bm\b|metres|rad", help_text), f"{alg.name()}: no units in the help"
        assert alg.groupId() in ("1_stack", "2_network", "3_interferograms", "4_unwrapping", "5_timeseries",
                                 "6_modelling", "7_validation", "8_studies"), alg.name()
        for p in alg.parameterDefinitions():
            assert p.name() == p.name().upper(), (alg.name(), p.name())


def test_buildstack_good(run_alg, tmp_path):
    from minesar.algorithms import stackio
    m = write_slc_set(tmp_path, 3, bperp=[0.0, -35.2, 12.0])
    res = run_alg("buildstack", {"MANIFEST": str(m), "INCIDENCE": 37.1, "HEADING": -166.2,
                                 "OUTPUT": str(tmp_path / "stack.vrt")})
    assert res["N_DATES"] == 3
    info = stackio.read_stack_info(res["OUTPUT"])
    assert info.kind == "slc" and info.labels == ["20200101", "20200113", "20200125"]
    assert info.geometry.incidence_deg == pytest.approx(37.1)
    assert info.geometry.heading_deg == pytest.approx(-166.2)
    assert list(info.bperp_m) == pytest.approx([0.0, -35.2, 12.0])


def test_buildstack_tif_destination_becomes_vrt(run_alg, tmp_path):
    m = write_slc_set(tmp_path, 2)
    res = run_alg("buildstack", {"MANIFEST": str(m), "OUTPUT": str(tmp_path / "stack.tif")})
    assert res["OUTPUT"].endswith("stack.vrt")


def test_buildstack_bad_manifests(run_alg, tmp_path):
    from qgis.core import QgsProcessingException
    for case, manifest, pattern in bad_manifests(tmp_path):
        out = tmp_path / f"{case.replace(' ', '_')}.vrt"
        with pytest.raises(QgsProcessingException, match=pattern):
            run_alg("buildstack", {"MANIFEST": str(manifest), "OUTPUT": str(out)})
        assert not out.exists(), case
    assert not glob.glob(str(tmp_path / "**" / ".*tmp-*"), recursive=True)


def test_buildstack_bad_geometry(run_alg, tmp_path):
    from qgis.core import QgsProcessingException
    m = write_slc_set(tmp_path, 2)
    with pytest.raises(QgsProcessingException):
        run_alg("buildstack", {"MANIFEST": str(m), "INCIDENCE": 95, "OUTPUT": str(tmp_path / "s.vrt")})
    assert not (tmp_path / "s.vrt").exists()
