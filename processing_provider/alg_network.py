"""``minesar:pairnetwork`` — SBAS / Delaunay / sequential / star pair selection."""
from __future__ import annotations

import datetime as _dt
import os
import re

from qgis.core import (QgsProcessing, QgsProcessingOutputNumber, QgsProcessingOutputString,
                       QgsProcessingParameterBoolean, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterMapLayer,
                       QgsProcessingParameterRasterLayer, QgsProcessingParameterString,
                       QgsProcessingParameterVectorDestination, QgsProcessingUtils, QgsRasterLayer,
                       QgsVectorLayer)

from ..algorithms import network
from .base import MineSARAlgorithm, tr


def _plain(value):
    """QVariant-ish values from QGIS features to plain Python (NULL -> None)."""
    if value is None:
        return None
    try:
        from qgis.PyQt.QtCore import QDate, QDateTime, QVariant
        if isinstance(value, QVariant):
            return None if value.isNull() else value.value()
        if isinstance(value, QDate):
            return value.toPyDate() if value.isValid() else None
        if isinstance(value, QDateTime):
            return value.date().toPyDate() if value.isValid() else None
    except ImportError:  # pragma: no cover
        pass
    return value


class PairNetworkAlgorithm(MineSARAlgorithm):
    """Choose the interferometric pairs of a stack."""

    ALG_ID = "pairnetwork"
    DISPLAY_NAME = "Pair network (SBAS / star)"
    GROUP_ID = "2_network"
    NEEDS_NUMBA = False
    HELP = (
        "Chooses the interferometric pairs of an SLC stack (the VRT of 'Build SLC stack', or any raster whose "
        "bands are dated YYYYMMDD with BPERP_M metadata). Dates and perpendicular baselines (m, relative to a "
        "common reference date) come from the stack; the critical baseline from its geometry.\n\n"
        "MODE: sbas = every pair within the thresholds (small baselines, Berardino et al. 2002); delaunay = "
        "edges of the Delaunay triangulation of the dates in the normalised (time, B⊥) plane, within the "
        "thresholds; sequential = each date with its SEQUENTIAL_N following dates, within the thresholds; "
        "star = one master for every date (PS-InSAR, Ferretti et al. 2001; thresholds do not apply).\n\n"
        "Thresholds are inclusive; 0 means no limit. MAX_TEMPORAL_DAYS: temporal baseline in days. "
        "MAX_PERP_M: |B⊥| in metres. MAX_PERP_PERCENT: |B⊥| as a percentage of the critical baseline "
        "B⊥,crit = λ·R·tan(θ)·B_r/c (wavelength λ, slant range R, incidence θ from the stack, range bandwidth "
        "B_r, Sentinel-1: 56.5 MHz, c = speed of light); Sentinel-1 IW with R = 880 km and θ = 39° gives "
        "7449 m, so 2 % = 149 m. When both perpendicular limits are set the stricter applies.\n\n"
        "MIN_CONNECTIONS: every date ends in at least this many pairs; missing pairs are added by smallest "
        "normalised baseline (BTEMP/MAX_TEMPORAL_DAYS + |B⊥|/perpendicular limit) and labelled. "
        "MAX_CONNECTIONS: at most this many selected pairs per date (smallest normalised baselines kept).\n\n"
        "COHERENCE (optional): a table with the pair (PAIR or REF_DATE/SEC_DATE) and a COHERENCE column, or a "
        "coherence pair stack (its mean per band is used). Pairs below MIN_COHERENCE are dropped except the "
        "edges of the maximum spanning tree on coherence, which are kept so that no date is cut off (as "
        "MintPy's keepMinSpanTree).\n\n"
        "If the thresholds leave the dates in several groups, REPAIR=true (default) adds the connecting "
        "pairs of smallest normalised baseline and labels them; REPAIR=false stops with the groups and the "
        "smallest thresholds that would connect them.\n\n"
        "Star mode: MASTER_DATE (YYYYMMDD) or, when empty, the date minimising the sum of normalised "
        "temporal + perpendicular (+ Doppler, band metadata DOPPLER_HZ) baselines to all other dates.\n\n"
        "Output: a table (GeoPackage or CSV, no geometry) with REF_DATE, SEC_DATE (YYYYMMDD), PAIR "
        "(YYYYMMDD_YYYYMMDD), BTEMP_DAYS (days), BPERP_M (m, B⊥ of the secondary minus the reference), "
        "BPERP_PCT (% of the critical baseline), COHERENCE (NULL if unknown) and REASON (thresholds, "
        "delaunay, sequential, star, added_min_connections, added_connectivity, kept_coherence_mst); a PNG of "
        "the network (date vs B⊥). The reference of a pair is always the EARLIER date, so in star mode the "
        "dates before the master are the reference of their pair."
    )

    STACK = "STACK"
    MODE = "MODE"
    MAX_TEMPORAL_DAYS = "MAX_TEMPORAL_DAYS"
    MAX_PERP_M = "MAX_PERP_M"
    MAX_PERP_PERCENT = "MAX_PERP_PERCENT"
    RANGE_BANDWIDTH = "RANGE_BANDWIDTH"
    SEQUENTIAL_N = "SEQUENTIAL_N"
    MIN_CONNECTIONS = "MIN_CONNECTIONS"
    MAX_CONNECTIONS = "MAX_CONNECTIONS"
    COHERENCE = "COHERENCE"
    MIN_COHERENCE = "MIN_COHERENCE"
    REPAIR = "REPAIR"
    MASTER_DATE = "MASTER_DATE"
    OUTPUT = "OUTPUT"
    PLOT = "PLOT"
    N_PAIRS = "N_PAIRS"
    MIN_DEGREE = "MIN_DEGREE"
    N_COMPONENTS = "N_COMPONENTS"
    N_ADDED = "N_ADDED"
    CRITICAL_BASELINE_M = "CRITICAL_BASELINE_M"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.STACK, tr("SLC stack (dates and baselines)")))
        self.add_enum(self.MODE, tr("Network mode"), list(network.MODES), "sbas")
        self.add_number(self.MAX_TEMPORAL_DAYS, tr("Maximum temporal baseline (days, 0 = no limit)"), 90.0,
                        minimum=0.0)
        self.add_number(self.MAX_PERP_M, tr("Maximum perpendicular baseline (m, 0 = no limit)"), 0.0, minimum=0.0)
        self.add_number(self.MAX_PERP_PERCENT,
                        tr("Maximum perpendicular baseline (% of the critical baseline, 0 = no limit)"), 45.0,
                        minimum=0.0, maximum=100.0)
        p = self.add_number(self.RANGE_BANDWIDTH,
                            tr("Range bandwidth (MHz, 0 = from the stack; Sentinel-1: 56.5)"), 0.0, minimum=0.0)
        p.setFlags(p.flags() | p.FlagAdvanced)
        self.add_number(self.SEQUENTIAL_N, tr("Sequential mode: number of following dates per date"), 3,
                        minimum=1, integer=True)
        self.add_number(self.MIN_CONNECTIONS, tr("Minimum number of pairs per date (0 = no minimum)"), 0,
                        minimum=0, integer=True)
        self.add_number(self.MAX_CONNECTIONS, tr("Maximum number of pairs per date (0 = no cap)"), 0,
                        minimum=0, integer=True)
        self.addParameter(QgsProcessingParameterMapLayer(
            self.COHERENCE, tr("Coherence per pair (table with PAIR and COHERENCE, or coherence stack)"),
            optional=True))
        self.add_number(self.MIN_COHERENCE, tr("Minimum mean coherence of a pair"), 0.3, minimum=0.0, maximum=1.0)
        self.addParameter(QgsProcessingParameterBoolean(
            self.REPAIR, tr("Repair a disconnected network (add labelled connecting pairs)"), defaultValue=True))
        self.addParameter(QgsProcessingParameterString(
            self.MASTER_DATE, tr("Star mode: master date YYYYMMDD (empty = automatic)"), optional=True))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, tr("Pairs table"), type=QgsProcessing.TypeVector))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.PLOT, tr("Network plot (PNG)"), fileFilter=tr("PNG images (*.png)"), optional=True,
            createByDefault=True))
        self.addOutput(QgsProcessingOutputNumber(self.N_PAIRS, tr("Number of pairs")))
        self.addOutput(QgsProcessingOutputNumber(self.MIN_DEGREE, tr("Smallest number of pairs of a date")))
        self.addOutput(QgsProcessingOutputNumber(self.N_COMPONENTS, tr("Number of connected groups of dates")))
        self.addOutput(QgsProcessingOutputNumber(self.N_ADDED, tr("Number of pairs added outside the thresholds")))
        self.addOutput(QgsProcessingOutputNumber(self.CRITICAL_BASELINE_M, tr("Critical baseline (m)")))
        self.addOutput(QgsProcessingOutputString(self.MASTER_DATE, tr("Master date (star mode)")))

    # ------------------------------------------------------------------------------------------
    def _coherence(self, parameters, context, feedback):
        layer = self.parameterAsLayer(parameters, self.COHERENCE, context)
        if layer is None:
            return None
        if isinstance(layer, QgsRasterLayer):
            path = layer.source().split("|")[0]
            feedback.pushInfo(tr("Mean coherence per band of {}").format(path))
            return network.mean_coherence_of_stack(path, feedback=None)
        if isinstance(layer, QgsVectorLayer):
            names = [f.name() for f in layer.fields()]
            rows = [{n: _plain(feat[n]) for n in names} for feat in layer.getFeatures()]
            return network.read_coherence_table(rows)
        raise ValueError("COHERENCE: give a table or a raster stack")

    def _output_path(self, parameters, context, feedback):
        """(file path, layer name) of the table; 'Save to GeoPackage' gives ogr:dbname=... table=..."""
        out = self.parameterAsOutputLayer(parameters, self.OUTPUT, context) or ""
        layer = "pairs"
        into_existing = out.startswith("ogr:")
        if into_existing:
            db = re.search(r"dbname='([^']+)'", out)
            tb = re.search(r'table="([^"]+)"', out)
            layer = tb.group(1) if tb else layer
            out = db.group(1) if db else ""
        if out.startswith("memory:") or not out:
            out = QgsProcessingUtils.generateTempFilename("pairs.gpkg")
            feedback.pushInfo(tr("The pairs table is written as a GeoPackage: {}").format(out))
        root, ext = os.path.splitext(out.split("|")[0])
        if ext.lower() not in (".gpkg", ".csv"):
            out = root + ".gpkg"
            feedback.pushInfo(tr("The pairs table is a GeoPackage or CSV table; writing {}").format(out))
        return out, layer, into_existing

    def run_stage(self, parameters, context, feedback):
        stack = self.raster_path(parameters, self.STACK, context)
        mode = self.enum_value(parameters, self.MODE, context) or "sbas"
        bw_mhz = self.parameterAsDouble(parameters, self.RANGE_BANDWIDTH, context)
        master = (self.parameterAsString(parameters, self.MASTER_DATE, context) or "").strip()
        if master and mode != "star":
            feedback.pushWarning(tr("MASTER_DATE is only used in star mode; ignored."))
            master = ""
        coherence = self._coherence(parameters, context, feedback)
        out, layer_name, into_existing = self._output_path(parameters, context, feedback)
        plot = self.parameterAsFileOutput(parameters, self.PLOT, context)
        result = network.network_from_stack(
            stack, mode=mode,
            max_temporal_days=self.parameterAsDouble(parameters, self.MAX_TEMPORAL_DAYS, context),
            max_perp_m=self.parameterAsDouble(parameters, self.MAX_PERP_M, context),
            max_perp_percent=self.parameterAsDouble(parameters, self.MAX_PERP_PERCENT, context),
            range_bandwidth_hz=bw_mhz * 1e6 if bw_mhz > 0 else None,
            sequential_n=self.parameterAsInt(parameters, self.SEQUENTIAL_N, context),
            min_connections=self.parameterAsInt(parameters, self.MIN_CONNECTIONS, context),
            max_connections=self.parameterAsInt(parameters, self.MAX_CONNECTIONS, context),
            coherence=coherence,
            min_coherence=self.parameterAsDouble(parameters, self.MIN_COHERENCE, context) if coherence else 0.0,
            repair=self.parameterAsBoolean(parameters, self.REPAIR, context),
            master_date=master or None, feedback=feedback)
        network.write_pairs_table(out, result, layer_name=layer_name, into_existing=into_existing)
        outputs = {self.OUTPUT: out if layer_name == "pairs" or out.lower().endswith(".csv")
                   else f"{out}|layername={layer_name}"}
        if plot:
            network.plot_network(result, plot)
            outputs[self.PLOT] = plot
        n_added = sum(1 for p in result.pairs if p.reason in network.ADDED_REASONS)
        feedback.pushInfo(tr("{} pairs ({} added outside the thresholds), smallest degree {}, {} group(s): {}")
                          .format(result.n_pairs, n_added, result.min_degree, result.n_components, out))
        outputs.update({
            self.N_PAIRS: result.n_pairs, self.MIN_DEGREE: result.min_degree,
            self.N_COMPONENTS: result.n_components, self.N_ADDED: n_added,
            self.CRITICAL_BASELINE_M: result.critical_baseline_m,
            self.MASTER_DATE: result.master.strftime("%Y%m%d") if isinstance(result.master, _dt.date) else "",
        })
        return outputs
