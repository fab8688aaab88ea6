"""Core tests of ``algorithms/geocode.py`` on a simulated Sentinel-1 radar grid over
Puhe (heading -166 deg, 56 m x 20 m multilooked pixels): the geocoded bowl equals
the analytic field at the output cell centres, positions are exact to a
millimetre, the contract survives, bad inputs are named, cancel leaves nothing."""
from __future__ import annotations

import os

import numpy as np
import pytest
from osgeo import gdal
from scipy.ndimage import map_coordinates

import geocodefixtures as gf
from minesar.algorithms import geocode, stackio
from minesar.algorithms.progress import Canceled


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    return gf.make_scene(tmp_path_factory.mktemp("geocode_scene"))


class Log:
    def __init__(self, cancel_above=None):
        self.lines, self.last, self.cancel_above = [], 0.0, cancel_above

    def setProgress(self, v):  # noqa: N802
        self.last = v

    def isCanceled(self):  # noqa: N802
        return self.cancel_above is not None and self.last > self.cancel_above

    def pushInfo(self, t):  # noqa: N802
        self.lines.append(t)

    pushWarning = pushInfo


def _no_vsimem_left():
    return not [p for p in (gdal.ReadDir("/vsimem/") or []) if p.startswith("minesar_geocode_")]


def _radar_coords_of_cells(path, projected=False):
    X, Y = gf.cell_centres(path)
    x, y = (X, Y) if projected else gf.to_utm(X, Y)
    rr, cc = gf.radar_coords(x, y)
    return X, Y, rr, cc


def _geocode(scene, out, **kw):
    kw.setdefault("latitude", str(scene.lat))
    kw.setdefault("longitude", str(scene.lon))
    return geocode.geocode_raster(str(kw.pop("src", scene.data)), str(out), **kw)


def test_bilinear_bowl_matches_the_analytic_field(scene, tmp_path):
    log = Log()
    res = _geocode(scene, tmp_path / "ts_geo.tif", feedback=log)
    # processing resolution = the finer (range) spacing, 20 m, square on the ground at 41.99 N
    assert res.range_spacing_m == pytest.approx(20.0, abs=0.05)
    assert res.azimuth_spacing_m == pytest.approx(56.0, abs=0.1)
    assert res.pixel_size_m == pytest.approx(20.0, abs=0.05)
    assert res.resolution[1] == pytest.approx(20.0 / 111_086.0, rel=2e-3)      # 1 deg of latitude at 42 N
    assert res.resolution[0] == pytest.approx(20.0 / 82_879.0, rel=2e-3)       # 1 deg of longitude at 42 N
    assert res.lookup_looks == (1, 1) and res.resampling == "bilinear"
    lon, lat, rr, cc = _radar_coords_of_cells(res.path)
    inside, inner, outside = gf.swath_masks(rr, cc)
    out = stackio.read_block(res.path)
    assert out.shape == (3, res.height, res.width)
    hole = (np.abs(rr - 5) < 1.5) & (np.abs(cc - 7) < 1.5)     # pixel (5, 7) is NaN in the data
    m = inner & ~hole
    assert m.sum() > 3000
    # the analytic bowl at the cell centres: only the bilinear interpolation error of 56 m x 20 m pixels
    err = out[2][m] - gf.bowl(lon[m], lat[m])
    assert np.abs(err).max() < 1.0 and np.sqrt(np.mean(err ** 2)) < 0.25          # mm, on a 150 mm bowl
    # and exactly the bilinear interpolation of the radar grid at the true radar position
    ideal = map_coordinates(scene.values[2].astype(np.float64), [rr[m], cc[m]], order=1)
    assert np.abs(out[2][m] - ideal).max() < 1e-3
    assert np.isfinite(out[:, inside & ~hole]).all()
    # the NaN pixel stays NaN exactly over its own footprint; its neighbours renormalise the weights
    own = (np.round(rr) == 5) & (np.round(cc) == 7)
    assert own.sum() >= 2 and np.isnan(out[2][own]).all() and np.isfinite(out[2][hole & ~own]).all()
    assert not np.isfinite(out[:, outside]).any() and outside.sum() > 3000
    assert np.allclose(out[0][m], 0.0)                                           # first date = 0
    assert any("20.01 m along rows (range), 56.02 m along columns (azimuth)" in t for t in log.lines)


