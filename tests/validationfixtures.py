"""Test inputs shared by the leveling / profile / tilt tests of every tier."""
from __future__ import annotations

import datetime as dt

import numpy as np

DATES = [dt.date(2020, 1, 1), dt.date(2020, 1, 11), dt.date(2020, 1, 31)]
GT = (501000.0, 10.0, 0.0, 2000.0, 0.0, -10.0)       # UTM 50N, 10 m pixels


def wkt(epsg):
    from osgeo import osr
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    return s.ExportToWkt()


def write_ts(path, base, factors=(0.0, 1.0, 2.0), incidence=None):
    from minesar.algorithms import stackio
    data = np.stack([f * np.asarray(base, np.float32) for f in factors]).astype("float32")
    geom = stackio.Geometry(incidence_deg=incidence) if incidence else None
    return stackio.write_raster(str(path), data, kind="timeseries", units="mm",
                                labels=[stackio.date_label(d) for d in DATES],
                                band_metadata=stackio.band_metadata_for_dates(DATES), geometry=geom,
                                geotransform=GT, crs_wkt=wkt(32650))


def write_layer(path, epsg, geom_type, fields, rows):
    """GeoPackage layer: fields = [(name, ogr type)], rows = [(wkt geometry, {name: value})]."""
    from osgeo import ogr, osr
    drv = ogr.GetDriverByName("GPKG")
    ds = drv.CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    lyr = ds.CreateLayer("layer", srs, geom_type)
    for name, t in fields:
        lyr.CreateField(ogr.FieldDefn(name, t))
    for g, attrs in rows:
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetGeometry(ogr.CreateGeometryFromWkt(g))
        for k, v in attrs.items():
            if v is not None:
                f.SetField(k, v)
        lyr.CreateFeature(f)
    ds = None
    return str(path)
