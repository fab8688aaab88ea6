"""Stack I/O: self-describing rasters, manifests, blocks, atomic writes."""
import datetime as dt
import glob
import math
import os

import numpy as np
import pytest

from minesar.algorithms import blocks, stackio
from minesar.algorithms.progress import Canceled
from stackfixtures import bad_manifests, write_slc_set

D = [dt.date(2018, 1, 11), dt.date(2018, 1, 23), dt.date(2018, 2, 4)]


def test_geometry_metadata_roundtrip_and_los_vector():
    g = stackio.Geometry(incidence_deg=37.1, heading_deg=-166.2, looks_range=4)
    back = stackio.Geometry.from_metadata(g.to_metadata())
    assert back == g
    e, n, u = g.los_unit_vector()
    assert math.isclose(e * e + n * n + u * u, 1.0, rel_tol=1e-12)
    assert math.isclose(u, math.cos(math.radians(37.1)))
    # ascending, right-looking (heading ~ -12 deg): the LOS points west (E < 0)
    assert stackio.Geometry(heading_deg=-12).los_unit_vector()[0] < 0
    # descending (heading ~ -168 / 192 deg): the LOS points east
    assert stackio.Geometry(heading_deg=-168).los_unit_vector()[0] > 0
    assert math.isclose(g.phase_to_mm(), -0.05546576 / (4 * math.pi) * 1000)


def test_geometry_validation_names_parameter():
    with pytest.raises(ValueError, match="INCIDENCE"):
        stackio.Geometry(incidence_deg=95).validate()
    with pytest.raises(ValueError, match="WAVELENGTH"):
        stackio.Geometry(wavelength_m=-1).validate()


def test_date_stack_roundtrip(tmp_path):
    data = np.arange(3 * 5 * 7, dtype="float32").reshape(3, 5, 7)
    data[1, 2, 3] = np.nan
    g = stackio.Geometry(looks_range=4, looks_azimuth=1)
    p = stackio.write_raster(str(tmp_path / "ts.tif"), data, kind="timeseries", units="mm",
                             labels=[stackio.date_label(d) for d in D],
                             band_metadata=stackio.band_metadata_for_dates(D, [0.0, 12.5, -30.0]),
                             geometry=g, metadata={"REF_ROW": 1, "REF_COL": 2},
                             geotransform=(500000, 20, 0, 4650000, 0, -20), crs_wkt=_utm())
    info = stackio.read_stack_info(p)
    assert info.kind == "timeseries" and info.units == "mm"
    assert info.dates == D and not info.is_pair_stack
    np.testing.assert_allclose(info.bperp_m, [0.0, 12.5, -30.0])
    np.testing.assert_allclose(info.btemp_days(), [0, 12, 24])
    assert info.geometry.looks_range == 4
    assert (info.ref_row, info.ref_col) == (1, 2)
    assert info.pixel_size_m == (20.0, 20.0)
    back = stackio.read_block(p)
    np.testing.assert_array_equal(np.isnan(back), np.isnan(data))
    np.testing.assert_array_equal(back[~np.isnan(back)], data[~np.isnan(data)])
    part = stackio.read_block(p, 2, 2, bands=[2], col0=1, ncols=3)
    np.testing.assert_array_equal(part[0], data[2, 2:4, 1:4])


def test_pair_stack_roundtrip_with_date_list(tmp_path):
    pairs = [(D[0], D[1]), (D[1], D[2]), (D[0], D[2])]
    p = stackio.write_raster(str(tmp_path / "w.tif"), np.zeros((3, 4, 4), "float32"), kind="wrapped",
                             units="rad", labels=[stackio.pair_label(*pr) for pr in pairs],
                             band_metadata=stackio.band_metadata_for_pairs(pairs, [12.5, -42.5, -30.0]),
                             metadata={"DATE_LIST": ",".join(stackio.date_label(d) for d in D),
                                       "DATE_BPERP_M": "0,12.5,-30"})
    info = stackio.read_stack_info(p)
    assert info.is_pair_stack and info.pairs == pairs and info.dates == D
    np.testing.assert_allclose(info.btemp_days(), [12, 12, 24])
    np.testing.assert_allclose(info.date_bperp_m, [0, 12.5, -30])
    stackio.require_pairs(info)
    with pytest.raises(ValueError, match="no per-band dates"):
        stackio.require_dates(info)


def test_foreign_raster_labels_are_understood(tmp_path):
    """Band descriptions alone (no MineSAR metadata) still give pairs."""
    from osgeo import gdal
    p = str(tmp_path / "f.tif")
    ds = gdal.GetDriverByName("GTiff").Create(p, 4, 4, 2, gdal.GDT_Float32)
    ds.GetRasterBand(1).SetDescription("20180106-20180130")
    ds.GetRasterBand(2).SetDescription("20180130_20180307")
    ds = None
    info = stackio.read_stack_info(p)
    assert info.pairs == [(dt.date(2018, 1, 6), dt.date(2018, 1, 30)), (dt.date(2018, 1, 30), dt.date(2018, 3, 7))]
    assert info.kind == ""


