"""MineSAR science core.

Pure numpy / scipy / numba / GDAL / pyproj code.  Nothing in this package may
import ``qgis`` or Qt: the Processing provider wraps it, and the same functions
run from plain Python, notebooks or a Dask cluster.
"""