def test_positions_are_exact_to_a_millimetre(scene, tmp_path):
    """Geocode the radar row and column indices (linear fields: bilinear is exact)."""
    r, c = np.mgrid[0:gf.ROWS, 0:gf.COLS].astype(np.float32)
    idx = stackio.write_raster(str(tmp_path / "idx.tif"), np.stack([r, c]), kind="displacement", units="pixel")
    for crs in ("EPSG:4326", "EPSG:32651"):
        res = _geocode(scene, tmp_path / f"idx_{crs[5:]}.tif", src=idx, target_crs=crs)
        _, _, rr, cc = _radar_coords_of_cells(res.path, projected=crs == "EPSG:32651")
        inside = gf.swath_masks(rr, cc)[0]
        o = stackio.read_block(res.path)
        d_az = (o[0] - rr)[inside] * gf.AZ_M * gf.LOOKS_AZ
        d_rg = (o[1] - cc)[inside] * gf.RG_M * gf.LOOKS_RG
        assert np.abs(d_az).max() < 1e-3 and np.abs(d_rg).max() < 1e-3           # metres
    assert res.resolution == pytest.approx((20.0, 20.0), abs=0.05)               # UTM: metres


def test_nearest_takes_the_nearest_radar_pixel(scene, tmp_path):
    res = _geocode(scene, tmp_path / "near.tif", resampling="nearest")
    _, _, rr, cc = _radar_coords_of_cells(res.path)
    inside = gf.swath_masks(rr, cc)[0]
    clear = inside & (np.abs(rr - np.round(rr)) < 0.45) & (np.abs(cc - np.round(cc)) < 0.45)
    out = stackio.read_band(res.path, 2)
    ri, ci = np.round(rr[clear]).astype(int), np.round(cc[clear]).astype(int)
    expect = scene.values[2][ri, ci]
    assert np.array_equal(out[clear], expect, equal_nan=True)
    assert np.isnan(out[clear][(ri == 5) & (ci == 7)]).all() and ((ri == 5) & (ci == 7)).any()