def test_stack_writer_is_atomic(tmp_path):
    dest = tmp_path / "out.tif"
    with pytest.raises(Canceled):
        with stackio.StackWriter(str(dest), width=8, height=8, count=2, kind="wrapped") as w:
            w.write(np.ones((8, 8)), band=0)
            raise Canceled("stop")
    assert not dest.exists()
    assert glob.glob(str(tmp_path / "*")) == []
    with stackio.StackWriter(str(dest), width=8, height=8, count=2, kind="wrapped") as w:
        for b in stackio.plan_row_blocks(8, 8, bytes_per_pixel=8, memory_mb=64 / 1024 / 1024):
            w.write(np.full((2, b.nrows, 8), b.index, "float32"), row0=b.row0)
    assert dest.exists() and sorted(os.listdir(tmp_path)) == ["out.tif"]


@pytest.mark.parametrize("height,overlap,multiple", [(100, 0, 1), (101, 3, 4), (7, 2, 1)])
def test_plan_row_blocks_cover_and_budget(height, overlap, multiple):
    width, bpp, mem = 50, 16.0, 0.01  # 10 KiB budget -> ~12 rows
    bl = stackio.plan_row_blocks(height, width, bytes_per_pixel=bpp, memory_mb=mem, overlap=overlap,
                                 multiple=multiple)
    covered = np.zeros(height, int)
    for b in bl:
        covered[b.row0:b.row0 + b.nrows] += 1
        assert b.read_row0 == max(0, b.row0 - overlap)
        assert b.read_row0 + b.read_nrows == min(height, b.row0 + b.nrows + overlap)
        assert b.core.stop - b.core.start == b.nrows
    assert (covered == 1).all()
    assert len(bl) > 1 or height < 12
    for b in bl[:-1]:
        assert b.nrows % multiple == 0
        assert (b.nrows + 2 * overlap) * width * bpp <= mem * 1024 * 1024 or b.nrows == multiple


def test_run_blocks_order_progress_and_cancel():
    class FB:
        def __init__(self, cancel_after=None):
            self.p, self.n, self.cancel_after = [], 0, cancel_after

        def setProgress(self, v):
            self.p.append(v)

        def isCanceled(self):
            self.n += 1
            return self.cancel_after is not None and len(self.p) >= self.cancel_after

    bl = [blocks.Block(i, (i,)) for i in range(10)]
    fb = FB()
    assert blocks.run_blocks(bl, lambda b: b.id ** 2, feedback=fb, workers=2) == [i * i for i in range(10)]
    assert fb.p[-1] == pytest.approx(100.0)
    ran = []
    with pytest.raises(Canceled):
        blocks.run_blocks(bl, lambda b: ran.append(b.id), feedback=FB(cancel_after=3), workers=1)
    assert len(ran) == 3


def test_manifest_and_build_stack(tmp_path):
    m = write_slc_set(tmp_path, 4, bperp=[5.0, -20.0, 15.0, 40.0])
    out = tmp_path / "stack.vrt"
    info = stackio.build_stack(str(m), str(out), geometry=stackio.Geometry(incidence_deg=37.1))
    assert info.kind == "slc" and info.is_complex and info.count == 4
    assert info.labels == ["20200101", "20200113", "20200125", "20200206"]
    np.testing.assert_allclose(info.bperp_m, [0.0, -25.0, 10.0, 35.0])  # relative to the first date
    assert info.geometry.incidence_deg == 37.1
    assert info.pixel_size_m == (20.0, 20.0)
    block = stackio.read_block(str(out), 2, 3)
    assert block.dtype == np.complex64 and block.shape == (4, 3, 8)
    # the VRT points at the SLCs relative to itself: it survives moving the folder
    moved = tmp_path.parent / (tmp_path.name + "_moved")
    os.rename(tmp_path, moved)
    assert stackio.read_stack_info(str(moved / "stack.vrt")).count == 4
    np.testing.assert_array_equal(stackio.read_block(str(moved / "stack.vrt"), 2, 3), block)


def test_build_stack_with_dem(tmp_path):
    m = write_slc_set(tmp_path, 2)
    dem = tmp_path / "dem.tif"
    stackio.write_raster(str(dem), np.full((8, 8), 100.0, "float32"), kind="dem", units="m")
    info = stackio.build_stack(str(m), str(tmp_path / "s.vrt"), dem=str(dem))
    assert os.path.samefile(info.dem_path, dem)
    bad = tmp_path / "dem9.tif"
    stackio.write_raster(str(bad), np.zeros((9, 8), "float32"), kind="dem")
    with pytest.raises(ValueError, match=r"DEM: .* 8 x 9 pixels"):
        stackio.build_stack(str(m), str(tmp_path / "s2.vrt"), dem=str(bad))
    assert not (tmp_path / "s2.vrt").exists()


def test_every_bad_manifest_gets_one_clear_message_and_no_output(tmp_path):
    cases = list(bad_manifests(tmp_path))
    assert len(cases) == 9
    for case, manifest, pattern in cases:
        out = tmp_path / f"out_{case.replace(' ', '_')}.vrt"
        with pytest.raises(ValueError, match=pattern):
            stackio.build_stack(str(manifest), str(out))
        assert not out.exists(), case
    assert not glob.glob(str(tmp_path / ".*tmp-*"))


def test_manifest_missing_columns(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("date,file\n20200101,a.tif\n")
    with pytest.raises(ValueError, match="lacks the column"):
        stackio.read_manifest(str(p))
    with pytest.raises(ValueError, match="MANIFEST: file not found"):
        stackio.read_manifest(str(tmp_path / "none.csv"))


def _utm():
    from osgeo import osr
    s = osr.SpatialReference()
    s.ImportFromEPSG(32651)
    return s.ExportToWkt()
