"""qgis_process tier: ``minesar:geocode`` headless (ENVI product), and the Modeler
chain geocode -> profile: the profile through the geocoded bowl equals the
analytic bowl at its stations."""
from __future__ import annotations

import json

import numpy as np
import pytest
from osgeo import ogr

import geocodefixtures as gf
from minesar.algorithms import stackio

pytestmark = pytest.mark.qgis_process


def test_geocode_qgis_process_envi(qgis_process, tmp_path):
    sc = gf.make_scene(tmp_path / "in")
    rc, js, out, err = qgis_process("run", "minesar:geocode", params={
        "INPUT": str(sc.data), "LATITUDE": str(sc.lat_full), "LONGITUDE": str(sc.lon_full),
        "FORMAT": "ENVI", "RESAMPLING": "bilinear", "OUTPUT": str(tmp_path / "ts_geo.img")})
    assert rc == 0, err + out
    assert js["results"]["OUTPUT"] == str(tmp_path / "ts_geo.img")
    assert (tmp_path / "ts_geo.hdr").exists() and (tmp_path / "ts_geo.img.aux.xml").exists()
    info = stackio.read_stack_info(str(tmp_path / "ts_geo.img"))
    assert info.kind == "timeseries" and info.dates == gf.DATES and info.metadata["LOOKUP_LOOKS_AZIMUTH"] == "4"
    # a wrong enum value gives a clear error and no output
    rc, js, out, err = qgis_process("run", "minesar:geocode", params={
        "INPUT": str(sc.data), "LATITUDE": str(sc.lat), "LONGITUDE": str(sc.lon), "FORMAT": "HDF5",
        "OUTPUT": str(tmp_path / "x.tif")})
    assert rc != 0 and not (tmp_path / "x.tif").exists()


def test_model_geocode_to_profile(qgis_app, qgis_process, tmp_path):
    from modeltools import build_model
    sc = gf.make_scene(tmp_path / "in")
    # a west-east line through the bowl (120 m south of the scene centre), in WGS84
    xs = np.array([gf.X0 - 700.0, gf.X0 + 900.0])
    lon, lat = gf.to_lonlat(xs, np.full(2, gf.Y0 - 120.0))
    line = tmp_path / "line.geojson"
    line.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"id": 1},
        "geometry": {"type": "LineString", "coordinates": [[lon[0], lat[0]], [lon[1], lat[1]]]}}]}))
    model = build_model(tmp_path / "geocode_profile.model3", [
        ("geo", "minesar:geocode", {
            "INPUT": ("input", "data"), "LATITUDE": ("input", "lat"), "LONGITUDE": ("input", "lon"),
            "RESAMPLING": ("value", "bilinear"), "FORMAT": ("value", "GTiff")}),
        ("prof", "minesar:profile", {
            "INPUT": ("child", "geo", "OUTPUT"), "LINE": ("value", str(line)), "STEP": ("value", 100.0),
            "DATES": ("value", "last"), "OUTPUT": ("output", "stations")}),
    ], inputs={"data": "raster", "lat": "raster", "lon": "raster"})
    rc, js, out, err = qgis_process("run", str(model), params={
        "data": str(sc.data), "lat": str(sc.lat), "lon": str(sc.lon),
        "prof:stations": str(tmp_path / "stations.gpkg")})
    assert rc == 0, err + out
    ds = ogr.Open(str(tmp_path / "stations.gpkg"))
    lyr = ds.GetLayer(0)
    got = [(f.GetGeometryRef().GetX(), f.GetGeometryRef().GetY(), f.GetField("D20181002")) for f in lyr]
    ds = None
    assert len(got) == 17                                   # 0, 100, ..., 1600 m
    x, y, v = (np.array(c, dtype=np.float64) for c in zip(*got))
    truth = gf.bowl(x, y)
    rr, cc = gf.radar_coords(*gf.to_utm(x, y))
    _, inner, outside = gf.swath_masks(rr, cc)
    assert inner.sum() >= 11 and outside.sum() >= 3         # the line leaves the 1.2 km wide swath
    assert truth[inner].min() < -115.0                      # and crosses the bowl inside it
    assert np.abs(v[inner] - truth[inner]).max() < 1.5      # mm: geocoding + the profile's own bilinear
    assert np.isnan(v[outside]).all()
