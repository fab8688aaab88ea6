"""``minesar:simulatestack`` — synthetic mining-subsidence SLC stack with known truth."""
from __future__ import annotations

from qgis.core import (QgsProcessingOutputFile, QgsProcessingOutputNumber, QgsProcessingOutputRasterLayer,
                       QgsProcessingParameterBoolean, QgsProcessingParameterEnum,
                       QgsProcessingParameterFolderDestination, QgsProcessingParameterNumber)

from ..algorithms import simulate
from .base import MineSARAlgorithm, tr


class SimulateStackAlgorithm(MineSARAlgorithm):
    """Simulate a coregistered SLC stack over a mine, with every truth raster."""

    ALG_ID = "simulatestack"
    DISPLAY_NAME = "Simulate a mining-subsidence SLC stack"
    GROUP_ID = "1_stack"
    NEEDS_NUMBA = False   # numba speeds it up; a numpy fallback exists
    HELP = (
        "Simulates a coregistered, geocoded SLC stack over a coal mine with known truth, to learn the MineSAR "
        "chain, to test it and to demonstrate it. Presets: tiny (64 x 64 pixels, 12 dates, for tests), "
        "puhe (Puhe coal mine, Shenyang: 42 dates 2018-01-11 to 2019-08-10, incidence 37.1 degrees, two "
        "bowls of about -157 and -193 mm), huaibei (Huaibei industrial square: 26 dates 2020-10-31 to "
        "2022-08-22, common master 2021-03-12, dense PS on buildings, roads and a railway, karst collapse in "
        "the north-west) and muli (Muli open pit at about 4000 m: 54 dates 2018-01-12 to 2023-04-04 every 36 "
        "days, strong relief and stratified atmosphere). The grid is in the UTM zone of the site; the "
        "optional overrides change the size, the dates, the atmosphere, the DEM error, the coherence and "
        "the PS density (empty = preset).\n\n"
        "Output folder: manifest.csv (date,path,bperp_m, perpendicular baselines in m relative to the first "
        "date; open it with 'Build SLC stack from manifest' using the geometry this algorithm reports), "
        "slc/YYYYMMDD.tif (CFloat32), dem.tif (the user's DEM, m), truth/ (LOS displacement per date in mm "
        "with the first date 0, LOS velocity in mm/yr from a linear fit, DEM error in m, PS mask, land "
        "cover, vertical displacement and velocity, atmospheric phase in rad) and scenario.json (all "
        "parameters and the calibrated Okada sources). The folder is filled only when everything is written.\n\n"
        "Signs (as everywhere in MineSAR): SLC phase -4*pi*R/lambda, so a LOS displacement d toward the "
        "satellite adds +4*pi/lambda*d; interferogram = reference x conj(secondary) with the earlier date as "
        "reference; d_mm = -lambda/(4*pi) * unwrapped phase * 1000 is positive toward the satellite, and a "
        "subsiding pixel has negative values. A height h above the DEM adds -4*pi/lambda * (Bperp_sec - "
        "Bperp_ref) * h / (R sin(incidence)) to an interferogram; the SLCs carry the topographic phase of "
        "the true surface (DEM + DEM error).\n\n"
        "Physics: distributed scatterers are circular-Gaussian vectors with a coherence matrix per land "
        "cover (exponential temporal decorrelation to a long-term coherence times the perpendicular-baseline "
        "decorrelation 1 - |dBperp|/Bcrit, Bcrit = lambda*R*tan(incidence)*bandwidth/c; Zebker and "
        "Villasenor 1992); persistent scatterers on buildings, roads and rails are bright and stable "
        "(amplitude dispersion below 0.3); water has no coherence. Atmosphere: turbulent delay with a "
        "-8/3 power-law spectrum plus a stratified term proportional to height (Hanssen 2001). Mining: each "
        "seam panel is a horizontal tensile rectangle closing behind an advancing working face (Okada 1985, "
        "1992, or an analytic Knothe influence-function bowl when the Okada module is missing) with Knothe "
        "time functions; bowl depths are the maximum cumulative VERTICAL subsidence of the studies."
    )

    SCENARIO = "SCENARIO"
    SEED = "SEED"
    ROWS = "ROWS"
    COLS = "COLS"
    N_DATES = "N_DATES"
    DATE_STEP_DAYS = "DATE_STEP_DAYS"
    ATMOSPHERE_MM = "ATMOSPHERE_MM"
    STRAT_MM_PER_KM = "STRAT_MM_PER_KM"
    DEM_ERROR_STD_M = "DEM_ERROR_STD_M"
    COHERENCE_SCALE = "COHERENCE_SCALE"
    PS_DENSITY = "PS_DENSITY"
    BOWL_MODEL = "BOWL_MODEL"
    NOISE_FREE = "NOISE_FREE"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"
    # outputs
    MANIFEST = "MANIFEST"
    DEM = "DEM"
    TRUTH_DISPLACEMENT = "TRUTH_DISPLACEMENT"
    TRUTH_VELOCITY = "TRUTH_VELOCITY"
    TRUTH_DEM_ERROR = "TRUTH_DEM_ERROR"
    PS_MASK = "PS_MASK"
    LANDCOVER = "LANDCOVER"
    GEOMETRY_OUTPUTS = ("WAVELENGTH", "INCIDENCE", "HEADING", "SLANT_RANGE", "RANGE_PIXEL", "AZIMUTH_PIXEL")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_enum(self.SCENARIO, tr("Scenario"), list(simulate.PRESETS), "tiny")
        self.add_number(self.SEED, tr("Random seed"), 0, minimum=0, integer=True)
        adv = []
        adv.append(self._opt_number(self.ROWS, tr("Rows (0 or empty = preset)"), True, 0, 5000))
        adv.append(self._opt_number(self.COLS, tr("Columns (0 or empty = preset)"), True, 0, 5000))
        adv.append(self._opt_number(self.N_DATES, tr("Number of dates (0 or empty = preset)"), True, 0, 2000))
        adv.append(self._opt_number(self.DATE_STEP_DAYS, tr("Regular date step in days (0 or empty = preset)"),
                                    True, 0, 1000))
        adv.append(self._opt_number(self.ATMOSPHERE_MM,
                                    tr("Turbulent atmosphere, standard deviation per date (mm; empty = preset)"),
                                    False, 0.0, 1000.0))
        adv.append(self._opt_number(self.STRAT_MM_PER_KM,
                                    tr("Stratified atmosphere, standard deviation per date (mm per km of height; "
                                       "empty = preset)"), False, 0.0, 1000.0))
        adv.append(self._opt_number(self.DEM_ERROR_STD_M, tr("DEM error, standard deviation (m; empty = preset)"),
                                    False, 0.0, 1000.0))
        adv.append(self._opt_number(self.COHERENCE_SCALE,
                                    tr("Coherence scaling of every land cover (1 = preset; empty = preset)"),
                                    False, 0.0, 1.5))
        adv.append(self._opt_number(self.PS_DENSITY,
                                    tr("Fraction of building and road pixels that are persistent scatterers "
                                       "(empty = preset)"), False, 0.0, 1.0))
        p = QgsProcessingParameterEnum(self.BOWL_MODEL, tr("Subsidence bowl model"),
                                       options=["auto", "okada", "knothe"], defaultValue="auto",
                                       usesStaticStrings=True)
        self.addParameter(p)
        adv.append(p)
        p = QgsProcessingParameterBoolean(self.NOISE_FREE, tr("Noise-free (no speckle, no clutter)"),
                                          defaultValue=False)
        self.addParameter(p)
        adv.append(p)
        for p in adv:
            p.setFlags(p.flags() | p.FlagAdvanced)
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, tr("Output folder")))
        self.addOutput(QgsProcessingOutputFile(self.MANIFEST, tr("Manifest CSV")))
        self.addOutput(QgsProcessingOutputRasterLayer(self.DEM, tr("DEM (m)")))
        self.addOutput(QgsProcessingOutputRasterLayer(self.TRUTH_DISPLACEMENT,
                                                      tr("True LOS displacement per date (mm)")))
        self.addOutput(QgsProcessingOutputRasterLayer(self.TRUTH_VELOCITY, tr("True LOS velocity (mm/yr)")))
        self.addOutput(QgsProcessingOutputRasterLayer(self.TRUTH_DEM_ERROR, tr("True DEM error (m)")))
        self.addOutput(QgsProcessingOutputRasterLayer(self.PS_MASK, tr("Persistent scatterer mask")))
        self.addOutput(QgsProcessingOutputRasterLayer(self.LANDCOVER, tr("Land cover")))
        self.addOutput(QgsProcessingOutputNumber(self.N_DATES, tr("Number of acquisitions")))
        for key, desc in zip(self.GEOMETRY_OUTPUTS,
                             (tr("Radar wavelength (m)"), tr("Incidence angle (degrees)"),
                              tr("Heading, clockwise from north (degrees)"),
                              tr("Slant range to the scene centre (m)"), tr("Slant-range pixel spacing (m)"),
                              tr("Azimuth pixel spacing (m)"))):
            self.addOutput(QgsProcessingOutputNumber(key, desc))

    def _opt_number(self, key, description, integer, minimum, maximum):
        t = QgsProcessingParameterNumber.Integer if integer else QgsProcessingParameterNumber.Double
        p = QgsProcessingParameterNumber(key, description, type=t, defaultValue=None, optional=True)
        p.setMinimum(minimum)
        p.setMaximum(maximum)
        self.addParameter(p)
        return p

    def _given(self, parameters, key) -> bool:
        v = parameters.get(key)
        if v is None:
            return False
        if isinstance(v, str) and v.strip() == "":
            return False
        try:  # QVariant(NULL)
            from qgis.PyQt.QtCore import QVariant
            if isinstance(v, QVariant) and v.isNull():
                return False
        except ImportError:  # pragma: no cover
            pass
        return True

    def run_stage(self, parameters, context, feedback):
        name = self.enum_value(parameters, self.SCENARIO, context)
        seed = self.parameterAsInt(parameters, self.SEED, context)
        out_dir = self.parameterAsFileOutput(parameters, self.OUTPUT_FOLDER, context)
        ov = {}
        for key, arg in ((self.ROWS, "rows"), (self.COLS, "cols"), (self.N_DATES, "n_dates"),
                         (self.DATE_STEP_DAYS, "date_step_days")):
            if self._given(parameters, key):
                v = self.parameterAsInt(parameters, key, context)
                if v > 0:
                    ov[arg] = v
        for key, arg in ((self.ATMOSPHERE_MM, "atmosphere_mm"), (self.STRAT_MM_PER_KM, "strat_mm_per_km"),
                         (self.DEM_ERROR_STD_M, "dem_error_std_m"), (self.COHERENCE_SCALE, "coherence_scale"),
                         (self.PS_DENSITY, "ps_density")):
            if self._given(parameters, key):
                ov[arg] = self.parameterAsDouble(parameters, key, context)
        ov["bowl_model"] = self.enum_value(parameters, self.BOWL_MODEL, context) or "auto"
        if self.parameterAsBool(parameters, self.NOISE_FREE, context):
            ov["noise_free"] = True
        sc = simulate.scenario(name, **ov)
        feedback.pushInfo(tr("Scenario {}: {} dates {} to {}, {} x {} pixels of {} m, EPSG:{}").format(
            sc.name, sc.n_dates, sc.dates[0].isoformat(), sc.dates[-1].isoformat(), sc.rows, sc.cols,
            sc.pixel_x_m, sc.crs_epsg))
        res = simulate.simulate_stack(out_dir, sc, seed, feedback=feedback)
        s = res.summary
        feedback.pushInfo(tr("Bowl model: {}. Maximum cumulative subsidence {:.1f} mm vertical ({:.1f} mm LOS), "
                             "maximum rate {:.1f} mm/yr vertical; {} persistent scatterers.").format(
            res.bowl_model, s["max_cumulative_vertical_mm"], s["max_cumulative_los_mm"],
            s["max_rate_vertical_mm_yr"], s["n_ps"]))
        feedback.pushInfo(tr("Build the stack with INCIDENCE={} HEADING={} SLANT_RANGE={} RANGE_PIXEL={} "
                             "AZIMUTH_PIXEL={}").format(sc.geometry.incidence_deg, sc.geometry.heading_deg,
                                                         round(sc.geometry.slant_range_m, 1),
                                                         round(sc.geometry.range_pixel_m, 4),
                                                         sc.geometry.azimuth_pixel_m))
        t = res.truth_paths
        g = sc.geometry
        out = {
            self.OUTPUT_FOLDER: res.out_dir, self.MANIFEST: res.manifest, self.DEM: res.dem_path,
            self.TRUTH_DISPLACEMENT: t["truth_displacement"], self.TRUTH_VELOCITY: t["truth_velocity"],
            self.TRUTH_DEM_ERROR: t["truth_dem_error"], self.PS_MASK: t["ps_mask"], self.LANDCOVER: t["landcover"],
            self.N_DATES: res.n_dates,
        }
        out.update(dict(zip(self.GEOMETRY_OUTPUTS, (g.wavelength_m, g.incidence_deg, g.heading_deg,
                                                    g.slant_range_m, g.range_pixel_m, g.azimuth_pixel_m))))
        return out
