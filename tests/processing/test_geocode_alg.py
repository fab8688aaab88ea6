"""Processing tier: ``minesar:geocode`` through processing.run."""
from __future__ import annotations

import os

import numpy as np
import pytest

import geocodefixtures as gf
from minesar.algorithms import stackio

pytestmark = pytest.mark.qgis


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    return gf.make_scene(tmp_path_factory.mktemp("geocode_alg"))


def test_algorithm_identity(qgis_app):
    from qgis.core import QgsApplication
    alg = QgsApplication.processingRegistry().algorithmById("minesar:geocode")
    assert alg is not None and alg.groupId() == "5_timeseries"
    keys = [p.name() for p in alg.parameterDefinitions()]
    assert keys == ["INPUT", "LATITUDE", "LONGITUDE", "TARGET_CRS", "RESOLUTION", "RESAMPLING", "FORMAT",
                    "MEMORY_MB", "OUTPUT"]
    assert alg.parameterDefinition("RESAMPLING").options() == ["nearest", "bilinear"]
    assert alg.parameterDefinition("FORMAT").options() == ["GTiff", "ENVI"]
    assert "GDAL RFC 4" in alg.shortHelpString() and "[-180, 180]" in alg.shortHelpString()


def test_geocode_envi_with_full_resolution_lookup(run_alg, scene, tmp_path):
    res = run_alg("geocode", {"INPUT": str(scene.data), "LATITUDE": str(scene.lat_full),
                              "LONGITUDE": str(scene.lon_full), "FORMAT": "ENVI",
                              "OUTPUT": str(tmp_path / "ts_geo.tif")})
    assert res["OUTPUT"] == str(tmp_path / "ts_geo.img")
    assert res["PIXEL_SIZE_M"] == pytest.approx(20.0, abs=0.05)
    assert sorted(os.listdir(tmp_path)) == ["ts_geo.hdr", "ts_geo.img", "ts_geo.img.aux.xml"]
    info = stackio.read_stack_info(res["OUTPUT"])
    assert info.kind == "timeseries" and info.dates == gf.DATES
    assert (info.width, info.height) == (res["WIDTH"], res["HEIGHT"])
    v = stackio.read_band(res["OUTPUT"], 2)
    lon, lat = gf.cell_centres(res["OUTPUT"])
    rr, cc = gf.radar_coords(*gf.to_utm(lon, lat))
    m = gf.swath_masks(rr, cc)[1] & ~((np.abs(rr - 5) < 1.5) & (np.abs(cc - 7) < 1.5))
    assert np.abs(v[m] - gf.bowl(lon[m], lat[m])).max() < 1.0


def test_geocode_utm_at_a_given_resolution(run_alg, scene, tmp_path):
    res = run_alg("geocode", {"INPUT": str(scene.data), "LATITUDE": str(scene.lat), "LONGITUDE": str(scene.lon),
                              "TARGET_CRS": "EPSG:32651", "RESOLUTION": 40.0, "RESAMPLING": "nearest",
                              "OUTPUT": str(tmp_path / "utm.tif")})
    info = stackio.read_stack_info(res["OUTPUT"])
    gt = info.geotransform
    assert (gt[1], gt[5]) == (40.0, -40.0) and gt[0] % 40.0 == 0.0 and gt[3] % 40.0 == 0.0   # aligned grid
    assert "32651" in info.crs_wkt and info.metadata["GEOCODE_RESAMPLING"] == "nearest"
    assert res["PIXEL_SIZE_M"] == pytest.approx(40.0)


def test_envi_destination_is_loaded_under_its_real_name(qgis_app, scene, tmp_path):
    import processing
    from qgis.core import (QgsProcessingContext, QgsProcessingFeedback, QgsProcessingOutputLayerDefinition,
                           QgsProject)
    ctx = QgsProcessingContext()
    ctx.setProject(QgsProject.instance())
    dest = QgsProcessingOutputLayerDefinition(str(tmp_path / "vel.tif"), QgsProject.instance())
    res = processing.run("minesar:geocode", {"INPUT": str(scene.data), "LATITUDE": str(scene.lat),
                                             "LONGITUDE": str(scene.lon), "FORMAT": "ENVI", "OUTPUT": dest},
                         context=ctx, feedback=QgsProcessingFeedback())
    assert res["OUTPUT"] == str(tmp_path / "vel.img")
    assert list(ctx.layersToLoadOnCompletion()) == [str(tmp_path / "vel.img")]


def test_bad_lookup_is_a_processing_error(run_alg, scene, tmp_path):
    from qgis.core import QgsProcessingException
    with pytest.raises(QgsProcessingException, match=r"LATITUDE: .*outside \[-90, 90\].*swapped"):
        run_alg("geocode", {"INPUT": str(scene.data), "LATITUDE": str(scene.lon), "LONGITUDE": str(scene.lat),
                            "OUTPUT": str(tmp_path / "x.tif")})
    with pytest.raises(QgsProcessingException, match=r"RESOLUTION: 30 is in the units of TARGET_CRS"):
        run_alg("geocode", {"INPUT": str(scene.data), "LATITUDE": str(scene.lat), "LONGITUDE": str(scene.lon),
                            "RESOLUTION": 30, "OUTPUT": str(tmp_path / "x.tif")})
    assert not (tmp_path / "x.tif").exists()
