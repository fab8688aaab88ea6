"""MineSAR QGIS plugin entry point (classFactory only)."""


def classFactory(iface):  # noqa: N802 (QGIS API name)
    """Load the MineSAR plugin class (called by QGIS and qgis_process)."""
    from .plugin.plugin import MineSARPlugin
    return MineSARPlugin(iface)
