#!/usr/bin/env python3
"""Generate the three studies of ``../shared/STUDIES.md`` as Processing models.

Writes ``models/study_muli_sbas.model3`` (A), ``models/study_huaibei_ps.model3``
(B) and ``models/study_puhe_sbas_okada.model3`` (C).  The provider loads every
``models/*.model3`` as ``minesar:<file stem>`` (group "8 · Studies"); the files
also open in the Graphical Modeler and run with
``qgis_process.bin run models/<file>.model3 -- ...``.

Run with Debian's Python whenever a stage's parameter keys change::

    /usr/bin/python3 scripts/build_study_models.py

Every model input is an UPPER_SNAKE name; the studies' numbers are the inputs'
defaults.  Model outputs are ``<STEP>:<NAME>`` (e.g. ``SBAS:VELOCITY``).  The
English names, help and descriptions written here are translated at run time
by the provider (``i18n/zh/studies.json``).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
GROUP = "8 · Studies"


# --------------------------------------------------------------------------- QGIS bootstrap
def _start_qgis():
    """Headless QGIS with Processing and the MineSAR provider (import as ``minesar``)."""
    os.environ["QT_HASH_SEED"] = "0"   # stable XML attribute order: regenerated files diff cleanly
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from headless import start_qgis
    return start_qgis()


# --------------------------------------------------------------------------- shared steps
def _ifg_step(description):
    """The interferogram step shared by the SBAS studies (A and C)."""
    return ("IFG", "minesar:interferograms", description, {
        "STACK": ("in", "STACK"), "PAIRS": ("child", "NETWORK", "OUTPUT"), "DEM": ("in", "DEM"),
        "LOOKS_RANGE": ("in", "LOOKS_RANGE"), "LOOKS_AZIMUTH": ("in", "LOOKS_AZIMUTH"),
        "REMOVE_TOPO": ("value", True), "GOLDSTEIN_ALPHA": ("in", "GOLDSTEIN_ALPHA"),
        "MEMORY_MB": ("in", "MEMORY_MB"),
        "OUTPUT_PHASE": ("out", "WRAPPED", "Wrapped phase (rad)"),
        "OUTPUT_COHERENCE": ("out", "COHERENCE", "Coherence"),
        "OUTPUT_MEAN_COHERENCE": ("out", "MEAN_COHERENCE", "Mean coherence")})


def _unwrap_step(description):
    """The unwrapping step shared by the SBAS studies (A and C)."""
    return ("UNWRAP", "minesar:unwrap", description, {
        "PHASE": ("child", "IFG", "OUTPUT_PHASE"), "COHERENCE": ("child", "IFG", "OUTPUT_COHERENCE"),
        "METHOD": ("in", "UNWRAP_METHOD"), "COHERENCE_THRESHOLD": ("in", "COHERENCE_THRESHOLD"),
        # MineSAR's addition to the published chain: integer correction where pair triangles
        # do not close (as MintPy's unwrap_error_phase_closure); docs/studies.md
        "CORRECT_CLOSURE": ("value", True),
        "MEMORY_MB": ("in", "MEMORY_MB"),
        "OUTPUT": ("out", "UNWRAPPED", "Unwrapped phase (rad)"),
        "OUTPUT_CLOSURE": ("out", "CLOSURE", "Closure check")})


# --------------------------------------------------------------------------- models
def _param(*args, **kwargs):
    """A model input: :func:`minesar.processing_provider.modelbuild.parameter`."""
    from minesar.processing_provider.modelbuild import parameter
    return parameter(*args, **kwargs)


def build_model(model_id, display_name, help_text, inputs, steps):
    """A study model in the group "8 · Studies", built and validated by :mod:`modelbuild`.

    ``steps``: (child id, algorithm id, description, {KEY: source}[, depends]), see
    :class:`minesar.processing_provider.modelbuild.Step`; as the Modeler does, every
    step parameter without a source gets the algorithm's default as a static value.
    """
    from minesar.processing_provider.modelbuild import build_model as build
    try:
        return build(display_name, GROUP, inputs, steps, group_id=GROUP, modeler_defaults=True, validate=True,
                     help_content={"ALG_DESC": help_text, "ALG_CREATOR": "MineSAR",
                                   "ALG_HELP_CREATOR": "MineSAR", "ALG_VERSION": "1"})
    except ValueError as exc:
        raise RuntimeError(f"{model_id}: {exc}") from None


# --------------------------------------------------------------------------- the studies
MEMORY = ("int", "MEMORY_MB", "Memory budget for block processing (MiB)", 1024)


def _common_inputs():
    return [
        _param("raster", "STACK", "SLC stack (VRT from Build SLC stack)"),
        _param("raster", "DEM", "DEM on the SLC grid (m); empty = the stack's DEM", optional=True),
    ]


def study_a():
    inputs = _common_inputs() + [
        _param("double", "MAX_TEMPORAL_DAYS", "Maximum temporal baseline (days, inclusive)", 90.0, minimum=0.0),
        _param("double", "MAX_PERP_PERCENT", "Maximum perpendicular baseline (% of the critical baseline)", 45.0,
               minimum=0.0, maximum=100.0),
        _param("int", "MIN_CONNECTIONS", "Minimum number of pairs per date", 4, minimum=0),
        _param("int", "LOOKS_RANGE", "Looks in range (columns)", 4, minimum=1),
        _param("int", "LOOKS_AZIMUTH", "Looks in azimuth (rows)", 1, minimum=1),
        _param("double", "GOLDSTEIN_ALPHA", "Goldstein filter exponent (0 = no filter)", 0.5, minimum=0.0,
               maximum=1.0),
        _param("enum", "UNWRAP_METHOD", "Unwrapping network", "delaunay", options=["grid", "delaunay"]),
        _param("double", "COHERENCE_THRESHOLD", "Coherence threshold (unwrapping and inversion)", 0.2,
               minimum=0.0, maximum=1.0),
        _param("bool", "ATMOSPHERE", "Two-pass atmospheric filtering", True),
        _param("double", "ATMO_TEMPORAL_DAYS", "Temporal high-pass window (days)", 365.0, minimum=1.0),
        _param("double", "ATMO_SPATIAL_M", "Spatial low-pass window (m)", 1600.0, minimum=1.0),
        _param("bool", "VERTICAL", "Convert LOS to vertical (d / cos(incidence))", False),
        _param("raster", "LATITUDE", "Latitude lookup raster of the SLC grid (degrees); empty = no geocoding",
               optional=True),
        _param("raster", "LONGITUDE", "Longitude lookup raster of the SLC grid (degrees)", optional=True),
        _param("enum", "GEOCODE_FORMAT", "Format of the geocoded products", "ENVI", options=["GTiff", "ENVI"]),
        _param(*MEMORY, minimum=1, advanced=True),
    ]
    steps = [
        ("NETWORK", "minesar:pairnetwork", "Pair network by thresholds (step 2)", {
            "STACK": ("in", "STACK"), "MODE": ("value", "sbas"),
            "MAX_TEMPORAL_DAYS": ("in", "MAX_TEMPORAL_DAYS"), "MAX_PERP_PERCENT": ("in", "MAX_PERP_PERCENT"),
            "MIN_CONNECTIONS": ("in", "MIN_CONNECTIONS"), "REPAIR": ("value", True),
            "OUTPUT": ("out", "PAIRS", "Pairs table"), "PLOT": ("out", "PLOT", "Network plot (PNG)")}),
        _ifg_step("Multilook, coherence, Goldstein filter (step 3)"),
        _unwrap_step("Minimum-cost-flow unwrapping (step 3)"),
        ("SBAS", "minesar:sbas", "SBAS inversion with atmospheric filtering (step 4)", {
            "PHASE": ("child", "UNWRAP", "OUTPUT"), "COHERENCE": ("child", "IFG", "OUTPUT_COHERENCE"),
            "COHERENCE_THRESHOLD": ("in", "COHERENCE_THRESHOLD"), "DEM_ERROR": ("value", True),
            "ATMOSPHERE": ("in", "ATMOSPHERE"), "ATMO_TEMPORAL_DAYS": ("in", "ATMO_TEMPORAL_DAYS"),
            "ATMO_SPATIAL_M": ("in", "ATMO_SPATIAL_M"), "VERTICAL": ("in", "VERTICAL"),
            "MEMORY_MB": ("in", "MEMORY_MB"),
            "OUTPUT_TIMESERIES": ("out", "TIMESERIES", "Displacement time series (mm)"),
            "OUTPUT_VELOCITY": ("out", "VELOCITY", "Velocity (mm/yr)"),
            "OUTPUT_DEM_ERROR": ("out", "DEM_ERROR", "DEM error (m)"),
            "OUTPUT_TEMPORAL_COHERENCE": ("out", "TEMPORAL_COHERENCE", "Temporal coherence")}),
        ("HAS_LOOKUP", "native:condition", "Only with lookup rasters",
         {"LOOKUP_GIVEN": "@LATITUDE IS NOT NULL AND @LONGITUDE IS NOT NULL"}),
        ("GEO_TS", "minesar:geocode", "Geocode the time series to WGS84 (step 5)", {
            "INPUT": ("child", "SBAS", "OUTPUT_TIMESERIES"), "LATITUDE": ("in", "LATITUDE"),
            "LONGITUDE": ("in", "LONGITUDE"), "FORMAT": ("in", "GEOCODE_FORMAT"), "MEMORY_MB": ("in", "MEMORY_MB"),
            "OUTPUT": ("out", "TIMESERIES_GEO", "Geocoded time series (mm, WGS84)")}, [("HAS_LOOKUP", "LOOKUP_GIVEN")]),
        ("GEO_VEL", "minesar:geocode", "Geocode the velocity to WGS84 (step 5)", {
            "INPUT": ("child", "SBAS", "OUTPUT_VELOCITY"), "LATITUDE": ("in", "LATITUDE"),
            "LONGITUDE": ("in", "LONGITUDE"), "FORMAT": ("in", "GEOCODE_FORMAT"), "MEMORY_MB": ("in", "MEMORY_MB"),
            "OUTPUT": ("out", "VELOCITY_GEO", "Geocoded velocity (mm/yr, WGS84)")}, [("HAS_LOOKUP", "LOOKUP_GIVEN")]),
    ]
    help_text = (
        "Study A, Muli coalfield pit No. 4 (Qinghai): SBAS time series. Pair network by thresholds (temporal "
        "baseline <= 90 days, perpendicular baseline <= 45 % of the critical baseline, every date in at least 4 "
        "pairs), multilooked interferograms with a Goldstein filter, minimum-cost-flow unwrapping on a Delaunay "
        "network, SBAS inversion (interferograms below the coherence threshold are left out pixel by pixel) "
        "with DEM error and two-pass atmospheric filtering (temporal high-pass 365 days, "
        "spatial low-pass 1600 m). Outputs: pairs, coherence, unwrapped phase, displacement time series (mm), "
        "velocity (mm/yr), DEM error (m) and temporal coherence; with LATITUDE and LONGITUDE lookup rasters "
        "(a stack in radar geometry) the time series and the velocity are also geocoded to WGS84 at the "
        "processing resolution, as ENVI files by default (step 5). LOS displacement is positive toward the "
        "satellite (subsidence negative). See docs/studies.md for what MineSAR does not do (precise orbits, "
        "cropping, daily interpolation)."
    )
    return build_model("study_muli_sbas", "Study A: Muli pit No. 4, SBAS time series", help_text, inputs, steps)


def study_b():
    from minesar.algorithms import ps
    inputs = _common_inputs() + [
        _param("string", "MASTER_DATE", "Common master date YYYYMMDD (empty = automatic)", "", optional=True),
        _param("enum", "SELECTION", "PS candidate selection", "dual", options=list(ps.SELECTION_METHODS)),
        _param("double", "COHERENCE_THRESHOLD", "Coherence threshold (mean coherence, 0-1)", 0.7, minimum=0.0,
               maximum=1.0),
        _param("double", "DISPERSION_THRESHOLD", "Amplitude dispersion threshold D_A", 0.6, minimum=0.01,
               maximum=10.0),
        _param("double", "AMPLITUDE_THRESHOLD", "Amplitude threshold (dB of the mean intensity)", 10.5,
               minimum=-300.0, maximum=300.0),
        _param("double", "ATMO_TIME_WINDOW", "Atmospheric filter: temporal high-pass window (days)", 365.0,
               minimum=0.0),
        _param("double", "ATMO_SPACE_WINDOW", "Atmospheric filter: spatial low-pass window (m)", 1600.0,
               minimum=0.0),
        _param("points", "BENCHMARKS", "Leveling benchmarks (points)"),
        _param("field", "ID_FIELD", "Benchmark id field", parent="BENCHMARKS"),
        _param("field", "VALUE_FIELD", "Measured cumulative displacement field (mm); empty = DYYYYMMDD fields",
               parent="BENCHMARKS", optional=True),
        _param("field", "EXCLUDE_FIELD", "Disturbed-benchmark flag field (true = exclude)", parent="BENCHMARKS",
               optional=True),
        _param("string", "START_DATE", "Leveling start date (YYYYMMDD)", None, optional=True),
        _param("string", "END_DATE", "Leveling end date (YYYYMMDD)", None, optional=True),
        _param("double", "RADIUS", "Search radius (m)", 50.0, minimum=0.001),
        _param("bool", "VERTICAL", "Compare vertical displacement (LOS / cos incidence)", True),
        _param(*MEMORY, minimum=1, advanced=True),
    ]
    steps = [
        ("PS", "minesar:psinsar", "PS-InSAR, dual-threshold selection", {
            "STACK": ("in", "STACK"), "DEM": ("in", "DEM"), "MASTER_DATE": ("in", "MASTER_DATE"),
            "SELECTION": ("in", "SELECTION"), "COHERENCE_THRESHOLD": ("in", "COHERENCE_THRESHOLD"),
            "DISPERSION_THRESHOLD": ("in", "DISPERSION_THRESHOLD"),
            "AMPLITUDE_THRESHOLD": ("in", "AMPLITUDE_THRESHOLD"),
            "ATMO_TIME_WINDOW": ("in", "ATMO_TIME_WINDOW"), "ATMO_SPACE_WINDOW": ("in", "ATMO_SPACE_WINDOW"),
            "MEMORY_MB": ("in", "MEMORY_MB"),
            "OUTPUT": ("out", "PS_POINTS", "PS points")}),
        ("LEVELING", "minesar:leveling", "Validation against leveling (mean of PS within the radius)", {
            "BENCHMARKS": ("in", "BENCHMARKS"), "ID_FIELD": ("in", "ID_FIELD"),
            "VALUE_FIELD": ("in", "VALUE_FIELD"), "START_DATE": ("in", "START_DATE"),
            "END_DATE": ("in", "END_DATE"), "INSAR": ("child", "PS", "OUTPUT"),
            "AGGREGATION": ("value", "mean"), "RADIUS": ("in", "RADIUS"), "VERTICAL": ("in", "VERTICAL"),
            "EXCLUDE_FIELD": ("in", "EXCLUDE_FIELD"),
            "OUTPUT": ("out", "COMPARISON", "Benchmark comparison"),
            "OUTPUT_REPORT": ("out", "REPORT", "Validation report")}),
    ]
    help_text = (
        "Study B, Huaibei coal mine, industrial square (working face II 513): PS-InSAR checked against "
        "leveling. A single common master (automatic: smallest sum of normalised temporal and perpendicular "
        "baselines), dual-threshold PS "
        "selection (coherence >= 0.7, then amplitude dispersion D_A <= 0.6), linear velocity and DEM error per "
        "PS, atmospheric filtering, then validation against leveling: the InSAR value of a benchmark is the "
        "mean of all PS within 50 m; RMSE, bias and R² for all benchmarks and without the disturbed ones "
        "(EXCLUDE_FIELD). Outputs: PS points (VEL mm/yr, DEM_ERR m, COH, DA, DYYYYMMDD mm), benchmark "
        "comparison and an HTML report. LOS displacement is positive toward the satellite (subsidence "
        "negative)."
    )
    return build_model("study_huaibei_ps", "Study B: Huaibei industrial square, PS-InSAR and leveling",
                       help_text, inputs, steps)


def study_c():
    inputs = _common_inputs() + [
        _param("double", "MAX_TEMPORAL_DAYS", "Maximum temporal baseline (days, inclusive)", 72.0, minimum=0.0),
        _param("double", "MAX_PERP_PERCENT", "Maximum perpendicular baseline (% of the critical baseline)", 2.0,
               minimum=0.0, maximum=100.0),
        _param("int", "LOOKS_RANGE", "Looks in range (columns)", 5, minimum=1),
        _param("int", "LOOKS_AZIMUTH", "Looks in azimuth (rows)", 1, minimum=1),
        _param("double", "GOLDSTEIN_ALPHA", "Goldstein filter exponent (0 = no filter)", 0.5, minimum=0.0,
               maximum=1.0),
        _param("enum", "UNWRAP_METHOD", "Unwrapping network", "grid", options=["grid", "delaunay"]),
        _param("double", "COHERENCE_THRESHOLD", "Coherence threshold (unwrapping and inversion)", 0.2,
               minimum=0.0, maximum=1.0),
        _param("bool", "ATMOSPHERE", "Two-pass atmospheric filtering", False),
        _param("int", "N_SOURCES", "Okada: number of rectangles (1-5)", 3, minimum=1, maximum=5),
        _param("bool", "FIX_DIP_ZERO", "Okada: horizontal rectangles (dip 0)", True),
        _param("int", "ITERATIONS", "Okada: MCMC iterations", 50000, minimum=500, advanced=True),
        _param("int", "SEED", "Okada: random seed", 0, minimum=0, advanced=True),
        _param("lines", "LINE", "Profile line (optional)", optional=True),
        _param(*MEMORY, minimum=1, advanced=True),
    ]
    steps = [
        ("NETWORK", "minesar:pairnetwork", "Pair network by thresholds", {
            "STACK": ("in", "STACK"), "MODE": ("value", "sbas"),
            "MAX_TEMPORAL_DAYS": ("in", "MAX_TEMPORAL_DAYS"), "MAX_PERP_PERCENT": ("in", "MAX_PERP_PERCENT"),
            "REPAIR": ("value", True),
            "OUTPUT": ("out", "PAIRS", "Pairs table"), "PLOT": ("out", "PLOT", "Network plot (PNG)")}),
        _ifg_step("Interferograms with Goldstein filter"),
        _unwrap_step("Minimum-cost-flow unwrapping"),
        ("SBAS", "minesar:sbas", "SBAS inversion (SVD, Berardino 2002)", {
            "PHASE": ("child", "UNWRAP", "OUTPUT"), "COHERENCE": ("child", "IFG", "OUTPUT_COHERENCE"),
            "WEIGHT": ("value", "no"), "COHERENCE_THRESHOLD": ("in", "COHERENCE_THRESHOLD"),
            "DEM_ERROR": ("value", True), "ATMOSPHERE": ("in", "ATMOSPHERE"), "VERTICAL": ("value", False),
            "MEMORY_MB": ("in", "MEMORY_MB"),
            "OUTPUT_TIMESERIES": ("out", "TIMESERIES", "Displacement time series (mm)"),
            "OUTPUT_VELOCITY": ("out", "VELOCITY", "Velocity (mm/yr)"),
            "OUTPUT_DEM_ERROR": ("out", "DEM_ERROR", "DEM error (m)"),
            "OUTPUT_TEMPORAL_COHERENCE": ("out", "TEMPORAL_COHERENCE", "Temporal coherence")}),
        ("OKADA", "minesar:okadafit", "Okada source fit on the cumulative displacement", {
            # BAND 0 = the last band = the cumulative displacement at the last date
            "DISPLACEMENT": ("child", "SBAS", "OUTPUT_TIMESERIES"), "BAND": ("value", 0),
            "VERTICAL_INPUT": ("value", False), "N_SOURCES": ("in", "N_SOURCES"),
            "FIX_DIP_ZERO": ("in", "FIX_DIP_ZERO"), "OPENING_SIGN": ("value", "negative"),
            "ITERATIONS": ("in", "ITERATIONS"), "SEED": ("in", "SEED"),
            "OUTPUT_SOURCES": ("out", "SOURCES", "Okada: fitted rectangles"),
            "OUTPUT_MODEL": ("out", "MODEL", "Okada: model (mm)"),
            "OUTPUT_RESIDUAL": ("out", "RESIDUAL", "Okada: residual (mm)"),
            "OUTPUT_REPORT": ("out", "REPORT", "Okada: fit report")}),
        ("HAS_LINE", "native:condition", "Only with a profile line", {"LINE_GIVEN": "@LINE IS NOT NULL"}),
        ("PROFILE", "minesar:profile", "Profile of the cumulative displacement along the line", {
            "INPUT": ("child", "SBAS", "OUTPUT_TIMESERIES"), "LINE": ("in", "LINE"), "DATES": ("value", "last"),
            "OUTPUT": ("out", "STATIONS", "Profile stations"),
            "PLOT": ("out", "PLOT", "Profile plot")}, [("HAS_LINE", "LINE_GIVEN")]),
    ]
    help_text = (
        "Study C, Puhe coal mine (Shenbei, Shenyang): SBAS and Okada source inversion. Pair network with "
        "temporal baseline <= 72 days (the study's '< 72 days': with 42 dates on the 12-day grid only an "
        "inclusive 72-day limit can give its 216 interferograms) and perpendicular baseline <= 2 % of the "
        "critical baseline, "
        "interferograms with a Goldstein filter, minimum-cost-flow unwrapping on the grid with coherence "
        "threshold 0.2, SVD inversion of the velocities between consecutive dates (Berardino et al. 2002) "
        "integrated in time, then a Bayesian fit of three horizontal (dip 0) rectangular tensile dislocations "
        "(Okada) to the cumulative LOS displacement, and, when a line is given, the profile of the cumulative "
        "displacement along it. Outputs: pairs, coherence, unwrapped phase, time series (mm), velocity "
        "(mm/yr), DEM error, temporal coherence, source rectangles with uncertainties, model and residual (mm), "
        "fit report, profile stations and plot."
    )
    return build_model("study_puhe_sbas_okada", "Study C: Puhe coal mine, SBAS and Okada sources", help_text,
                       inputs, steps)


STUDIES = {"study_muli_sbas": study_a, "study_huaibei_ps": study_b, "study_puhe_sbas_okada": study_c}


def main(argv=None):
    app, provider = _start_qgis()  # noqa: F841 - keep both alive while building
    from minesar.processing_provider.modelbuild import write_model
    MODELS.mkdir(exist_ok=True)
    for model_id, make in STUDIES.items():
        model = make()
        path = write_model(model, MODELS / f"{model_id}.model3")
        print(f"{path.relative_to(ROOT)}: {len(model.childAlgorithms())} steps, "
              f"{len(model.parameterComponents())} inputs, {len(model.outputDefinitions())} outputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