def test_time_series_contract_survives(scene, tmp_path):
    res = _geocode(scene, tmp_path / "ts_geo.tif")
    info = stackio.read_stack_info(res.path)
    stackio.require_dates(info)
    src = stackio.read_stack_info(str(scene.data))
    assert info.kind == "timeseries" and info.units == "mm"
    assert info.dates == gf.DATES and info.labels == ["20180111", "20180523", "20181002"]
    assert [m["BTEMP_DAYS"] for m in info.band_metadata] == ["0", "132", "264"]
    assert info.geometry == src.geometry                                         # looks, heading, incidence
    md = info.metadata
    assert md["GEOCODED"] == "lookup" and md["GEOCODE_RESAMPLING"] == "bilinear"
    assert (md["RADAR_WIDTH"], md["RADAR_HEIGHT"]) == ("60", "40")
    # the reference pixel (radar row 30, col 10) moves to the output cell holding its position
    assert (md["RADAR_REF_ROW"], md["RADAR_REF_COL"]) == ("30", "10")
    x, y = gf.ml_xy(30, 10)
    lon, lat = gf.to_lonlat(x, y)
    assert float(md["REF_LAT"]) == pytest.approx(lat, abs=1e-9) and float(md["REF_LON"]) == pytest.approx(lon, abs=1e-9)
    gt = info.geotransform
    assert (info.ref_row, info.ref_col) == res.reference == (int((lat - gt[3]) // gt[5]), int((lon - gt[0]) // gt[1]))
    assert gdal.Open(res.path).GetRasterBand(1).GetNoDataValue() is not None
    # pixel size seen by downstream stages (StackInfo.pixel_size_m) is the 20 m cell
    assert info.pixel_size_m == pytest.approx((20.0, 20.0), abs=0.1)


def test_pair_stack_wrapped_uses_nearest_and_keeps_pairs(tmp_path):
    import datetime as dt
    lat, lon = gf.lookup_arrays()
    pairs = [(dt.date(2018, 1, 11), dt.date(2018, 1, 23)), (dt.date(2018, 1, 23), dt.date(2018, 2, 4))]
    ph = np.angle(np.exp(1j * np.stack([gf.bowl(lon, lat) / 10.0, gf.bowl(lon, lat) / 7.0]))).astype(np.float32)
    src = stackio.write_raster(str(tmp_path / "wrapped.tif"), ph, kind="wrapped", units="radians",
                               labels=[stackio.pair_label(*p) for p in pairs],
                               band_metadata=stackio.band_metadata_for_pairs(pairs, [10.0, -20.0]),
                               metadata={"DATE_LIST": "20180111,20180123,20180204", "DATE_BPERP_M": "0,10,-10"})
    la = gf._write_lookup(tmp_path / "lat.tif", lat.astype(np.float32))      # Float32 lookups are fine
    lo = gf._write_lookup(tmp_path / "lon.tif", lon)
    log = Log()
    res = geocode.geocode_raster(src, str(tmp_path / "wr_geo.tif"), latitude=str(la), longitude=str(lo), feedback=log)
    assert res.resampling == "nearest" and any("nearest neighbour" in t for t in log.lines)
    info = stackio.read_stack_info(res.path)
    assert info.kind == "wrapped" and info.pairs == pairs and len(info.dates) == 3
    assert info.bperp_m.tolist() == [10.0, -20.0] and info.date_bperp_m.tolist() == [0.0, 10.0, -10.0]
    vals = stackio.read_band(res.path, 1)
    assert np.isin(vals[np.isfinite(vals)], ph[1]).all()                      # no interpolated phase


def test_integer_mask_keeps_its_type_and_labels(scene, tmp_path):
    lat, lon = gf.lookup_arrays()
    mask = (gf.bowl(lon, lat) < -50.0).astype(np.uint8)
    src = stackio.write_raster(str(tmp_path / "mask.tif"), mask, kind="ps_mask", units="1", dtype="uint8")
    res = geocode.geocode_raster(src, str(tmp_path / "mask_geo.tif"), latitude=str(scene.lat),
                                 longitude=str(scene.lon))
    assert res.resampling == "nearest"
    ds = gdal.Open(res.path)
    b = ds.GetRasterBand(1)
    assert gdal.GetDataTypeName(b.DataType) == "Byte" and b.GetNoDataValue() == 255.0
    a = b.ReadAsArray()
    ds = None
    _, _, rr, cc = _radar_coords_of_cells(res.path)
    inside, _, outside = gf.swath_masks(rr, cc)
    assert set(np.unique(a[inside])) == {0, 1} and (a[outside] == 255).all()


def test_full_resolution_lookup_is_multilooked(scene, tmp_path):
    ref = stackio.read_block(_geocode(scene, tmp_path / "ref.tif").path)
    # (1) the data's LOOKS metadata (4 x 5): the 162 x 303 lookup is no integer multiple of 40 x 60
    log = Log()
    res = _geocode(scene, tmp_path / "full.tif", latitude=str(scene.lat_full), longitude=str(scene.lon_full),
                   feedback=log)
    assert res.lookup_looks == (4, 5)
    assert any("multilooked by block averaging (4 x 5)" in t for t in log.lines)
    out = stackio.read_block(res.path)
    assert out.shape == ref.shape and np.allclose(out, ref, atol=1e-3, equal_nan=True)
    assert stackio.read_stack_info(res.path).metadata["LOOKUP_LOOKS_RANGE"] == "5"
    # (2) no looks in the metadata, sizes are integer multiples (160 x 300)
    plain = gf.make_scene(tmp_path / "plain", kind="velocity", looks_metadata=False)
    latf, lonf = gf.lookup_arrays(full=True)
    la = gf._write_lookup(tmp_path / "latm.tif", latf[:160, :300])
    lo = gf._write_lookup(tmp_path / "lonm.tif", lonf[:160, :300])
    log = Log()
    res = geocode.geocode_raster(str(plain.data), str(tmp_path / "vel.tif"), latitude=str(la), longitude=str(lo),
                                 feedback=log)
    assert res.lookup_looks == (4, 5) and any("integer multiples" in t for t in log.lines)
    v = stackio.read_band(res.path)
    lon_c, lat_c, rr, cc = _radar_coords_of_cells(res.path)
    m = gf.swath_masks(rr, cc)[1]
    assert np.abs(v[m] - gf.bowl(lon_c[m], lat_c[m])).max() < 1.0
    assert stackio.read_stack_info(res.path).kind == "velocity"


def test_envi_output(scene, tmp_path):
    out_dir = tmp_path / "envi"
    res = _geocode(scene, out_dir / "ts_geo.tif", output_format="ENVI")    # .tif from a file dialog -> .img
    assert res.path == str(out_dir / "ts_geo.img")
    assert sorted(os.listdir(out_dir)) == ["ts_geo.hdr", "ts_geo.img", "ts_geo.img.aux.xml"]
    hdr = (out_dir / "ts_geo.hdr").read_text()
    assert "band names = {\n20180111,\n20180523,\n20181002}" in hdr
    assert "minesar kind = timeseries" in hdr and "units = mm" in hdr and "data ignore value = nan" in hdr
    assert "description = {MineSAR timeseries geocoded from ts_radar.tif}" in hdr and ".tmp-" not in hdr
    ds = gdal.Open(res.path)
    assert ds.GetDriver().ShortName == "ENVI" and ds.RasterCount == 3
    ds = None
    info = stackio.read_stack_info(res.path)
    assert info.kind == "timeseries" and info.dates == gf.DATES and info.units == "mm"
    ref = stackio.read_block(_geocode(scene, tmp_path / "gt.tif").path)
    assert np.array_equal(stackio.read_block(res.path), ref, equal_nan=True)
    # overwriting replaces every file of the product
    res2 = _geocode(scene, out_dir / "ts_geo.img", output_format="ENVI", resampling="nearest")
    assert sorted(os.listdir(out_dir)) == ["ts_geo.hdr", "ts_geo.img", "ts_geo.img.aux.xml"]
    assert stackio.read_stack_info(res2.path).metadata["GEOCODE_RESAMPLING"] == "nearest"


def test_lookup_on_disk_when_over_budget(scene, tmp_path, monkeypatch):
    monkeypatch.setattr(geocode, "VSIMEM_FRACTION", 0.0)
    res = _geocode(scene, tmp_path / "disk.tif")
    ref = _geocode(scene, tmp_path / "mem.tif")
    assert np.array_equal(stackio.read_block(res.path), stackio.read_block(ref.path), equal_nan=True)
    assert sorted(os.listdir(tmp_path)) == ["disk.tif", "mem.tif"]


def _bad_lookups(tmp_path):
    lat, lon = gf.lookup_arrays()
    d = {}
    d["two_bands"] = tmp_path / "two.tif"
    ds = gdal.GetDriverByName("GTiff").Create(str(d["two_bands"]), gf.COLS, gf.ROWS, 2, gdal.GDT_Float64)
    ds = None
    d["int"] = gf._write_lookup(tmp_path / "int.tif", np.round(lon).astype(np.int16), gdal.GDT_Int16)
    d["nan"] = gf._write_lookup(tmp_path / "nan.tif", np.full_like(lat, np.nan))
    d["lon_360"] = gf._write_lookup(tmp_path / "lon360.tif", lon + 180.0)
    d["small"] = gf._write_lookup(tmp_path / "small.tif", lat[:, :59])
    d["const_lat"] = gf._write_lookup(tmp_path / "clat.tif", np.full_like(lat, 41.99))
    d["const_lon"] = gf._write_lookup(tmp_path / "clon.tif", np.full_like(lon, 123.55))
    return d


@pytest.mark.parametrize("case, kwargs, match", [
    ("missing", dict(latitude="{tmp}/nope.tif"), r"LATITUDE: file not found"),
    ("two_bands", dict(latitude="{two_bands}"), r"LATITUDE: .* has 2 bands"),
    ("int", dict(longitude="{int}"), r"LONGITUDE: .* holds Int16 values"),
    ("swapped", dict(latitude="{lon}", longitude="{lat}"), r"LATITUDE: .*outside \[-90, 90\].*swapped"),
    ("lon_360", dict(longitude="{lon_360}"), r"LONGITUDE: .*outside \[-180, 180\]"),
    ("all_nan", dict(latitude="{nan}"), r"LATITUDE/LONGITUDE: .*no pixel where both"),
    ("size", dict(latitude="{small}", longitude="{small}"),
     r"LATITUDE/LONGITUDE: the lookup rasters are 59 x 40 pixels but INPUT is 60 x 40"),
    ("lat_lon_size", dict(longitude="{small}"), r"LONGITUDE: .* is 59 x 40 pixels but LATITUDE is 60 x 40"),
    ("constant", dict(latitude="{const_lat}", longitude="{const_lon}"), r"do not vary"),
    ("no_lookup", dict(latitude=None, longitude=None), r"LATITUDE: no lookup raster given"),
    ("crs", dict(target_crs="EPSG:999999"), r"TARGET_CRS: "),
    ("res_deg", dict(resolution=20.0), r"RESOLUTION: 20 is in the units of TARGET_CRS \(EPSG:4326, degrees\)"),
    ("res_tiny", dict(resolution=1e-7), r"RESOLUTION: .*would give an output of about"),
    ("format", dict(output_format="NetCDF"), r"FORMAT: 'NetCDF' is not one of GTiff, ENVI"),
    ("resampling", dict(resampling="cubic"), r"RESAMPLING: 'cubic' is not one of nearest, bilinear"),
])
def test_bad_inputs_name_the_parameter(scene, tmp_path, case, kwargs, match):
    bad = _bad_lookups(tmp_path)
    sub = dict(tmp=str(tmp_path), lat=str(scene.lat), lon=str(scene.lon), **{k: str(v) for k, v in bad.items()})
    kw = {k: (v.format(**sub) if isinstance(v, str) else v) for k, v in kwargs.items()}
    out_dir = tmp_path / "out"
    with pytest.raises(ValueError, match=match):
        _geocode(scene, out_dir / "x.tif", **kw)
    assert not out_dir.exists() or os.listdir(out_dir) == []
    assert _no_vsimem_left()


def test_georeferenced_input_without_lookup_is_refused(tmp_path):
    from osgeo import osr
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32651)
    p = stackio.write_raster(str(tmp_path / "utm.tif"), np.zeros((20, 20), np.float32), kind="velocity",
                             units="mm/yr", geotransform=(gf.X0, 20.0, 0.0, gf.Y0, 0.0, -20.0),
                             crs_wkt=srs.ExportToWkt())
    with pytest.raises(ValueError, match=r"LATITUDE/LONGITUDE: INPUT .* already georeferenced in a projected "
                                         r"CRS \(EPSG:32651\) and no lookup rasters"):
        geocode.geocode_raster(p, str(tmp_path / "o.tif"), latitude=None, longitude=None)
    with pytest.raises(ValueError, match=r"OUTPUT: .* is the INPUT file itself"):
        geocode.geocode_raster(p, p, latitude=None, longitude=None)


def test_already_geocoded_input_is_refused(scene, tmp_path):
    res = _geocode(scene, tmp_path / "g.tif")
    with pytest.raises(ValueError, match=r"INPUT: .* is already geocoded \(GEOCODED=lookup\)"):
        _geocode(scene, tmp_path / "gg.tif", src=res.path)


@pytest.mark.parametrize("fmt", ["GTiff", "ENVI"])
def test_cancel_leaves_nothing(scene, tmp_path, fmt):
    out_dir = tmp_path / "out"
    log = Log(cancel_above=10.0)        # cancels in GDAL's warp (progress 10..95)
    with pytest.raises(Canceled):
        _geocode(scene, out_dir / "c.tif", latitude=str(scene.lat_full), longitude=str(scene.lon_full),
                 output_format=fmt, feedback=log)
    assert log.last > 10.0              # GDAL reported progress before the cancel was seen
    assert os.listdir(out_dir) == []
    assert _no_vsimem_left()
    log = Log(cancel_above=-1.0)        # cancels while the lookup rasters are prepared
    with pytest.raises(Canceled):
        _geocode(scene, out_dir / "c.tif", output_format=fmt, feedback=log)
    assert os.listdir(out_dir) == []


def test_helpers():
    assert geocode.output_path("/a/b.tif", "ENVI") == "/a/b.img"
    assert geocode.output_path("/a/b.bin", "envi") == "/a/b.bin"
    assert geocode.output_path("/a/b.img", "GTiff") == "/a/b.tif"
    assert geocode.output_path("/a/b.TIFF", "GTiff") == "/a/b.TIFF"
    a = np.arange(24, dtype=float).reshape(4, 6)
    assert geocode.multilook_lookup(a, 2, 3).tolist() == [[4.0, 7.0], [16.0, 19.0]]
    a[0, 0] = np.nan
    assert np.isnan(geocode.multilook_lookup(a, 2, 3)[0, 0])
    x, y = geocode.processing_resolution(30.0, 0.0)
    assert x == pytest.approx(30.0 / 111_319.49, rel=1e-6) and y == pytest.approx(30.0 / 110_574.3, rel=1e-5)
    assert geocode.processing_resolution(30.0, 41.99, "EPSG:32651") == (30.0, 30.0)
