<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>MineSAR</name>
    <message>
      <source>, velocity {:.1f} mm/yr</source>
      <translation>，速率 {:.1f} mm/yr</translation>
    </message>
    <message>
      <source>1 · Stack</source>
      <translation>1 · 影像堆栈</translation>
    </message>
    <message>
      <source>1:1 scatter</source>
      <translation>1:1 散点图</translation>
    </message>
    <message>
      <source>2 · Pair network</source>
      <translation>2 · 干涉对网络</translation>
    </message>
    <message>
      <source>3 · Interferograms</source>
      <translation>3 · 干涉图</translation>
    </message>
    <message>
      <source>4 · Phase unwrapping</source>
      <translation>4 · 相位解缠</translation>
    </message>
    <message>
      <source>5 · Time series (SBAS / PS)</source>
      <translation>5 · 时间序列（SBAS / PS）</translation>
    </message>
    <message>
      <source>6 · Source modelling (Okada)</source>
      <translation>6 · 沉陷源建模（Okada）</translation>
    </message>
    <message>
      <source>7 · Validation and analysis</source>
      <translation>7 · 验证与分析</translation>
    </message>
    <message>
      <source>8 · Studies</source>
      <translation>8 · 研究案例</translation>
    </message>
    <message>
      <source>Add east, north and up bands (mm)</source>
      <translation>增加东、北、垂直分量波段（mm）</translation>
    </message>
    <message>
      <source>All: N = {}, RMSE = {:.2f} mm, R² (1:1) = {:.3f}; clean: N = {}, RMSE = {:.2f} mm, R² (1:1) = {:.3f}; {} outlier(s), {} without InSAR sample</source>
      <translation>全部：N = {}，RMSE = {:.2f} 毫米，R²（1:1）= {:.3f}；剔除后：N = {}，RMSE = {:.2f} 毫米，R²（1:1）= {:.3f}；{} 个异常点，{} 个无 InSAR 样本</translation>
    </message>
    <message>
      <source>Also fit strike-slip and dip-slip</source>
      <translation>同时拟合走滑与倾滑</translation>
    </message>
    <message>
      <source>Amplitude dispersion D_A and mean amplitude</source>
      <translation>振幅离差 D_A 与平均振幅</translation>
    </message>
    <message>
      <source>Amplitude dispersion threshold D_A</source>
      <translation>幅度离差阈值 D_A</translation>
    </message>
    <message>
      <source>Amplitude threshold (dB of the mean intensity)</source>
      <translation>幅度阈值（平均强度的 dB 值）</translation>
    </message>
    <message>
      <source>Atmospheric filter: spatial low-pass window (m)</source>
      <translation>大气滤波：空间低通窗口（m）</translation>
    </message>
    <message>
      <source>Atmospheric filter: temporal high-pass window (days)</source>
      <translation>大气滤波：时间高通窗口（天）</translation>
    </message>
    <message>
      <source>Azimuth pixel spacing (m)</source>
      <translation>方位向像元间距（m）</translation>
    </message>
    <message>
      <source>BAND: the raster has {} bands, got {}</source>
      <translation>BAND：栅格共有 {} 个波段，实际给出 {}</translation>
    </message>
    <message>
      <source>BENCHMARKS: benchmark {} has no point geometry</source>
      <translation>BENCHMARKS：水准点 {} 没有点几何</translation>
    </message>
    <message>
      <source>BENCHMARKS: no point layer given</source>
      <translation>BENCHMARKS：未提供点图层</translation>
    </message>
    <message>
      <source>BIAS = mean DIFF</source>
      <translation>偏差 BIAS = mean DIFF</translation>
    </message>
    <message>
      <source>BIC penalty</source>
      <translation>BIC 惩罚项</translation>
    </message>
    <message>
      <source>Benchmark comparison</source>
      <translation>水准点对比结果</translation>
    </message>
    <message>
      <source>Benchmark id field</source>
      <translation>水准点编号字段</translation>
    </message>
    <message>
      <source>Benchmarks</source>
      <translation>水准点</translation>
    </message>
    <message>
      <source>Benchmarks without InSAR sample</source>
      <translation>无 InSAR 样本的水准点数</translation>
    </message>
    <message>
      <source>Benchmarks without a leveling value</source>
      <translation>无水准值的水准点</translation>
    </message>
    <message>
      <source>Bias InSAR − leveling, all benchmarks (mm)</source>
      <translation>偏差 InSAR − 水准，全部水准点（毫米）</translation>
    </message>
    <message>
      <source>Bias without excluded/outlier benchmarks (mm)</source>
      <translation>剔除受扰动/异常水准点后的偏差（毫米）</translation>
    </message>
    <message>
      <source>Bowl model: {}. Maximum cumulative subsidence {:.1f} mm vertical ({:.1f} mm LOS), maximum rate {:.1f} mm/yr vertical; {} persistent scatterers.</source>
      <translation>沉陷盆地模型：{}。最大累计沉降量 {:.1f} mm（垂直向；视线向 {:.1f} mm），最大沉降速率 {:.1f} mm/yr（垂直向）；永久散射体 {} 个。</translation>
    </message>
    <message>
      <source>Build SLC stack from manifest</source>
      <translation>由清单构建 SLC 影像堆栈</translation>
    </message>
    <message>
      <source>Build the stack with INCIDENCE={} HEADING={} SLANT_RANGE={} RANGE_PIXEL={} AZIMUTH_PIXEL={}</source>
      <translation>构建影像堆栈时请使用 INCIDENCE={} HEADING={} SLANT_RANGE={} RANGE_PIXEL={} AZIMUTH_PIXEL={}</translation>
    </message>
    <message>
      <source>Builds a self-describing SLC stack (a GDAL VRT, MINESAR_KIND=slc) from a manifest CSV with the columns date,path,bperp_m (one coregistered complex raster per acquisition; paths relative to the CSV; any format GDAL opens).

Dates are YYYYMMDD. Perpendicular baselines are in metres and are stored relative to the first (earliest) date. The scene geometry (wavelength in m, incidence and heading in degrees with the heading clockwise from north, slant range and pixel spacings in m) defaults to Sentinel-1 IW and is written into the stack metadata for the later stages. An optional DEM on the same grid is recorded for topographic phase removal.

Every SLC must open, be complex and have the size of the first one; dates must be valid and unique and every baseline numeric. Any problem stops the run with a message naming the manifest row or file, and no output is written. The output must be a .vrt file (another extension is replaced).

Conventions: interferogram = reference x conj(secondary), reference = earlier date; LOS displacement positive toward the satellite (see the MineSAR README).

Reference: Hanssen, R. F. (2001), Radar Interferometry: Data Interpretation and Error Analysis, Kluwer (interferometric phase conventions); GDAL Virtual Format (VRT) for the stack.</source>
      <translation>由清单 CSV（列为 date,path,bperp_m）构建自描述的 SLC 影像堆栈（GDAL VRT，MINESAR_KIND=slc）。每个获取日期对应一幅已配准的复数栅格；路径相对于 CSV；支持 GDAL 可打开的任意格式。

日期格式为 YYYYMMDD。垂直基线单位为米，保存为相对于第一个（最早）日期的值。场景几何参数（波长，单位 m；入射角与航向角，单位为度，航向角自北顺时针；斜距与像元间距，单位 m）默认采用 Sentinel-1 IW 参数，并写入堆栈元数据供后续步骤使用。可选的同网格 DEM 会被记录，用于去除地形相位。

每幅 SLC 必须可以打开、必须为复数类型，且尺寸与第一幅相同；日期必须有效且不重复，每条基线必须为数值。任何问题都会终止运行，并给出指明清单行或文件的提示信息，且不写出任何结果。输出必须为 .vrt 文件（其他扩展名会被替换）。

约定：干涉图 = 参考影像 × conj(辅影像)，参考影像为较早日期；视线向（LOS）形变以朝向卫星为正（见 MineSAR README）。

参考文献：Hanssen, R. F.（2001），Radar Interferometry: Data Interpretation and Error Analysis，Kluwer（干涉相位约定）；影像堆栈采用 GDAL 虚拟格式（VRT）。</translation>
    </message>
    <message>
      <source>Builds a self-describing unwrapped interferogram stack (MINESAR_KIND=unwrapped, radians, one band per pair YYYYMMDD_YYYYMMDD) and a matching coherence stack from interferograms unwrapped elsewhere, ready for the SBAS stage.

Recognised inputs (a folder searched recursively, or files): ASF HyP3 GAMMA products (&lt;name&gt;_unw_phase.tif, &lt;name&gt;_corr.tif and the &lt;name&gt;.txt metadata, which gives the perpendicular baseline, heading, slant range, looks and the incidence angle); LiCSAR frames (GEOC/d1_d2/d1_d2.geo.unw.tif and .geo.cc.tif); plain GeoTIFFs whose names contain a pair YYYYMMDD_YYYYMMDD or YYYYMMDD-YYYYMMDD (names with cc, coh or corr are coherence). All rasters must share one grid. Pixels equal to NODATA (default 0, as GAMMA and HyP3 write) become NaN.

PHASE_SIGN multiplies the phase. MineSAR's convention (reference x conj(secondary), positive phase = motion away from the satellite, d = -wavelength/(4 pi) x phase) is that of GAMMA, HyP3, LiCSAR and MintPy: keep 1. Use -1 for products whose positive phase means motion toward the satellite. PyRate's signal_polarity -1 corresponds to PHASE_SIGN 1 (PyRate converts radians to mm without the minus sign and divides by signal_polarity).

Perpendicular baselines (m) come from the HyP3 metadata or from GAMMA *_bperp.par files in BASELINE_FOLDER (mean of the bperp column, or, when the folder also holds the GAMMA lookup table *.lt of this grid, the value where the crop lies in the swath, together with the local incidence and slant range); per-date baselines are solved by least squares relative to the first date. Geometry values left empty are taken from the metadata (HyP3 .txt, PyRate GeoTIFF tags) or the Sentinel-1 defaults.

References: Hogenson et al. (2020), ASF HyP3 on-demand InSAR products; Lazecký et al. (2020), LiCSAR, Remote Sensing 12(15):2430; Garthwaite et al. (2019), PyRate (signal_polarity convention).</source>
      <translation>用在其他软件中解缠的干涉图生成自描述的解缠干涉图堆栈（MINESAR_KIND=unwrapped，单位为弧度，每个波段对应一个干涉对 YYYYMMDD_YYYYMMDD）以及对应的相干系数堆栈，可直接用于 SBAS 步骤。

可识别的输入（递归搜索的文件夹或文件列表）：ASF HyP3 GAMMA 产品（&lt;name&gt;_unw_phase.tif、&lt;name&gt;_corr.tif 以及 &lt;name&gt;.txt 元数据，从中读取垂直基线、航向角、斜距、视数并计算入射角）；LiCSAR 帧（GEOC/d1_d2/d1_d2.geo.unw.tif 和 .geo.cc.tif）；文件名中含有干涉对 YYYYMMDD_YYYYMMDD 或 YYYYMMDD-YYYYMMDD 的普通 GeoTIFF（文件名含 cc、coh 或 corr 的为相干系数）。所有栅格必须位于同一格网。等于 NODATA 的像元（默认 0，与 GAMMA 和 HyP3 一致）设为 NaN。

PHASE_SIGN 与相位相乘。MineSAR 的约定（主影像 x 共轭(从影像)，相位为正表示远离卫星的运动，d = -波长/(4 pi) x 相位）与 GAMMA、HyP3、LiCSAR 和 MintPy 相同：保持 1。若产品的正相位表示朝向卫星的运动，使用 -1。PyRate 的 signal_polarity -1 对应 PHASE_SIGN 1（PyRate 将弧度换算为 mm 时不带负号，并除以 signal_polarity）。

垂直基线（m）取自 HyP3 元数据或 BASELINE_FOLDER 中的 GAMMA *_bperp.par 文件（bperp 列的平均值；若该文件夹中还有与本格网对应的 GAMMA 查找表 *.lt，则取裁剪区在条带中所处位置的值，并同时采用当地入射角与斜距）；各期垂直基线以第一期为参考用最小二乘求解。未填写的几何参数取自元数据（HyP3 .txt、PyRate GeoTIFF 标签）或 Sentinel-1 默认值。

参考文献：Hogenson 等（2020），ASF HyP3 按需 InSAR 产品；Lazecký 等（2020），LiCSAR，Remote Sensing 12(15):2430；Garthwaite 等（2019），PyRate（signal_polarity 约定）。</translation>
    </message>
    <message>
      <source>Canceled by the user; no output was written.</source>
      <translation>已被用户取消；未写出任何结果。</translation>
    </message>
    <message>
      <source>Cell size in target CRS units; 0 = processing resolution</source>
      <translation>格元大小（目标坐标参考系单位）；0 = 处理分辨率</translation>
    </message>
    <message>
      <source>Cell size on the ground (m)</source>
      <translation>地面格元大小（m）</translation>
    </message>
    <message>
      <source>Chooses the interferometric pairs of an SLC stack (the VRT of 'Build SLC stack', or any raster whose bands are dated YYYYMMDD with BPERP_M metadata). Dates and perpendicular baselines (m, relative to a common reference date) come from the stack; the critical baseline from its geometry.

MODE: sbas = every pair within the thresholds (small baselines, Berardino et al. 2002); delaunay = edges of the Delaunay triangulation of the dates in the normalised (time, B⊥) plane, within the thresholds; sequential = each date with its SEQUENTIAL_N following dates, within the thresholds; star = one master for every date (PS-InSAR, Ferretti et al. 2001; thresholds do not apply).

Thresholds are inclusive; 0 means no limit. MAX_TEMPORAL_DAYS: temporal baseline in days. MAX_PERP_M: |B⊥| in metres. MAX_PERP_PERCENT: |B⊥| as a percentage of the critical baseline B⊥,crit = λ·R·tan(θ)·B_r/c (wavelength λ, slant range R, incidence θ from the stack, range bandwidth B_r, Sentinel-1: 56.5 MHz, c = speed of light); Sentinel-1 IW with R = 880 km and θ = 39° gives 7449 m, so 2 % = 149 m. When both perpendicular limits are set the stricter applies.

MIN_CONNECTIONS: every date ends in at least this many pairs; missing pairs are added by smallest normalised baseline (BTEMP/MAX_TEMPORAL_DAYS + |B⊥|/perpendicular limit) and labelled. MAX_CONNECTIONS: at most this many selected pairs per date (smallest normalised baselines kept).

COHERENCE (optional): a table with the pair (PAIR or REF_DATE/SEC_DATE) and a COHERENCE column, or a coherence pair stack (its mean per band is used). Pairs below MIN_COHERENCE are dropped except the edges of the maximum spanning tree on coherence, which are kept so that no date is cut off (as MintPy's keepMinSpanTree).

If the thresholds leave the dates in several groups, REPAIR=true (default) adds the connecting pairs of smallest normalised baseline and labels them; REPAIR=false stops with the groups and the smallest thresholds that would connect them.

Star mode: MASTER_DATE (YYYYMMDD) or, when empty, the date minimising the sum of normalised temporal + perpendicular (+ Doppler, band metadata DOPPLER_HZ) baselines to all other dates.

Output: a table (GeoPackage or CSV, no geometry) with REF_DATE, SEC_DATE (YYYYMMDD), PAIR (YYYYMMDD_YYYYMMDD), BTEMP_DAYS (days), BPERP_M (m, B⊥ of the secondary minus the reference), BPERP_PCT (% of the critical baseline), COHERENCE (NULL if unknown) and REASON (thresholds, delaunay, sequential, star, added_min_connections, added_connectivity, kept_coherence_mst); a PNG of the network (date vs B⊥). The reference of a pair is always the EARLIER date, so in star mode the dates before the master are the reference of their pair.</source>
      <translation>为 SLC 堆栈选择干涉对（“由清单构建 SLC 堆栈”生成的 VRT，或任何波段以 YYYYMMDD 标注日期并带有 BPERP_M 元数据的栅格）。日期和垂直基线（m，相对于共同的参考日期）取自堆栈；临界基线由其成像几何计算。

MODE（模式）：sbas = 满足所有阈值的全部干涉对（小基线，Berardino 等，2002）；delaunay = 在归一化（时间, B⊥）平面中对日期做 Delaunay 三角剖分所得、且满足阈值的边；sequential = 每个日期与其后 SEQUENTIAL_N 个日期配对，并满足阈值；star = 所有日期与同一主影像配对（PS-InSAR，Ferretti 等，2001；不应用阈值）。

阈值为闭区间（含等于）；0 表示不限制。MAX_TEMPORAL_DAYS：时间基线（天）。MAX_PERP_M：|B⊥|（米）。MAX_PERP_PERCENT：|B⊥| 占临界基线的百分比，B⊥,crit = λ·R·tan(θ)·B_r/c（波长 λ、斜距 R、入射角 θ 取自堆栈，距离向带宽 B_r，Sentinel-1 为 56.5 MHz，c 为光速）；Sentinel-1 IW 在 R = 880 km、θ = 39° 时为 7449 m，因此 2 % = 149 m。两个垂直基线阈值同时设置时取较严格者。

MIN_CONNECTIONS：每个日期至少参与的干涉对数；不足时按最小归一化基线（BTEMP/MAX_TEMPORAL_DAYS + |B⊥|/垂直基线阈值）补充干涉对并加以标注。MAX_CONNECTIONS：每个日期最多保留的已选干涉对数（优先保留归一化基线最小者）。

COHERENCE（可选）：含干涉对（PAIR 或 REF_DATE/SEC_DATE）和 COHERENCE 列的表格，或相干性干涉对堆栈（使用每个波段的平均值）。平均相干性低于 MIN_COHERENCE 的干涉对将被剔除，但相干性最大生成树上的边予以保留，以保证不会有日期被孤立（与 MintPy 的 keepMinSpanTree 相同）。

若阈值使日期分裂为多个组，REPAIR=true（默认）会添加归一化基线最小的连接干涉对并加以标注；REPAIR=false 则停止运行，并列出各组以及能使网络连通的最小阈值。

星型模式：MASTER_DATE（YYYYMMDD），为空时自动选择与其他所有日期的归一化时间基线 + 垂直基线（+ 多普勒，波段元数据 DOPPLER_HZ）之和最小的日期。

输出：一个表格（GeoPackage 或 CSV，无几何），字段为 REF_DATE、SEC_DATE（YYYYMMDD）、PAIR（YYYYMMDD_YYYYMMDD）、BTEMP_DAYS（天）、BPERP_M（m，辅影像 B⊥ 减参考影像 B⊥）、BPERP_PCT（占临界基线的 %）、COHERENCE（未知时为 NULL）和 REASON（thresholds、delaunay、sequential、star、added_min_connections、added_connectivity、kept_coherence_mst）；以及网络图 PNG（日期–B⊥）。干涉对的参考影像始终是较早的日期，因此在星型模式中，早于主影像的日期是其干涉对的参考影像。</translation>
    </message>
    <message>
      <source>Click a PS point or a time-series pixel to plot its displacement history</source>
      <translation>单击 PS 点或时间序列像元以绘制其形变历史</translation>
    </message>
    <message>
      <source>Click a point or pixel with the time-series tool.</source>
      <translation>使用时间序列工具单击一个点或像元。</translation>
    </message>
    <message>
      <source>Closure check</source>
      <translation>闭合检验</translation>
    </message>
    <message>
      <source>Coherence</source>
      <translation>相干性</translation>
    </message>
    <message>
      <source>Coherence per pair (table with PAIR and COHERENCE, or coherence stack)</source>
      <translation>各干涉对的相干性（含 PAIR 与 COHERENCE 的表格，或相干性堆栈）</translation>
    </message>
    <message>
      <source>Coherence scaling of every land cover (1 = preset; empty = preset)</source>
      <translation>各地表覆盖类型相干性的缩放系数（1 = 预设值；留空 = 预设值）</translation>
    </message>
    <message>
      <source>Coherence stack</source>
      <translation>相干系数堆栈</translation>
    </message>
    <message>
      <source>Coherence stack (same pairs)</source>
      <translation>相干系数堆栈（相同干涉对）</translation>
    </message>
    <message>
      <source>Coherence threshold (mean coherence, 0-1)</source>
      <translation>相干性阈值（平均相干性，0-1）</translation>
    </message>
    <message>
      <source>Coherence threshold (pixels below are masked)</source>
      <translation>相干性阈值（低于该值的像元被掩膜）</translation>
    </message>
    <message>
      <source>Coherence threshold (unwrapping and inversion)</source>
      <translation>相干性阈值（解缠与反演）</translation>
    </message>
    <message>
      <source>Coherence threshold per interferogram</source>
      <translation>单幅干涉图的相干系数阈值</translation>
    </message>
    <message>
      <source>Coherence window (output pixels)</source>
      <translation>相干性估计窗口（输出像元）</translation>
    </message>
    <message>
      <source>Coherence window (pixels, odd)</source>
      <translation>相干性窗口（像元，奇数）</translation>
    </message>
    <message>
      <source>Columns (0 or empty = preset)</source>
      <translation>列数（0 或留空 = 预设值）</translation>
    </message>
    <message>
      <source>Common master date (YYYYMMDD)</source>
      <translation>公共主影像日期（YYYYMMDD）</translation>
    </message>
    <message>
      <source>Common master date YYYYMMDD (empty = automatic)</source>
      <translation>公共主影像日期 YYYYMMDD（为空 = 自动选择）</translation>
    </message>
    <message>
      <source>Compare vertical displacement (LOS / cos incidence)</source>
      <translation>比较垂直形变（LOS / cos 入射角）</translation>
    </message>
    <message>
      <source>Compares InSAR displacement with leveling benchmarks (study B: mean of all PS within 50 m of each benchmark; RMSE 16.0 mm for all 35 benchmarks, 3.8 mm and R² 0.91 without 5 disturbed ones).

Leveling: a point layer with an id field and either VALUE_FIELD, the measured cumulative displacement in mm between START_DATE and END_DATE (YYYYMMDD; default: the InSAR period), or, when VALUE_FIELD is empty, per-date fields DYYYYMMDD in mm (each date after the first is compared, relative to the first). Subsidence is negative.

InSAR: a time-series raster (MINESAR_KIND=timeseries, one band per date, mm), a velocity raster (mm/yr, multiplied by the period in years of 365.25 days) or a PS point layer with DYYYYMMDD fields (else VEL). Between acquisitions the time series is interpolated linearly in time (stated in the report); dates outside the InSAR period are refused.

AGGREGATION: mean or median of the InSAR points or pixel centres within RADIUS metres (distance &lt;= RADIUS, inclusive), nearest sample within RADIUS, or bilinear interpolation (rasters). Distances are in metres in any CRS (geographic inputs are projected to UTM). A benchmark without sample keeps N_SAMPLES = 0 and an empty INSAR value and is listed in the report and log.

VERTICAL: d_vert = d_los / cos(incidence), incidence from INCIDENCE or the raster's INCIDENCE_DEG metadata (default 39°); a raster whose COMPONENT metadata, or a PS layer whose COMPONENT field, is vertical is not converted again. EXCLUDE_FIELD: benchmarks whose value is true (1, yes, true) are disturbed and left out of the clean statistics.

Outputs: points with LEVELING, INSAR, N_SAMPLES, DIFF = INSAR − LEVELING (mm), OUTLIER (1 when |DIFF − median| &gt; 3 × 1.4826 × MAD) and EXCLUDED; RMSE, MAE, BIAS (mean DIFF), R2 (coefficient of determination of the 1:1 line, 1 − Σ(ins − lev)² / Σ(lev − mean lev)²), PEARSON_R2 (squared correlation) and N for all benchmarks and without excluded and outlier ones (*_CLEAN); an HTML report with a 1:1 scatter plot and a per-benchmark bar chart.

Method: InSAR value = mean of the InSAR points within the radius of each benchmark, RMSE and R² as in the Huaibei industrial-square PS-InSAR validation (MineSAR study B); robust outlier rule after Leys et al. (2013), J. Exp. Soc. Psychol. 49(4):764-766 (|x − median| &gt; 3 × 1.4826 × MAD).</source>
      <translation>将 InSAR 形变与水准点测量结果进行对比（研究 B：取每个水准点 50 米范围内全部 PS 的平均值；全部 35 个水准点的 RMSE 为 16.0 毫米，剔除 5 个受扰动水准点后为 3.8 毫米，R² 为 0.91）。

水准数据：带编号字段的点图层，并提供 VALUE_FIELD，即 START_DATE 至 END_DATE（YYYYMMDD；默认为 InSAR 时间段）之间实测的累计形变（毫米）；或在 VALUE_FIELD 留空时提供逐期字段 DYYYYMMDD（毫米），第一期之后的每一期均相对于第一期进行对比。沉降为负值。

InSAR 数据：时间序列栅格（MINESAR_KIND=timeseries，每个日期一个波段，毫米）、速率栅格（mm/yr，乘以以 365.25 天为一年计的时段长度）或带 DYYYYMMDD 字段（否则使用 VEL）的 PS 点图层。两次获取之间的时间序列按时间线性插值（在报告中说明）；超出 InSAR 时间段的日期将被拒绝。

AGGREGATION：RADIUS 米范围内（距离 &lt;= RADIUS，含边界）InSAR 点或像元中心的平均值或中值、RADIUS 范围内最近的样本，或双线性插值（栅格）。距离在任何坐标参考系下均以米计（地理坐标输入会投影到 UTM）。没有样本的水准点保持 N_SAMPLES = 0、INSAR 为空，并在报告和日志中列出。

VERTICAL：d_vert = d_los / cos(入射角)，入射角取自 INCIDENCE 或栅格的 INCIDENCE_DEG 元数据（默认 39°）；COMPONENT 元数据为 vertical 的栅格、或 COMPONENT 字段为 vertical 的 PS 点图层不再重复转换。EXCLUDE_FIELD：该字段值为真（1、yes、true）的水准点视为受扰动，不参与剔除后的统计。

输出：包含 LEVELING、INSAR、N_SAMPLES、DIFF = INSAR − LEVELING（毫米）、OUTLIER（当 |DIFF − 中值| &gt; 3 × 1.4826 × MAD 时为 1）和 EXCLUDED 的点；全部水准点以及剔除受扰动和异常水准点后（*_CLEAN）的 RMSE、MAE、BIAS（DIFF 的平均值）、R2（1:1 线的决定系数，1 − Σ(ins − lev)² / Σ(lev − mean lev)²）、PEARSON_R2（相关系数的平方）和 N；以及包含 1:1 散点图和逐水准点柱状图的 HTML 报告。

方法：InSAR 值 = 每个水准点半径范围内 InSAR 点的均值，RMSE 与 R² 的计算同淮北工业广场 PS-InSAR 验证（MineSAR 研究案例 B）；稳健粗差判别依据 Leys 等（2013），J. Exp. Soc. Psychol. 49(4):764-766（|x − 中位数| &gt; 3 × 1.4826 × MAD）。</translation>
    </message>
    <message>
      <source>Comparison: one measured cumulative value per benchmark.</source>
      <translation>对比方式：每个水准点一个实测累计形变值。</translation>
    </message>
    <message>
      <source>Comparison: per-date leveling fields DYYYYMMDD, each epoch relative to the first leveling date.</source>
      <translation>对比方式：按日期的水准字段 DYYYYMMDD，每一期均相对于第一个水准测量日期。</translation>
    </message>
    <message>
      <source>Connected components</source>
      <translation>连通区域</translation>
    </message>
    <message>
      <source>Convert LOS to vertical (LOS / cos incidence)</source>
      <translation>将视线向形变转换为垂直形变（LOS / cos 入射角）</translation>
    </message>
    <message>
      <source>Convert LOS to vertical (d / cos(incidence))</source>
      <translation>视线向转换为垂直向（d / cos(入射角)）</translation>
    </message>
    <message>
      <source>Correct integer ambiguities from phase closure</source>
      <translation>根据相位闭合校正整周模糊度</translation>
    </message>
    <message>
      <source>Critical baseline (m)</source>
      <translation>临界基线（m）</translation>
    </message>
    <message>
      <source>DEM (m)</source>
      <translation>数字高程模型 DEM（m）</translation>
    </message>
    <message>
      <source>DEM error (m)</source>
      <translation>DEM 误差（m）</translation>
    </message>
    <message>
      <source>DEM error, standard deviation (m; empty = preset)</source>
      <translation>DEM 误差标准差（m；留空 = 预设值）</translation>
    </message>
    <message>
      <source>DEM on the SLC grid (m)</source>
      <translation>与 SLC 同网格的 DEM（m）</translation>
    </message>
    <message>
      <source>DEM on the SLC grid (m); empty = the stack's DEM</source>
      <translation>SLC 网格上的 DEM（m）；为空 = 使用堆栈记录的 DEM</translation>
    </message>
    <message>
      <source>DEM on the stack grid (m); empty = the stack's DEM</source>
      <translation>与影像栈同格网的 DEM（米）；留空 = 使用影像栈记录的 DEM</translation>
    </message>
    <message>
      <source>DISPLACEMENT: contains no valid (non-NaN) values</source>
      <translation>DISPLACEMENT：不含有效（非 NaN）数值</translation>
    </message>
    <message>
      <source>D_A threshold of the network PS</source>
      <translation>网络 PS 的 D_A 阈值</translation>
    </message>
    <message>
      <source>Date of the largest tilt</source>
      <translation>最大倾斜出现的日期</translation>
    </message>
    <message>
      <source>Dates (YYYYMMDD list, all or last)</source>
      <translation>日期（YYYYMMDD 列表，all 或 last）</translation>
    </message>
    <message>
      <source>Dates and interpolation</source>
      <translation>日期与插值</translation>
    </message>
    <message>
      <source>Differential displacement and tilt</source>
      <translation>差异形变与倾斜</translation>
    </message>
    <message>
      <source>Differential-evolution generations</source>
      <translation>差分进化代数</translation>
    </message>
    <message>
      <source>Displacement (mm)</source>
      <translation>形变量（mm）</translation>
    </message>
    <message>
      <source>Displacement profile</source>
      <translation>形变剖面</translation>
    </message>
    <message>
      <source>Displacement profile along a line</source>
      <translation>沿剖面线的形变剖面</translation>
    </message>
    <message>
      <source>Displacement raster or point layer</source>
      <translation>位移栅格或点图层</translation>
    </message>
    <message>
      <source>Displacement time series (mm)</source>
      <translation>形变时间序列（mm）</translation>
    </message>
    <message>
      <source>Displacement: line of sight (no conversion); negative = subsidence; DIFF = INSAR − LEVELING (mm).</source>
      <translation>形变：视线向（LOS，未转换）；负值 = 沉降；DIFF = INSAR − LEVELING（毫米）。</translation>
    </message>
    <message>
      <source>Displacement: vertical (LOS / cos incidence); negative = subsidence; DIFF = INSAR − LEVELING (mm).</source>
      <translation>形变：垂直形变（LOS / cos 入射角）；负值 = 沉降；DIFF = INSAR − LEVELING（毫米）。</translation>
    </message>
    <message>
      <source>Distance along the profile (m)</source>
      <translation>沿剖面距离（米）</translation>
    </message>
    <message>
      <source>Distance {:.2f} m, maximum tilt {:.6f} on {}</source>
      <translation>距离 {:.2f} 米，最大倾斜 {:.6f}，日期 {}</translation>
    </message>
    <message>
      <source>Disturbed-benchmark flag field (true = exclude)</source>
      <translation>受扰动水准点标记字段（真 = 剔除）</translation>
    </message>
    <message>
      <source>Empty neighbourhoods (no InSAR value)</source>
      <translation>空邻域（无 InSAR 值）</translation>
    </message>
    <message>
      <source>Estimate and remove the DEM error</source>
      <translation>估计并去除 DEM 误差</translation>
    </message>
    <message>
      <source>Estimated atmosphere (mm per date)</source>
      <translation>大气相位估计（每期，mm）</translation>
    </message>
    <message>
      <source>Excluded benchmarks</source>
      <translation>被剔除的水准点数</translation>
    </message>
    <message>
      <source>FIELD: give the name of a numeric field of the point layer</source>
      <translation>FIELD：请给出点图层中一个数值字段的名称</translation>
    </message>
    <message>
      <source>Far-field semivariogram and exponential model</source>
      <translation>远场半变异函数与指数模型</translation>
    </message>
    <message>
      <source>Fit a constant offset</source>
      <translation>拟合常数偏移</translation>
    </message>
    <message>
      <source>Fit a linear ramp</source>
      <translation>拟合线性趋势面</translation>
    </message>
    <message>
      <source>Fit report</source>
      <translation>拟合报告</translation>
    </message>
    <message>
      <source>Fits 1-5 rectangular dislocations (Okada 1992) to a displacement raster or point layer and reports how certain each parameter is, following GBIS (Bagnardi &amp; Hooper 2018).

DISPLACEMENT: a LOS raster in mm positive toward the satellite (e.g. the sbas time series, band BAND, 0 = last band = cumulative, or its velocity in mm/yr: then openings are in m/yr), or with VERTICAL_INPUT a vertical raster (mm, up positive); or a point layer with the value in FIELD (e.g. VEL or a DYYYYMMDD field of psinsar). LOS from INCIDENCE/HEADING (degrees; empty = raster metadata, else Sentinel-1 defaults).

Model: horizontal rectangles (FIX_DIP_ZERO, coal seams, default) or free dip (0-90°); tensile opening only, or also strike-slip and dip-slip (FREE_SLIP). OPENING_SIGN negative (closing seam, default), positive or any, |opening| &lt;= MAX_OPENING m. Bounds: centres inside the data extent, depth DEPTH_MIN..DEPTH_MAX m (0 = half the data extent), length and width LENGTH_MIN..LENGTH_MAX m (0 = two pixels .. half the extent). A nuisance offset (mm) and ramp (mm/km) are estimated (OFFSET, RAMP). START_SOURCES: optional rectangles you draw (polygons; fields as in okadaforward optional) to start the search near them.

Method: quadtree reduction (cells split while their variance exceeds QUADTREE_THRESHOLD mm², 0 = chosen so that at most MAX_SAMPLES samples remain); noise = exponential covariance sill·exp(-r/range) plus a nugget, fitted to the far-field semivariogram of a first fit's residual (or NOISE_SILL mm², NOISE_RANGE m); global search by differential evolution (openings, offset and ramp solved linearly for each candidate) and multi-start least squares, then a remove-and-reinsert sweep (each rectangle searched again with the others refitted); support of each rectangle: the chi-square increase when it is removed against the BIC penalty of its parameters (a warning names unsupported ones); then adaptive Metropolis-within-Gibbs MCMC (ITERATIONS, 40 % burn-in, one rectangle per step) for the posterior mean, standard deviation and 95 % interval of every parameter.

Outputs: OUTPUT_SOURCES polygons (surface projection of each rectangle) with x, y (centre, layer CRS), depth, length, width (m), strike, dip (°), opening, strike_slip, dip_slip (m) of the best fit (maximum posterior, GBIS' optimal model) and *_MEAN, *_STD, *_LO95, *_HI95 posterior fields, supported (1/0), dchi2, peak_mm; OUTPUT_MODEL and OUTPUT_RESIDUAL rasters of the best fit in mm (raster input); OUTPUT_REPORT HTML with the parameter table, the residual histogram with mean, standard deviation and 95 % range, the observed and modelled profile through the sources, posterior marginals and the semivariogram. Conventions: x east, y north, depth positive down, strike clockwise from north, centre of the rectangle. NaN-only input, N_SOURCES outside 1-5 and invalid bounds stop the run with a message naming the parameter.</source>
      <translation>将 1–5 个矩形位错（Okada 1992）拟合到位移栅格或点图层，并按 GBIS（Bagnardi &amp; Hooper 2018）给出每个参数的不确定度。

DISPLACEMENT：视线向栅格，单位 mm，朝向卫星为正（例如 sbas 时间序列的第 BAND 波段，0 = 最后一个波段 = 累积位移；或其速率 mm/yr，此时张开量单位为 m/yr）；勾选 VERTICAL_INPUT 时为垂直位移栅格（mm，向上为正）；或点图层，数值位于字段 FIELD（例如 psinsar 的 VEL 或某个 DYYYYMMDD 字段）。视线方向由 INCIDENCE/HEADING 给出（度；留空则取栅格元数据，否则取 Sentinel-1 默认值）。

模型：水平矩形（FIX_DIP_ZERO，煤层，默认）或自由倾角（0–90°）；仅张性张开，或同时拟合走滑与倾滑（FREE_SLIP）。OPENING_SIGN：negative（闭合煤层，默认）、positive 或 any，|opening| &lt;= MAX_OPENING m。参数范围：中心位于数据范围内，深度 DEPTH_MIN..DEPTH_MAX m（0 = 数据范围的一半），长度与宽度 LENGTH_MIN..LENGTH_MAX m（0 = 两个像元 .. 数据范围的一半）。同时估计常数偏移（mm）与线性趋势面（mm/km）（OFFSET、RAMP）。START_SOURCES：可选的、由用户绘制的初始矩形（面要素；字段与 okadaforward 相同，均可省略），搜索从其附近开始。

方法：四叉树降采样（方差大于 QUADTREE_THRESHOLD mm² 的格网继续细分，0 = 自动选择，使样本数不超过 MAX_SAMPLES）；噪声 = 指数协方差 sill·exp(-r/range) 加块金，拟合自首次拟合残差的远场半变异函数（或由 NOISE_SILL mm²、NOISE_RANGE m 给定）；以差分进化作全局搜索（对每个候选几何，张开量、偏移与趋势面按线性最小二乘求解），再作多起点最小二乘，然后逐个移除并重新插入各矩形（其余矩形重新拟合后再次搜索该矩形）；每个矩形的支持度：移除该矩形时卡方的增量与其参数的 BIC 惩罚项比较（不受支持的矩形会给出警告）；随后用自适应 Metropolis-within-Gibbs MCMC（ITERATIONS 次迭代，40 % 预烧，每步更新一个矩形）求出每个参数的后验均值、标准差和 95 % 置信区间。

输出：OUTPUT_SOURCES 面图层（每个矩形的地表投影），字段 x, y（中心，图层坐标系）、depth、length、width（m）、strike、dip（°）、opening、strike_slip、dip_slip（m）为最佳拟合值（最大后验，即 GBIS 的最优模型），另有后验字段 *_MEAN、*_STD、*_LO95、*_HI95，以及 supported（1/0）、dchi2、peak_mm；OUTPUT_MODEL 与 OUTPUT_RESIDUAL 为最佳拟合的栅格，单位 mm（栅格输入时）；OUTPUT_REPORT HTML 报告，含参数表、带均值、标准差与 95 % 范围的残差直方图、穿过各源的观测与模型剖面、后验边缘分布与半变异函数。约定：x 向东，y 向北，深度向下为正，走向自北顺时针，矩形以中心定位。输入全为 NaN、N_SOURCES 超出 1–5 或参数范围无效时，运行停止并给出指明参数的提示。</translation>
    </message>
    <message>
      <source>Fitted rectangles</source>
      <translation>拟合得到的矩形</translation>
    </message>
    <message>
      <source>Flag an interferogram above this fraction of pixels failing closure</source>
      <translation>闭合失败像元比例超过该值时标记干涉图</translation>
    </message>
    <message>
      <source>Folder with GAMMA baseline files (*_bperp.par)</source>
      <translation>GAMMA 基线文件所在文件夹（*_bperp.par）</translation>
    </message>
    <message>
      <source>Folder with the interferograms</source>
      <translation>干涉图所在文件夹</translation>
    </message>
    <message>
      <source>Format of the geocoded products</source>
      <translation>地理编码产品的格式</translation>
    </message>
    <message>
      <source>Forms one interferogram per pair of the SLC stack and writes the wrapped phase, the coherence, the mean coherence and the amplitude dispersion, processed block by block within the memory budget.

Interferogram = reference x conj(secondary), the reference being the EARLIER date (a pairs table listing the later date first is rejected, as in every MineSAR stage). Phase in radians, wrapped to (-pi, pi]. A motion toward the satellite of the secondary gives a negative phase; LOS displacement d_mm = -lambda/(4 pi) * phase * 1000 after unwrapping (subsidence is negative).

PAIRS: the table from minesar:pairnetwork (columns REF_DATE and SEC_DATE as YYYYMMDD, or PAIR as YYYYMMDD_YYYYMMDD; a CSV file needs at least two columns). Empty: every consecutive pair of dates.

Remove topographic phase: a height h adds -4 pi/lambda * (Bperp_sec - Bperp_ref) * h / (R sin theta) to the interferogram; it is removed with the DEM heights (m), the per-date perpendicular baselines (m) and the scene geometry stored in the stack. The DEM is the DEM parameter or, when empty, the DEM recorded by minesar:buildstack; it must be on the stack grid (same size and CRS). What remains is the motion, the atmosphere and the DEM error.

Looks: LOOKS_RANGE columns x LOOKS_AZIMUTH rows are summed (complex); the output grid is the floor division of the input grid and its pixel size is multiplied by the looks. Coherence = |sum ref conj(sec)| / sqrt(sum |ref|^2 sum |sec|^2) over a boxcar of COHERENCE_WINDOW x COHERENCE_WINDOW output pixels, from the multilooked, unfiltered data (after topography and ramp removal). Remove ramp fits a phase plane (mean phase gradient) per interferogram and removes it (zero at the image centre). Goldstein filter (Goldstein and Werner 1998): patches of 32 x 32 output pixels overlapping by half, spectrum smoothed over 3 x 3 and raised to GOLDSTEIN_ALPHA (0 = no filter, 0.5 typical), triangular blending.

Outputs (self-describing GeoTIFFs, one band per pair named REF_SEC with REF_DATE, SEC_DATE, BPERP_M (Bperp_sec - Bperp_ref, m) and BTEMP_DAYS): wrapped phase (MINESAR_KIND=wrapped, radians), coherence (MINESAR_KIND=coherence, 0-1), mean coherence over all pairs (MINESAR_KIND=mean_coherence) and, at full resolution, the amplitude dispersion D_A = sigma_A / mu_A over all dates (band 1, sample standard deviation) with the mean amplitude (band 2) for PS selection (Ferretti et al. 2001) (MINESAR_KIND=amplitude_dispersion).</source>
      <translation>对 SLC 影像栈的每个像对生成一幅干涉图，并在内存预算内逐块处理，输出缠绕相位、相干性、平均相干性和振幅离差。

干涉图 = 主影像 x conj(辅影像)，主影像为较早的日期（像对表中较晚日期在前的像对会被拒绝，与 MineSAR 各阶段一致）。相位单位为弧度，缠绕到 (-pi, pi]。辅影像日期朝向卫星的运动给出负相位；解缠后视线向位移 d_mm = -lambda/(4 pi) * 相位 * 1000（沉降为负值）。

PAIRS：minesar:pairnetwork 生成的像对表（REF_DATE 与 SEC_DATE 列，格式 YYYYMMDD；或 PAIR 列，格式 YYYYMMDD_YYYYMMDD；CSV 文件至少需要两列）。留空：所有相邻日期组成的像对。

去除地形相位：高程 h 在干涉图中产生 -4 pi/lambda * (Bperp_sec - Bperp_ref) * h / (R sin theta) 的相位；利用 DEM 高程（米）、影像栈中记录的各日期垂直基线（米）和成像几何将其去除。DEM 取自 DEM 参数，留空时使用 minesar:buildstack 记录的 DEM；DEM 必须与影像栈位于同一格网（尺寸和坐标系相同）。剩余部分为形变、大气和 DEM 误差。

多视：将 LOOKS_RANGE 列 x LOOKS_AZIMUTH 行的复数值求和；输出格网为输入格网整除视数的结果，像元尺寸乘以视数。相干性 = |sum ref conj(sec)| / sqrt(sum |ref|^2 sum |sec|^2)，在 COHERENCE_WINDOW x COHERENCE_WINDOW 个输出像元的矩形窗口内，由多视但未滤波的数据计算（在去除地形相位和斜坡之后）。去除斜坡：对每幅干涉图拟合相位平面（平均相位梯度）并将其去除（图像中心处为零）。Goldstein 滤波（Goldstein and Werner 1998）：32 x 32 输出像元的分块，相互重叠一半，频谱经 3 x 3 平滑后取 GOLDSTEIN_ALPHA 次幂（0 = 不滤波，典型值 0.5），采用三角权重拼接。

输出（自描述 GeoTIFF，每个像对一个波段，波段名为 REF_SEC，带有 REF_DATE、SEC_DATE、BPERP_M（Bperp_sec - Bperp_ref，米）和 BTEMP_DAYS）：缠绕相位（MINESAR_KIND=wrapped，弧度）、相干性（MINESAR_KIND=coherence，0-1）、所有像对的平均相干性（MINESAR_KIND=mean_coherence），以及全分辨率的振幅离差 D_A = sigma_A / mu_A（基于全部日期，第 1 波段，样本标准差）和平均振幅（第 2 波段），用于 PS 点选取（Ferretti et al. 2001）（MINESAR_KIND=amplitude_dispersion）。</translation>
    </message>
    <message>
      <source>Foundation tilt of a structure from two InSAR points A and B: tilt(t) = (d_B(t) − d_A(t)) / distance, dimensionless (mm converted to m), with d_A, d_B the displacements (mm) relative to the first date and distance the horizontal distance A–B in metres (ellipsoidal for geographic CRSs). Negative tilt: B subsided more than A. Study B: cooling tower A1/A2 31.46 m apart, tilt −0.0005 (d_B − d_A = −15.7 mm).

INPUT is a time-series raster (values at POINT_A/POINT_B by bilinear interpolation) or a PS point layer with DYYYYMMDD fields: give ID_FIELD with ID_A and ID_B, or POINT_A/POINT_B to take the nearest PS. Values are LOS unless VERTICAL (LOS / cos incidence; a PS layer whose COMPONENT field is vertical is not converted again).

Outputs: a table DATE, D_A_MM, D_B_MM, DIFF_MM (= D_B − D_A), TILT; MAX_TILT (the tilt of largest magnitude, with its sign) and its date, DISTANCE_M; and a PNG plot.

Reference: tilt (angular distortion) = differential settlement / distance, Burland &amp; Wroth (1974), Settlement of buildings and associated damage; the Huaibei study's cooling tower A1/A2 (−0.0005 over 31.46 m).</source>
      <translation>由两个 InSAR 点 A 和 B 计算建（构）筑物基础倾斜：tilt(t) = (d_B(t) − d_A(t)) / distance，无量纲（毫米换算为米），其中 d_A、d_B 为相对于第一个日期的形变（毫米），distance 为 A–B 的水平距离（米；地理坐标参考系下按椭球计算）。倾斜为负：B 的沉降大于 A。研究 B：冷却塔 A1/A2 相距 31.46 米，倾斜 −0.0005（d_B − d_A = −15.7 毫米）。

INPUT 为时间序列栅格（在 POINT_A/POINT_B 处双线性插值取值）或带 DYYYYMMDD 字段的 PS 点图层：提供 ID_FIELD 以及 ID_A 和 ID_B，或提供 POINT_A/POINT_B 以选取最近的 PS。除非选择 VERTICAL（LOS / cos 入射角；COMPONENT 字段为 vertical 的 PS 点图层不再重复转换），数值为视线向。

输出：包含 DATE、D_A_MM、D_B_MM、DIFF_MM（= D_B − D_A）、TILT 的表；MAX_TILT（绝对值最大的倾斜，带符号）及其日期、DISTANCE_M；以及一张 PNG 图。

参考文献：倾斜（角变形）= 差异沉降 / 距离，Burland &amp; Wroth（1974），Settlement of buildings and associated damage；淮北研究中冷却塔 A1/A2 的实例（31.46 m 内倾斜 −0.0005）。</translation>
    </message>
    <message>
      <source>Fraction of building and road pixels that are persistent scatterers (empty = preset)</source>
      <translation>建筑物和道路像元中永久散射体所占比例（留空 = 预设值）</translation>
    </message>
    <message>
      <source>Geocode from radar geometry (lookup rasters)</source>
      <translation>从雷达几何地理编码（查找表栅格）</translation>
    </message>
    <message>
      <source>Geocoded raster</source>
      <translation>地理编码后的栅格</translation>
    </message>
    <message>
      <source>Geocoded time series (mm, WGS84)</source>
      <translation>地理编码后的时间序列（mm，WGS84）</translation>
    </message>
    <message>
      <source>Geocoded velocity (mm/yr, WGS84)</source>
      <translation>地理编码后的速率（mm/yr，WGS84）</translation>
    </message>
    <message>
      <source>Geocoded {} band(s) onto {} x {} cells of about {:.2f} m; {:.1f} % of the cells hold data</source>
      <translation>已将 {} 个波段地理编码到 {} x {} 个约 {:.2f} m 的格元；{:.1f} % 的格元有数据</translation>
    </message>
    <message>
      <source>Geocodes a MineSAR raster in radar geometry (rows = azimuth lines, columns = range samples, no map georeferencing) onto a regular map grid: time series (mm), velocity (mm/yr), DEM error (m), coherence, wrapped or unwrapped pair stacks (rad), every band. This is the last step of study A (geocode from slant-range geometry to WGS84 at the processing resolution, ENVI product).

LATITUDE and LONGITUDE are lookup rasters giving, for every pixel of the radar grid, the WGS84 geodetic latitude and longitude of the pixel centre in decimal degrees: north and east positive, latitude in [-90, 90], longitude in [-180, 180] (e.g. ISCE lat.rdr/lon.rdr, MintPy geometryRadar latitude/longitude, SNAP latitude/longitude bands). One float band each; NaN or the band's no-data value marks pixels without a position. They may be on the INPUT's grid or on the full-resolution SLC grid of multilooked data (integer multiples, or the INPUT's LOOKS_RANGE x LOOKS_AZIMUTH): they are then block-averaged to the data grid, as the log says.

Method: inverse mapping with GDAL geolocation arrays (GDAL RFC 4; pixel-centre convention): for every output cell GDAL finds the fractional radar row and column whose lookup position is the cell centre and samples the data there (RESAMPLING nearest or bilinear), as ISCE geocode and MintPy geocode.py do. Wrapped phase, connected components, masks and SLCs are always resampled with the nearest neighbour. Cells outside the radar swath are NaN.

TARGET_CRS defaults to EPSG:4326 (WGS84); any CRS may be chosen (e.g. UTM, or CGCS2000 EPSG:4490). RESOLUTION is the cell size in TARGET_CRS units (degrees for a geographic CRS, metres for UTM); 0 = the processing resolution: square ground cells as large as the finer of the data's range and azimuth pixel spacings measured from the lookup rasters, converted to degrees at the scene centre. The grid is aligned on multiples of the cell size, so products geocoded separately overlay exactly.

The output keeps the input's MineSAR metadata (MINESAR_KIND, UNITS, geometry, band dates or pairs, DATE_LIST), so every later stage accepts it; REF_ROW/REF_COL are moved to the geocoded grid (RADAR_REF_ROW/RADAR_REF_COL keep the radar ones, REF_LAT/REF_LON the position) and GEOCODED=lookup is added. FORMAT GTiff writes a tiled DEFLATE GeoTIFF; ENVI writes the data file (.img; another extension is replaced by .img) with an ENVI .hdr header and a .aux.xml file holding the metadata for GDAL and QGIS. Nothing is written when the run fails or is cancelled. Warping uses at most MEMORY_MB.

References: GDAL RFC 4, Geolocation arrays; Rosen et al. (2012), the InSAR Scientific Computing Environment (ISCE); Yunjun, Fattahi and Amelung (2019), Small baseline InSAR time series analysis: unwrapping error correction and noise reduction, Computers &amp; Geosciences (MintPy).</source>
      <translation>将雷达几何（行 = 方位向，列 = 距离向，无地图地理参考）下的 MineSAR 栅格地理编码到规则的地图格网：时间序列（mm）、速率（mm/yr）、DEM 误差（m）、相干系数、缠绕或解缠干涉对堆栈（rad），处理全部波段。这是研究 A 的最后一步（以处理分辨率从斜距几何地理编码到 WGS84，产品为 ENVI 格式）。

LATITUDE 和 LONGITUDE 为查找表栅格，对雷达格网的每个像元给出像元中心的 WGS84 大地纬度和经度（十进制度）：北纬和东经为正，纬度在 [-90, 90] 内，经度在 [-180, 180] 内（例如 ISCE 的 lat.rdr/lon.rdr、MintPy geometryRadar 中的 latitude/longitude、SNAP 的 latitude/longitude 波段）。各为一个浮点波段；NaN 或波段的无数据值表示该像元没有位置。它们可以与 INPUT 位于同一格网，也可以是多视数据对应的全分辨率 SLC 格网（尺寸为整数倍，或等于 INPUT 的 LOOKS_RANGE x LOOKS_AZIMUTH）：此时按块平均到数据格网，并在日志中说明。

方法：利用 GDAL 地理定位数组（GDAL RFC 4；像元中心约定）进行逆向映射：对每个输出格元，GDAL 求出其查找表位置等于该格元中心的雷达行列号（含小数），并在该处对数据采样（RESAMPLING 为最近邻或双线性），与 ISCE geocode 和 MintPy geocode.py 的做法相同。缠绕相位、连通分量、掩膜和 SLC 始终使用最近邻重采样。雷达成像带以外的格元为 NaN。

TARGET_CRS 默认为 EPSG:4326（WGS84），也可选择任意坐标参考系（例如 UTM，或 CGCS2000 EPSG:4490）。RESOLUTION 为以 TARGET_CRS 单位表示的格元大小（地理坐标系为度，UTM 为米）；0 = 处理分辨率：地面上的正方形格元，边长等于由查找表量测的数据距离向与方位向像元间距中较小者，并在场景中心换算为度。格网对齐到格元大小的整数倍，因此分别地理编码的产品可以精确叠加。

输出保留输入的 MineSAR 元数据（MINESAR_KIND、UNITS、几何参数、波段日期或干涉对、DATE_LIST），因此后续各步骤均可直接使用；REF_ROW/REF_COL 被换算到地理编码后的格网（RADAR_REF_ROW/RADAR_REF_COL 保留雷达格网中的值，REF_LAT/REF_LON 保存其位置），并添加 GEOCODED=lookup。FORMAT 为 GTiff 时写出分块 DEFLATE 压缩的 GeoTIFF；为 ENVI 时写出数据文件（.img；其他扩展名替换为 .img）、ENVI .hdr 头文件以及为 GDAL 和 QGIS 保存元数据的 .aux.xml 文件。运行失败或被取消时不写出任何文件。重采样最多使用 MEMORY_MB 内存。

参考文献：GDAL RFC 4，地理定位数组（Geolocation arrays）；Rosen 等（2012），InSAR 科学计算环境（ISCE）；Yunjun、Fattahi 和 Amelung（2019），Small baseline InSAR time series analysis: unwrapping error correction and noise reduction，Computers &amp; Geosciences（MintPy）。</translation>
    </message>
    <message>
      <source>Goldstein filter exponent (0 = no filter)</source>
      <translation>Goldstein 滤波指数（0 = 不滤波）</translation>
    </message>
    <message>
      <source>HTML files (*.html)</source>
      <translation>HTML 文件 (*.html)</translation>
    </message>
    <message>
      <source>Half-width across the line (m); 0 = bilinear</source>
      <translation>垂直于剖面线的半宽（米）；0 = 双线性插值</translation>
    </message>
    <message>
      <source>Heading, clockwise from north (degrees)</source>
      <translation>航向角，自北顺时针（度）</translation>
    </message>
    <message>
      <source>Heading, clockwise from north (degrees; empty = from the raster metadata, else -12)</source>
      <translation>航向角，自北顺时针（度；留空 = 取自栅格元数据，否则为 -12）</translation>
    </message>
    <message>
      <source>Horizontal distance A–B (m)</source>
      <translation>A–B 水平距离（米）</translation>
    </message>
    <message>
      <source>Horizontal rectangles (dip 0)</source>
      <translation>水平矩形（倾角 0）</translation>
    </message>
    <message>
      <source>ID_FIELD: choose the PS id field of INPUT</source>
      <translation>ID_FIELD：请选择 INPUT 的 PS 编号字段</translation>
    </message>
    <message>
      <source>ID_FIELD: choose the benchmark id field</source>
      <translation>ID_FIELD：请选择水准点编号字段</translation>
    </message>
    <message>
      <source>INCIDENCE: must be in [0, 90) degrees, got {}</source>
      <translation>INCIDENCE：必须位于 [0, 90) 度之间，实际为 {}</translation>
    </message>
    <message>
      <source>INPUT: give a raster or a point layer</source>
      <translation>INPUT：请提供栅格或点图层</translation>
    </message>
    <message>
      <source>INPUT: no layer given</source>
      <translation>INPUT：未提供图层</translation>
    </message>
    <message>
      <source>INPUT: no raster layer given</source>
      <translation>INPUT：未提供栅格图层</translation>
    </message>
    <message>
      <source>INPUT: the PS values are already vertical (COMPONENT=vertical); no LOS-to-vertical conversion</source>
      <translation>INPUT：PS 数值已是垂直向（COMPONENT=vertical），不再进行视线向到垂直向的转换</translation>
    </message>
    <message>
      <source>INPUT: the point layer has no DYYYYMMDD time-series fields</source>
      <translation>INPUT：该点图层没有 DYYYYMMDD 时间序列字段</translation>
    </message>
    <message>
      <source>INPUT_FOLDER: give a folder or INPUT_FILES</source>
      <translation>INPUT_FOLDER：请给出文件夹或 INPUT_FILES</translation>
    </message>
    <message>
      <source>INSAR: give a raster or a point layer</source>
      <translation>INSAR：请提供栅格或点图层</translation>
    </message>
    <message>
      <source>INSAR: no layer given</source>
      <translation>INSAR：未提供图层</translation>
    </message>
    <message>
      <source>Id of PS A</source>
      <translation>PS A 的编号</translation>
    </message>
    <message>
      <source>Id of PS B</source>
      <translation>PS B 的编号</translation>
    </message>
    <message>
      <source>Import unwrapped interferograms</source>
      <translation>导入解缠干涉图</translation>
    </message>
    <message>
      <source>InSAR LOS (mm)</source>
      <translation>InSAR 视线向形变（毫米）</translation>
    </message>
    <message>
      <source>InSAR data: {}</source>
      <translation>InSAR 数据：{}</translation>
    </message>
    <message>
      <source>InSAR raster already vertical (COMPONENT=vertical): no conversion</source>
      <translation>InSAR 栅格已是垂直形变（COMPONENT=vertical）：不再转换</translation>
    </message>
    <message>
      <source>InSAR time-series or velocity raster, or PS point layer</source>
      <translation>InSAR 时间序列或速率栅格，或 PS 点图层</translation>
    </message>
    <message>
      <source>InSAR value at a benchmark</source>
      <translation>水准点处的 InSAR 取值方式</translation>
    </message>
    <message>
      <source>InSAR value at a benchmark: {}; distances in metres.</source>
      <translation>水准点处的 InSAR 取值：{}；距离单位为米。</translation>
    </message>
    <message>
      <source>InSAR vertical (mm)</source>
      <translation>InSAR 垂直形变（毫米）</translation>
    </message>
    <message>
      <source>InSAR vs leveling (1:1)</source>
      <translation>InSAR 与水准对比（1:1）</translation>
    </message>
    <message>
      <source>Incidence angle (degrees)</source>
      <translation>入射角（度）</translation>
    </message>
    <message>
      <source>Incidence angle (degrees); empty = raster metadata</source>
      <translation>入射角（度）；留空 = 使用栅格元数据</translation>
    </message>
    <message>
      <source>Incidence angle (degrees; empty = from the raster metadata, else 39)</source>
      <translation>入射角（度；留空 = 取自栅格元数据，否则为 39）</translation>
    </message>
    <message>
      <source>Input format</source>
      <translation>输入格式</translation>
    </message>
    <message>
      <source>Input is vertical displacement</source>
      <translation>输入为垂直位移</translation>
    </message>
    <message>
      <source>Input values</source>
      <translation>输入数值个数</translation>
    </message>
    <message>
      <source>Interferogram files</source>
      <translation>干涉图文件</translation>
    </message>
    <message>
      <source>Interferograms (multilook, coherence, topography, Goldstein)</source>
      <translation>干涉图（多视、相干性、地形相位、Goldstein 滤波）</translation>
    </message>
    <message>
      <source>Interferograms flagged by the closure check</source>
      <translation>闭合检验标记的干涉图数</translation>
    </message>
    <message>
      <source>Inverts a stack of unwrapped interferograms (MINESAR_KIND=unwrapped, radians, one band per pair YYYYMMDD_YYYYMMDD, e.g. from Phase unwrapping or Import unwrapped interferograms) into a displacement time series and a mean velocity with the small-baseline subset method.

Method: minimum-norm velocity SVD (Berardino et al. 2002): the unknowns are the mean velocities between consecutive dates, solved with the pseudo-inverse of the pair network and integrated in time, so several disconnected subsets are bridged. Optional weights as MintPy: no (plain SVD), coh (coherence), fim (Fisher information) or var (inverse phase variance from coherence and looks). Per pixel only interferograms with phase and coherence &gt;= COHERENCE_THRESHOLD are used; a pixel needs MIN_COHERENT_FRACTION of the interferograms and MIN_REDUNDANCY interferograms per date. The reference point (or the stack's REF_ROW/REF_COL, or an automatic choice by coherence, stated in the log) is subtracted before the inversion. The DEM error (Fattahi and Amelung 2013) is fitted from the perpendicular baselines together with a quadratic deformation model and removed. With the atmospheric filter, a first inversion gives a linear rate; its residual is high-passed in time (ATMO_TEMPORAL_DAYS, default 365) and low-passed in space (ATMO_SPATIAL_M, default 1600 m) to estimate the atmosphere; a second inversion gives the final rate and time series. Temporal coherence (Pepe and Lanari 2006) and the RMS of the network residual measure the fit.

Units and signs: time series in mm (first date = 0, relative to the reference), velocity in mm/yr (365.25-day years), DEM error in m (positive = true surface above the DEM). Displacement is d = -wavelength/(4 pi) x phase x 1000, positive toward the satellite: subsidence is negative. VERTICAL divides LOS values by cos(incidence), assuming purely vertical motion.

Large stacks are processed in row blocks within MEMORY_MB.</source>
      <translation>将解缠干涉图堆栈（MINESAR_KIND=unwrapped，单位为弧度，每个波段对应一个干涉对 YYYYMMDD_YYYYMMDD，例如来自“相位解缠”或“导入解缠干涉图”）用小基线集（SBAS）方法反演为形变时间序列和平均形变速率。

方法：最小范数速率 SVD（Berardino 等，2002）：未知数为相邻两期之间的平均速率，用干涉对网络的伪逆求解并对时间积分，因此可以连接多个互不相连的子集。可选权重与 MintPy 相同：no（普通 SVD）、coh（相干系数）、fim（Fisher 信息）或 var（由相干系数和视数计算的相位方差的倒数）。每个像元只使用有相位且相干系数 &gt;= COHERENCE_THRESHOLD 的干涉图；像元至少需要 MIN_COHERENT_FRACTION 比例的干涉图，且每一期至少有 MIN_REDUNDANCY 幅可用干涉图。反演前减去参考点的相位（参考点可以是给定的点、堆栈的 REF_ROW/REF_COL，或按相干系数自动选择，选择结果写入日志）。DEM 误差（Fattahi 和 Amelung，2013）由垂直基线与二次形变模型一起拟合后去除。启用大气滤波时，第一次反演得到线性速率；其残差经时间高通滤波（ATMO_TEMPORAL_DAYS，默认 365 天）和空间低通滤波（ATMO_SPATIAL_M，默认 1600 m）得到大气相位估计；第二次反演给出最终的速率和时间序列。时间相干性（Pepe 和 Lanari，2006）和网络残差的均方根衡量拟合质量。

单位和符号：时间序列单位为 mm（第一期为 0，相对于参考点），速率单位为 mm/yr（一年按 365.25 天计），DEM 误差单位为 m（正值表示真实地表高于 DEM）。形变 d = -波长/(4 pi) x 相位 x 1000，朝向卫星为正：沉降为负值。VERTICAL 假设纯垂直运动，将视线向数值除以 cos(入射角)。

大型堆栈在 MEMORY_MB 内按行分块处理。</translation>
    </message>
    <message>
      <source>LINE: multi-part line; only its first part is used</source>
      <translation>LINE：多部件线，仅使用其第一部分</translation>
    </message>
    <message>
      <source>LINE: no line layer given</source>
      <translation>LINE：未提供线图层</translation>
    </message>
    <message>
      <source>LINE: the layer has no line with at least two vertices</source>
      <translation>LINE：该图层中没有至少包含两个顶点的线</translation>
    </message>
    <message>
      <source>LOS converted to vertical: d_vert = d_los / cos({:g}°) (× {:.5f})</source>
      <translation>视线向（LOS）形变转换为垂直形变：d_vert = d_los / cos({:g}°)（× {:.5f}）</translation>
    </message>
    <message>
      <source>LOS displacement (mm)</source>
      <translation>视线向位移（mm）</translation>
    </message>
    <message>
      <source>LOS unit vector, east component (raster, optional)</source>
      <translation>视线单位矢量东分量（栅格，可选）</translation>
    </message>
    <message>
      <source>LOS unit vector, north component (raster, optional)</source>
      <translation>视线单位矢量北分量（栅格，可选）</translation>
    </message>
    <message>
      <source>LOS unit vector, up component (raster, optional)</source>
      <translation>视线单位矢量垂直分量（栅格，可选）</translation>
    </message>
    <message>
      <source>LOS velocity (mm/yr)</source>
      <translation>视线向速率（mm/yr）</translation>
    </message>
    <message>
      <source>LOS_E: give all three LOS rasters or none</source>
      <translation>LOS_E：请同时给出三个视线分量栅格，或一个都不给</translation>
    </message>
    <message>
      <source>Land cover</source>
      <translation>地表覆盖</translation>
    </message>
    <message>
      <source>Largest centre depth (m, 0 = half the data extent)</source>
      <translation>最大中心深度（m，0 = 数据范围的一半）</translation>
    </message>
    <message>
      <source>Largest length and width (m, 0 = half the data extent)</source>
      <translation>最大长度与宽度（m，0 = 数据范围的一半）</translation>
    </message>
    <message>
      <source>Largest |opening| or |slip| (m)</source>
      <translation>最大 |张开量| 或 |滑动量|（m）</translation>
    </message>
    <message>
      <source>Latitude lookup raster (degrees, WGS84)</source>
      <translation>纬度查找表栅格（度，WGS84）</translation>
    </message>
    <message>
      <source>Latitude lookup raster of the SLC grid (degrees); empty = no geocoding</source>
      <translation>SLC 格网的纬度查找表栅格（度）；留空 = 不进行地理编码</translation>
    </message>
    <message>
      <source>Leveling</source>
      <translation>水准</translation>
    </message>
    <message>
      <source>Leveling (mm)</source>
      <translation>水准（毫米）</translation>
    </message>
    <message>
      <source>Leveling benchmarks (points)</source>
      <translation>水准点（点图层）</translation>
    </message>
    <message>
      <source>Leveling end date (YYYYMMDD)</source>
      <translation>水准测量结束日期（YYYYMMDD）</translation>
    </message>
    <message>
      <source>Leveling start date (YYYYMMDD)</source>
      <translation>水准测量起始日期（YYYYMMDD）</translation>
    </message>
    <message>
      <source>Longitude lookup raster (degrees, WGS84)</source>
      <translation>经度查找表栅格（度，WGS84）</translation>
    </message>
    <message>
      <source>Longitude lookup raster of the SLC grid (degrees)</source>
      <translation>SLC 格网的经度查找表栅格（度）</translation>
    </message>
    <message>
      <source>Looks in azimuth (rows)</source>
      <translation>方位向视数（行）</translation>
    </message>
    <message>
      <source>Looks in range (columns)</source>
      <translation>距离向视数（列）</translation>
    </message>
    <message>
      <source>MAE = mean |DIFF|</source>
      <translation>平均绝对误差 MAE = mean |DIFF|</translation>
    </message>
    <message>
      <source>MAE without excluded/outlier benchmarks (mm)</source>
      <translation>剔除受扰动/异常水准点后的 MAE（毫米）</translation>
    </message>
    <message>
      <source>MAE, all benchmarks (mm)</source>
      <translation>平均绝对误差 MAE，全部水准点（毫米）</translation>
    </message>
    <message>
      <source>MASTER_DATE is only used in star mode; ignored.</source>
      <translation>MASTER_DATE 仅在星型模式中使用；已忽略。</translation>
    </message>
    <message>
      <source>MCMC iterations</source>
      <translation>MCMC 迭代次数</translation>
    </message>
    <message>
      <source>Manifest CSV</source>
      <translation>清单 CSV</translation>
    </message>
    <message>
      <source>Manifest CSV (date,path,bperp_m)</source>
      <translation>清单 CSV（date,path,bperp_m）</translation>
    </message>
    <message>
      <source>Master date (star mode)</source>
      <translation>主影像日期（星型模式）</translation>
    </message>
    <message>
      <source>Maximum arc length (m)</source>
      <translation>最大弧段长度（m）</translation>
    </message>
    <message>
      <source>Maximum number of pairs per date (0 = no cap)</source>
      <translation>每个日期的最多干涉对数（0 = 不限制）</translation>
    </message>
    <message>
      <source>Maximum perpendicular baseline (% of the critical baseline)</source>
      <translation>最大垂直基线（临界基线的 %）</translation>
    </message>
    <message>
      <source>Maximum perpendicular baseline (% of the critical baseline, 0 = no limit)</source>
      <translation>最大垂直基线（占临界基线的 %，0 = 不限制）</translation>
    </message>
    <message>
      <source>Maximum perpendicular baseline (m, 0 = no limit)</source>
      <translation>最大垂直基线（m，0 = 不限制）</translation>
    </message>
    <message>
      <source>Maximum temporal baseline (days, 0 = no limit)</source>
      <translation>最大时间基线（天，0 = 不限制）</translation>
    </message>
    <message>
      <source>Maximum temporal baseline (days, inclusive)</source>
      <translation>最大时间基线（天，含边界值）</translation>
    </message>
    <message>
      <source>Mean coherence</source>
      <translation>平均相干性</translation>
    </message>
    <message>
      <source>Mean coherence per band of {}</source>
      <translation>计算 {} 各波段的平均相干性</translation>
    </message>
    <message>
      <source>Measured cumulative displacement field (mm); empty = DYYYYMMDD fields</source>
      <translation>实测累计形变字段（毫米）；留空 = 使用 DYYYYMMDD 字段</translation>
    </message>
    <message>
      <source>Median network residual RMS (mm)</source>
      <translation>网络残差均方根中值（mm）</translation>
    </message>
    <message>
      <source>Median temporal coherence</source>
      <translation>时间相干性中值</translation>
    </message>
    <message>
      <source>Memory budget for block processing (MiB)</source>
      <translation>分块处理的内存预算（MiB）</translation>
    </message>
    <message>
      <source>Method</source>
      <translation>方法</translation>
    </message>
    <message>
      <source>MineSAR</source>
      <translation>MineSAR</translation>
    </message>
    <message>
      <source>MineSAR Okada source fit</source>
      <translation>MineSAR Okada 源参数反演</translation>
    </message>
    <message>
      <source>MineSAR could not load {}:
{}</source>
      <translation>MineSAR 无法加载 {}：
{}</translation>
    </message>
    <message>
      <source>MineSAR needs the Python package numba (Debian: python3-numba).</source>
      <translation>MineSAR 需要 Python 包 numba（Debian：python3-numba）。</translation>
    </message>
    <message>
      <source>MineSAR time series</source>
      <translation>MineSAR 时间序列</translation>
    </message>
    <message>
      <source>MineSAR — InSAR monitoring of mining subsidence</source>
      <translation>MineSAR — 矿区沉陷 InSAR 监测</translation>
    </message>
    <message>
      <source>MineSAR — InSAR vs leveling</source>
      <translation>MineSAR — InSAR 与水准对比验证</translation>
    </message>
    <message>
      <source>Minimum arc ensemble coherence</source>
      <translation>弧段最小整体相干性</translation>
    </message>
    <message>
      <source>Minimum fraction of usable interferograms per pixel</source>
      <translation>每个像元可用干涉图的最小比例</translation>
    </message>
    <message>
      <source>Minimum mean coherence of a pair</source>
      <translation>干涉对的最小平均相干性</translation>
    </message>
    <message>
      <source>Minimum number of pairs per date</source>
      <translation>每个日期的最少像对数</translation>
    </message>
    <message>
      <source>Minimum number of pairs per date (0 = no minimum)</source>
      <translation>每个日期的最少干涉对数（0 = 不限制）</translation>
    </message>
    <message>
      <source>Minimum temporal coherence of a PS</source>
      <translation>PS 的最小时间相干性</translation>
    </message>
    <message>
      <source>Minimum usable interferograms per date</source>
      <translation>每期最少可用干涉图数</translation>
    </message>
    <message>
      <source>Minimum velocity (mm/yr)</source>
      <translation>最小形变速率（mm/yr）</translation>
    </message>
    <message>
      <source>Model (mm)</source>
      <translation>模型（mm）</translation>
    </message>
    <message>
      <source>Modelled points</source>
      <translation>模型计算点</translation>
    </message>
    <message>
      <source>Most negative LOS displacement (mm)</source>
      <translation>最大负视线向位移（mm）</translation>
    </message>
    <message>
      <source>Most negative LOS displacement {:.2f} mm</source>
      <translation>最大负视线向位移 {:.2f} mm</translation>
    </message>
    <message>
      <source>Most quadtree samples (automatic threshold)</source>
      <translation>四叉树最大样本数（自动阈值）</translation>
    </message>
    <message>
      <source>N (benchmark comparisons with an InSAR value)</source>
      <translation>N（有 InSAR 值的水准点对比数）</translation>
    </message>
    <message>
      <source>NO</source>
      <translation>否</translation>
    </message>
    <message>
      <source>Network mode</source>
      <translation>网络模式</translation>
    </message>
    <message>
      <source>Network plot (PNG)</source>
      <translation>网络图（PNG）</translation>
    </message>
    <message>
      <source>No time series here.</source>
      <translation>此处没有时间序列。</translation>
    </message>
    <message>
      <source>No-data value of the inputs</source>
      <translation>输入数据的无效值</translation>
    </message>
    <message>
      <source>Noise model</source>
      <translation>噪声模型</translation>
    </message>
    <message>
      <source>Noise range (m, 0 = fit to the far field)</source>
      <translation>噪声变程（m，0 = 由远场拟合）</translation>
    </message>
    <message>
      <source>Noise sill (mm², 0 = fit to the far field)</source>
      <translation>噪声基台值（mm²，0 = 由远场拟合）</translation>
    </message>
    <message>
      <source>Noise-free (no speckle, no clutter)</source>
      <translation>无噪声（无相干斑、无杂波）</translation>
    </message>
    <message>
      <source>Number of PS</source>
      <translation>PS 数量</translation>
    </message>
    <message>
      <source>Number of acquisitions</source>
      <translation>影像数量</translation>
    </message>
    <message>
      <source>Number of comparisons without excluded/outlier benchmarks</source>
      <translation>剔除受扰动/异常水准点后的对比数量</translation>
    </message>
    <message>
      <source>Number of comparisons, all benchmarks</source>
      <translation>对比数量，全部水准点</translation>
    </message>
    <message>
      <source>Number of connected groups of dates</source>
      <translation>日期的连通组数</translation>
    </message>
    <message>
      <source>Number of dates (0 or empty = preset)</source>
      <translation>日期数量（0 或留空 = 预设值）</translation>
    </message>
    <message>
      <source>Number of interferograms</source>
      <translation>干涉图数量</translation>
    </message>
    <message>
      <source>Number of inverted pixels</source>
      <translation>已反演像元数</translation>
    </message>
    <message>
      <source>Number of pairs</source>
      <translation>干涉对数量</translation>
    </message>
    <message>
      <source>Number of pairs added outside the thresholds</source>
      <translation>超出阈值而添加的干涉对数</translation>
    </message>
    <message>
      <source>Number of rectangles (1-5)</source>
      <translation>矩形个数（1-5）</translation>
    </message>
    <message>
      <source>Number of stations</source>
      <translation>采样点数量</translation>
    </message>
    <message>
      <source>OUTPUT_ATMOSPHERE is not written: the atmospheric filter is off</source>
      <translation>未写出 OUTPUT_ATMOSPHERE：大气滤波已关闭</translation>
    </message>
    <message>
      <source>Observed and modelled profile through the sources</source>
      <translation>穿过各源的观测与模型剖面</translation>
    </message>
    <message>
      <source>Okada (1992) rectangular dislocations; quadtree, exponential noise covariance and Metropolis MCMC after Bagnardi &amp; Hooper (2018, GBIS). x east, y north, depth positive down, strike clockwise from north, opening negative for a closing seam.</source>
      <translation>Okada（1992）矩形位错；四叉树降采样、指数噪声协方差与 Metropolis MCMC 参照 Bagnardi &amp; Hooper（2018，GBIS）。x 向东，y 向北，深度向下为正，走向自北顺时针，闭合煤层的张开量为负。</translation>
    </message>
    <message>
      <source>Okada forward model (rectangular sources)</source>
      <translation>Okada 正演模型（矩形位错源）</translation>
    </message>
    <message>
      <source>Okada source fit</source>
      <translation>Okada 源参数反演</translation>
    </message>
    <message>
      <source>Okada source fit (Bayesian, with uncertainties)</source>
      <translation>Okada 源参数反演（贝叶斯方法，含不确定度）</translation>
    </message>
    <message>
      <source>Okada: MCMC iterations</source>
      <translation>Okada：MCMC 迭代次数</translation>
    </message>
    <message>
      <source>Okada: fit report</source>
      <translation>Okada：拟合报告</translation>
    </message>
    <message>
      <source>Okada: fitted rectangles</source>
      <translation>Okada：拟合的矩形源</translation>
    </message>
    <message>
      <source>Okada: horizontal rectangles (dip 0)</source>
      <translation>Okada：水平矩形源（倾角 0）</translation>
    </message>
    <message>
      <source>Okada: model (mm)</source>
      <translation>Okada：模型（mm）</translation>
    </message>
    <message>
      <source>Okada: number of rectangles (1-5)</source>
      <translation>Okada：矩形源个数（1-5）</translation>
    </message>
    <message>
      <source>Okada: random seed</source>
      <translation>Okada：随机种子</translation>
    </message>
    <message>
      <source>Okada: residual (mm)</source>
      <translation>Okada：残差（mm）</translation>
    </message>
    <message>
      <source>Open the MineSAR toolbox</source>
      <translation>打开 MineSAR 工具箱</translation>
    </message>
    <message>
      <source>Outlier arc rejection (robust sigmas, 0 = off)</source>
      <translation>异常弧段剔除（稳健标准差倍数，0 = 关闭）</translation>
    </message>
    <message>
      <source>Outlier benchmarks</source>
      <translation>异常水准点数</translation>
    </message>
    <message>
      <source>Outlier flag: |DIFF − median| &gt; 3 × 1.4826 × MAD; median = {} mm, MAD = {} mm, threshold = {} mm (median and MAD over the benchmarks with an InSAR value that are not excluded).</source>
      <translation>异常点判据：|DIFF − 中位数| &gt; 3 × 1.4826 × MAD；中位数 = {} 毫米，MAD = {} 毫米，阈值 = {} 毫米（中位数和 MAD 基于有 InSAR 值且未被剔除的水准点计算）。</translation>
    </message>
    <message>
      <source>Output folder</source>
      <translation>输出文件夹</translation>
    </message>
    <message>
      <source>Output format</source>
      <translation>输出格式</translation>
    </message>
    <message>
      <source>Output height (cells)</source>
      <translation>输出高度（格元数）</translation>
    </message>
    <message>
      <source>Output width (cells)</source>
      <translation>输出宽度（格元数）</translation>
    </message>
    <message>
      <source>PAIRS: the pairs table has no rows</source>
      <translation>PAIRS：像对表没有任何行</translation>
    </message>
    <message>
      <source>PNG images (*.png)</source>
      <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
      <source>POINT_A/POINT_B: a raster INPUT needs both points</source>
      <translation>POINT_A/POINT_B：栅格输入需要同时提供两个点</translation>
    </message>
    <message>
      <source>POINT_A/POINT_B: give two points, or ID_FIELD with ID_A and ID_B</source>
      <translation>POINT_A/POINT_B：请提供两个点，或提供 ID_FIELD 以及 ID_A 和 ID_B</translation>
    </message>
    <message>
      <source>POINT_B: POINT_A and POINT_B have the same nearest PS; give points near two different PS, or ID_A and ID_B</source>
      <translation>POINT_B：POINT_A 和 POINT_B 最近的 PS 是同一个；请给出靠近两个不同 PS 的点，或提供 ID_A 和 ID_B</translation>
    </message>
    <message>
      <source>PS candidate selection</source>
      <translation>PS 候选点选取方法</translation>
    </message>
    <message>
      <source>PS density (per km²)</source>
      <translation>PS 密度（每平方公里）</translation>
    </message>
    <message>
      <source>PS id field (point layer)</source>
      <translation>PS 编号字段（点图层）</translation>
    </message>
    <message>
      <source>PS points</source>
      <translation>PS 点</translation>
    </message>
    <message>
      <source>PS-InSAR (persistent scatterers)</source>
      <translation>PS-InSAR（永久散射体）</translation>
    </message>
    <message>
      <source>Pair network (SBAS / star)</source>
      <translation>干涉对网络（SBAS / 星型）</translation>
    </message>
    <message>
      <source>Pairs table</source>
      <translation>干涉对表</translation>
    </message>
    <message>
      <source>Pairs table (REF_DATE, SEC_DATE); empty = consecutive pairs</source>
      <translation>像对表（REF_DATE、SEC_DATE）；留空 = 相邻日期像对</translation>
    </message>
    <message>
      <source>Parameters (posterior mean, standard deviation, 95 % interval, best fit)</source>
      <translation>参数（后验均值、标准差、95 % 区间、最佳拟合）</translation>
    </message>
    <message>
      <source>Pearson r² (squared correlation coefficient)</source>
      <translation>Pearson r²（相关系数的平方）</translation>
    </message>
    <message>
      <source>Per benchmark (O = outlier, E = excluded, ∅ = no InSAR sample)</source>
      <translation>各水准点（O = 异常点，E = 已剔除，∅ = 无 InSAR 样本）</translation>
    </message>
    <message>
      <source>Periodogram DEM error search range (+/- m)</source>
      <translation>周期图 DEM 误差搜索范围（+/- m）</translation>
    </message>
    <message>
      <source>Periodogram velocity search range (+/- mm/yr)</source>
      <translation>周期图速度搜索范围（+/- mm/yr）</translation>
    </message>
    <message>
      <source>Persistent scatterer mask</source>
      <translation>永久散射体掩膜</translation>
    </message>
    <message>
      <source>Persistent-scatterer InSAR on a coregistered SLC stack (the VRT of buildstack), as in the Huaibei industrial-square study: single common master, PS candidate selection, Delaunay arc network with a periodogram per arc, weighted least-squares integration, atmospheric filtering and temporal coherence.

Master: MASTER_DATE (YYYYMMDD) or, when empty, the date with the smallest sum of normalised temporal and perpendicular baselines. The topographic phase of the DEM (DEM, else the stack's DEM) is removed from every single-master interferogram.

SELECTION: coherence = mean coherence of the single-master interferograms (boxcar of COHERENCE_WINDOW pixels over neighbours of similar mean amplitude) &gt;= COHERENCE_THRESHOLD (0.7); dispersion = amplitude dispersion D_A = std/mean of the amplitude &lt;= DISPERSION_THRESHOLD (0.6 as in the study; Ferretti et al. 2001 use 0.25, StaMPS 0.4); amplitude_dispersion = mean intensity 10*log10(mean |SLC|^2) in dB &gt;= AMPLITUDE_THRESHOLD (10.5 dB) then D_A; dual (default) = coherence first, then D_A.

Network: candidates with D_A &lt;= PRIMARY_DISPERSION (0.25) are joined by a Delaunay triangulation (arcs up to MAX_ARC_M metres). For every arc a periodogram over the velocity difference (mm/yr) and DEM-error difference (m) maximises the ensemble coherence (Ferretti et al. 2001); arcs below ARC_COHERENCE are dropped. Arc estimates are integrated by weighted least squares from the reference PS (REFERENCE, else a stable low-D_A PS chosen automatically), removing arcs whose residual exceeds OUTLIER_SIGMA robust standard deviations. The other candidates are linked to their nearest network PS. Residual phases are integrated on the network; the atmosphere is their temporal high-pass (ATMO_TIME_WINDOW days) and spatial low-pass (ATMO_SPACE_WINDOW m) and is removed; non-linear motion is kept. PS whose temporal coherence (Hooper et al. 2004) is below FINAL_COHERENCE are dropped.

Output: a point layer in the stack's CRS at pixel centres with CODE, VEL (mm/yr), V_STDEV (mm/yr), DEM_ERR (m, relative to the reference PS; positive = surface above the DEM), COH (temporal coherence), DA, AMP (mean amplitude, input units) and one DYYYYMMDD field per date (mm, first date = 0): the field convention of MintPy's QGIS export, EGMS and InSAR Explorer. Displacements are line-of-sight, positive toward the satellite (subsidence negative), relative to the reference PS; with VERTICAL they are divided by cos(incidence); the COMPONENT field says los or vertical (leveling and tilt read it and never convert twice). Interferogram = earlier date x conj(later date).

Fewer than 5 dates stop the run, fewer than 10 give a warning. If no pixel passes the thresholds the message names the threshold and the distribution of its values. A disconnected arc network is reported and the largest part is used.</source>
      <translation>对配准后的 SLC 堆栈（buildstack 生成的 VRT）进行永久散射体 InSAR 处理，流程与淮北工业广场研究一致：单一公共主影像、PS 候选点选取、带逐弧段周期图的 Delaunay 弧段网络、加权最小二乘积分、大气滤波和时间相干性。

主影像：MASTER_DATE（YYYYMMDD）；为空时自动选择归一化时间基线与垂直基线之和最小的日期。每幅单主影像干涉图都去除 DEM（DEM 参数，否则为堆栈记录的 DEM）的地形相位。

SELECTION：coherence = 单主影像干涉图的平均相干性（COHERENCE_WINDOW 像元的矩形窗口，只用平均幅度相近的邻域像元）&gt;= COHERENCE_THRESHOLD（0.7）；dispersion = 幅度离差 D_A = 幅度标准差/均值 &lt;= DISPERSION_THRESHOLD（与研究相同取 0.6；Ferretti 等 2001 用 0.25，StaMPS 用 0.4）；amplitude_dispersion = 平均强度 10*log10(mean |SLC|^2)（dB）&gt;= AMPLITUDE_THRESHOLD（10.5 dB），再按 D_A 筛选；dual（默认）= 先相干性，后 D_A。

网络：D_A &lt;= PRIMARY_DISPERSION（0.25）的候选点以 Delaunay 三角网相连（弧段最长 MAX_ARC_M 米）。对每条弧段，在速度差（mm/yr）和 DEM 误差差（m）上做周期图搜索，使整体相干性最大（Ferretti 等 2001）；低于 ARC_COHERENCE 的弧段被舍弃。弧段估计值从参考 PS（REFERENCE，否则自动选择稳定的低 D_A PS）出发用加权最小二乘积分到各点，残差超过 OUTLIER_SIGMA 倍稳健标准差的弧段被剔除。其余候选点与最近的网络 PS 相连。残余相位在网络上积分；其时间高通（ATMO_TIME_WINDOW 天）与空间低通（ATMO_SPACE_WINDOW 米）部分视为大气并被去除；非线性形变予以保留。时间相干性（Hooper 等 2004）低于 FINAL_COHERENCE 的 PS 被剔除。

输出：堆栈坐标系下、位于像元中心的点图层，字段为 CODE、VEL（mm/yr）、V_STDEV（mm/yr）、DEM_ERR（m，相对参考 PS；正值 = 地表高于 DEM）、COH（时间相干性）、DA、AMP（平均幅度，输入单位）以及每个日期一个 DYYYYMMDD 字段（mm，首日期 = 0）：这是 MintPy 的 QGIS 导出、EGMS 和 InSAR Explorer 的字段约定。位移为视线向，朝向卫星为正（沉降为负），相对参考 PS；勾选 VERTICAL 时除以 cos(入射角)；COMPONENT 字段标明 los 或 vertical（leveling 与 tilt 会读取该字段，不会重复转换）。干涉图 = 较早日期 x conj(较晚日期)。

日期少于 5 个时停止运行，少于 10 个时给出警告。若没有像元通过阈值，提示信息会指出是哪个阈值以及其数值分布。弧段网络不连通时给出报告，并在最大的连通部分上继续处理。</translation>
    </message>
    <message>
      <source>Phase sign (1 keeps the phase, -1 flips it)</source>
      <translation>相位符号（1 保持相位，-1 取反）</translation>
    </message>
    <message>
      <source>Phase unwrapping (minimum-cost flow)</source>
      <translation>相位解缠（最小费用流）</translation>
    </message>
    <message>
      <source>Pixel at {:.1f}, {:.1f}</source>
      <translation>像元位置 {:.1f}, {:.1f}</translation>
    </message>
    <message>
      <source>Plots</source>
      <translation>图表</translation>
    </message>
    <message>
      <source>Point A</source>
      <translation>点 A</translation>
    </message>
    <message>
      <source>Point B</source>
      <translation>点 B</translation>
    </message>
    <message>
      <source>Point {}</source>
      <translation>点 {}</translation>
    </message>
    <message>
      <source>Poisson's ratio</source>
      <translation>泊松比</translation>
    </message>
    <message>
      <source>Posterior marginals</source>
      <translation>后验边缘分布</translation>
    </message>
    <message>
      <source>Profile length (m)</source>
      <translation>剖面长度（米）</translation>
    </message>
    <message>
      <source>Profile line</source>
      <translation>剖面线</translation>
    </message>
    <message>
      <source>Profile line (optional)</source>
      <translation>剖面线（可选）</translation>
    </message>
    <message>
      <source>Profile plot</source>
      <translation>剖面图</translation>
    </message>
    <message>
      <source>Profile stations</source>
      <translation>剖面采样点</translation>
    </message>
    <message>
      <source>Quadtree samples</source>
      <translation>四叉树样本</translation>
    </message>
    <message>
      <source>Quadtree samples and fitted rectangles (local metric frame)</source>
      <translation>四叉树样本与拟合矩形（局部米制坐标）</translation>
    </message>
    <message>
      <source>Quadtree samples used</source>
      <translation>使用的四叉树样本数</translation>
    </message>
    <message>
      <source>Quadtree variance threshold (mm², 0 = automatic)</source>
      <translation>四叉树方差阈值（mm²，0 = 自动）</translation>
    </message>
    <message>
      <source>REFERENCE: the point ({}, {}) is outside the stack</source>
      <translation>REFERENCE：点 ({}, {}) 位于堆栈范围之外</translation>
    </message>
    <message>
      <source>RMS of the network residual (mm)</source>
      <translation>网络残差均方根（mm）</translation>
    </message>
    <message>
      <source>RMSE = √mean(DIFF²)</source>
      <translation>均方根误差 RMSE = √mean(DIFF²)</translation>
    </message>
    <message>
      <source>RMSE without excluded/outlier benchmarks (mm)</source>
      <translation>剔除受扰动/异常水准点后的 RMSE（毫米）</translation>
    </message>
    <message>
      <source>RMSE, all benchmarks (mm)</source>
      <translation>均方根误差 RMSE，全部水准点（毫米）</translation>
    </message>
    <message>
      <source>Radar wavelength (m)</source>
      <translation>雷达波长（m）</translation>
    </message>
    <message>
      <source>Random seed</source>
      <translation>随机种子</translation>
    </message>
    <message>
      <source>Range bandwidth (MHz, 0 = from the stack; Sentinel-1: 56.5)</source>
      <translation>距离向带宽（MHz，0 = 取自堆栈；Sentinel-1：56.5）</translation>
    </message>
    <message>
      <source>Raster band (0 = last band)</source>
      <translation>栅格波段（0 = 最后一个波段）</translation>
    </message>
    <message>
      <source>Raster in radar geometry</source>
      <translation>雷达几何下的栅格</translation>
    </message>
    <message>
      <source>Reduced chi-square</source>
      <translation>约化卡方</translation>
    </message>
    <message>
      <source>Reference column</source>
      <translation>参考点列号</translation>
    </message>
    <message>
      <source>Reference pixel: row {}, column {} ({})</source>
      <translation>参考像元：第 {} 行，第 {} 列（{}）</translation>
    </message>
    <message>
      <source>Reference pixel: row {}, column {}; {} interferogram(s) flagged by the closure check.</source>
      <translation>参考像元：第 {} 行，第 {} 列；闭合检验标记了 {} 幅干涉图。</translation>
    </message>
    <message>
      <source>Reference point (automatic if empty)</source>
      <translation>参考点（留空则自动选择）</translation>
    </message>
    <message>
      <source>Reference point (empty = automatic stable PS)</source>
      <translation>参考点（为空 = 自动选择稳定 PS）</translation>
    </message>
    <message>
      <source>Reference point (stable area)</source>
      <translation>参考点（稳定区域）</translation>
    </message>
    <message>
      <source>Reference row</source>
      <translation>参考点行号</translation>
    </message>
    <message>
      <source>Reference: study B (Huaibei industrial square): mean of all PS within 50 m of each of 35 benchmarks; RMSE 16.0 mm for all, 3.8 mm and R² 0.91 after removing 5 disturbed benchmarks.</source>
      <translation>参考：研究 B（淮北工业广场）：取 35 个水准点各自 50 米范围内全部 PS 的平均值；全部水准点 RMSE 为 16.0 毫米，剔除 5 个受扰动水准点后 RMSE 为 3.8 毫米，R² 为 0.91。</translation>
    </message>
    <message>
      <source>Regular date step in days (0 or empty = preset)</source>
      <translation>等间隔日期步长，单位天（0 或留空 = 预设值）</translation>
    </message>
    <message>
      <source>Remove a phase ramp (plane) per interferogram</source>
      <translation>逐幅干涉图去除相位斜坡（平面）</translation>
    </message>
    <message>
      <source>Remove topographic phase (needs a DEM)</source>
      <translation>去除地形相位（需要 DEM）</translation>
    </message>
    <message>
      <source>Repair a disconnected network (add labelled connecting pairs)</source>
      <translation>修复不连通的网络（添加带标注的连接干涉对）</translation>
    </message>
    <message>
      <source>Resampling</source>
      <translation>重采样方法</translation>
    </message>
    <message>
      <source>Residual</source>
      <translation>残差</translation>
    </message>
    <message>
      <source>Residual (mm)</source>
      <translation>残差（mm）</translation>
    </message>
    <message>
      <source>Residual histogram</source>
      <translation>残差直方图</translation>
    </message>
    <message>
      <source>Residual mean (mm)</source>
      <translation>残差均值（mm）</translation>
    </message>
    <message>
      <source>Residual standard deviation (mm)</source>
      <translation>残差标准差（mm）</translation>
    </message>
    <message>
      <source>Residual: mean {:.2f} mm, standard deviation {:.2f} mm</source>
      <translation>残差：均值 {:.2f} mm，标准差 {:.2f} mm</translation>
    </message>
    <message>
      <source>Rows (0 or empty = preset)</source>
      <translation>行数（0 或留空 = 预设值）</translation>
    </message>
    <message>
      <source>Run time</source>
      <translation>运行时间</translation>
    </message>
    <message>
      <source>R² (coefficient of determination of the 1:1 line) = 1 − Σ(ins−lev)² / Σ(lev−mean lev)²</source>
      <translation>R²（1:1 线的决定系数）= 1 − Σ(ins−lev)² / Σ(lev−mean lev)²</translation>
    </message>
    <message>
      <source>R² of the 1:1 line without excluded/outlier benchmarks</source>
      <translation>剔除受扰动/异常水准点后 1:1 线的决定系数 R²</translation>
    </message>
    <message>
      <source>R² of the 1:1 line, all benchmarks</source>
      <translation>1:1 线的决定系数 R²，全部水准点</translation>
    </message>
    <message>
      <source>SBAS time series and velocity</source>
      <translation>SBAS 时间序列与形变速率</translation>
    </message>
    <message>
      <source>SLC stack (VRT from Build SLC stack)</source>
      <translation>SLC 影像堆栈（“由清单构建 SLC 影像堆栈”生成的 VRT）</translation>
    </message>
    <message>
      <source>SLC stack (VRT)</source>
      <translation>SLC 影像堆栈（VRT）</translation>
    </message>
    <message>
      <source>SLC stack (dates and baselines)</source>
      <translation>SLC 堆栈（日期与基线）</translation>
    </message>
    <message>
      <source>SLC stack (from Build SLC stack)</source>
      <translation>SLC 影像栈（由“从清单构建 SLC 影像栈”生成）</translation>
    </message>
    <message>
      <source>SLC stack (from buildstack)</source>
      <translation>SLC 堆栈（由 buildstack 生成）</translation>
    </message>
    <message>
      <source>Samples a time-series raster (mm, one band per date) or a velocity raster (mm/yr) along a line, as the profile A1–A2 through both subsidence bowls of study C.

Stations are placed every STEP metres from the first vertex of the line (the first feature of LINE, or the first selected one), plus its end. BUFFER = 0: bilinear interpolation at each station. BUFFER &gt; 0: mean of the pixel centres within BUFFER metres of the line, each pixel assigned to the station nearest along the line (the mean across the line over one step). Distances are in metres in any CRS.

DATES: empty or 'all' = every date, 'last' = the last date, or a comma-separated list of YYYYMMDD inside the InSAR period (linear interpolation in time between acquisitions). Values are LOS (positive toward the satellite, subsidence negative) unless VERTICAL (LOS / cos incidence).

Outputs: points with DIST_M (m along the line), X, Y (line CRS), N_PIX and one field per date DYYYYMMDD (mm) or VEL (mm/yr), and a PNG plot of displacement along the profile per date.

Method: stations every STEP metres along the line, bilinear interpolation (Press et al. 2007, Numerical Recipes, §3.6) or the mean within BUFFER metres across the line; the Puhe study's profile A1–A2 through both bowls (MineSAR study C).</source>
      <translation>沿一条线对时间序列栅格（毫米，每个日期一个波段）或速率栅格（mm/yr）进行采样，如研究 C 中穿过两个沉降盆地的剖面 A1–A2。

从线的第一个顶点起每隔 STEP 米设置一个采样点（使用 LINE 的第一个要素或第一个选中的要素），并加上线的终点。BUFFER = 0：在每个采样点进行双线性插值。BUFFER &gt; 0：取距线 BUFFER 米以内的像元中心的平均值，每个像元归入沿线方向最近的采样点（即在一个步长范围内垂直于剖面线的平均）。距离在任何坐标参考系下均以米计。

DATES：留空或 'all' = 全部日期，'last' = 最后一个日期，或在 InSAR 时间段内以逗号分隔的 YYYYMMDD 列表（两次获取之间按时间线性插值）。除非选择 VERTICAL（LOS / cos 入射角），数值为视线向（朝向卫星为正，沉降为负）。

输出：包含 DIST_M（沿线距离，米）、X、Y（线的坐标参考系）、N_PIX 以及每个日期一个字段 DYYYYMMDD（毫米）或 VEL（mm/yr）的点，以及按日期绘制的沿剖面形变 PNG 图。

方法：沿剖面线每隔 STEP 米设一个采样站，采用双线性插值（Press 等 2007，Numerical Recipes，§3.6）或垂直于剖面线 BUFFER 米范围内的均值；对应蒲河研究中穿过两个沉陷盆地的剖面 A1–A2（MineSAR 研究案例 C）。</translation>
    </message>
    <message>
      <source>Scenario</source>
      <translation>场景</translation>
    </message>
    <message>
      <source>Scenario {}: {} dates {} to {}, {} x {} pixels of {} m, EPSG:{}</source>
      <translation>场景 {}：{} 个日期，从 {} 到 {}，{} x {} 像元，像元大小 {} m，EPSG:{}</translation>
    </message>
    <message>
      <source>Scene mean coherence</source>
      <translation>全景平均相干性</translation>
    </message>
    <message>
      <source>Search radius (m)</source>
      <translation>搜索半径（米）</translation>
    </message>
    <message>
      <source>Select a PS point layer or a time-series raster first.</source>
      <translation>请先选择 PS 点图层或时间序列栅格。</translation>
    </message>
    <message>
      <source>Sequential mode: number of following dates per date</source>
      <translation>顺序模式：每个日期连接的后续日期数</translation>
    </message>
    <message>
      <source>Sign of the opening</source>
      <translation>张开量的符号</translation>
    </message>
    <message>
      <source>Simulate a mining-subsidence SLC stack</source>
      <translation>模拟矿区沉陷 SLC 影像堆栈</translation>
    </message>
    <message>
      <source>Simulates a coregistered, geocoded SLC stack over a coal mine with known truth, to learn the MineSAR chain, to test it and to demonstrate it. Presets: tiny (64 x 64 pixels, 12 dates, for tests), puhe (Puhe coal mine, Shenyang: 42 dates 2018-01-11 to 2019-08-10, incidence 37.1 degrees, two bowls of about -157 and -193 mm), huaibei (Huaibei industrial square: 26 dates 2020-10-31 to 2022-08-22, common master 2021-03-12, dense PS on buildings, roads and a railway, karst collapse in the north-west) and muli (Muli open pit at about 4000 m: 54 dates 2018-01-12 to 2023-04-04 every 36 days, strong relief and stratified atmosphere). The grid is in the UTM zone of the site; the optional overrides change the size, the dates, the atmosphere, the DEM error, the coherence and the PS density (empty = preset).

Output folder: manifest.csv (date,path,bperp_m, perpendicular baselines in m relative to the first date; open it with 'Build SLC stack from manifest' using the geometry this algorithm reports), slc/YYYYMMDD.tif (CFloat32), dem.tif (the user's DEM, m), truth/ (LOS displacement per date in mm with the first date 0, LOS velocity in mm/yr from a linear fit, DEM error in m, PS mask, land cover, vertical displacement and velocity, atmospheric phase in rad) and scenario.json (all parameters and the calibrated Okada sources). The folder is filled only when everything is written.

Signs (as everywhere in MineSAR): SLC phase -4*pi*R/lambda, so a LOS displacement d toward the satellite adds +4*pi/lambda*d; interferogram = reference x conj(secondary) with the earlier date as reference; d_mm = -lambda/(4*pi) * unwrapped phase * 1000 is positive toward the satellite, and a subsiding pixel has negative values. A height h above the DEM adds -4*pi/lambda * (Bperp_sec - Bperp_ref) * h / (R sin(incidence)) to an interferogram; the SLCs carry the topographic phase of the true surface (DEM + DEM error).

Physics: distributed scatterers are circular-Gaussian vectors with a coherence matrix per land cover (exponential temporal decorrelation to a long-term coherence times the perpendicular-baseline decorrelation 1 - |dBperp|/Bcrit, Bcrit = lambda*R*tan(incidence)*bandwidth/c; Zebker and Villasenor 1992); persistent scatterers on buildings, roads and rails are bright and stable (amplitude dispersion below 0.3); water has no coherence. Atmosphere: turbulent delay with a -8/3 power-law spectrum plus a stratified term proportional to height (Hanssen 2001). Mining: each seam panel is a horizontal tensile rectangle closing behind an advancing working face (Okada 1985, 1992, or an analytic Knothe influence-function bowl when the Okada module is missing) with Knothe time functions; bowl depths are the maximum cumulative VERTICAL subsidence of the studies.</source>
      <translation>模拟一个矿区上空已配准、已地理编码的 SLC 影像堆栈，并给出已知的真值，用于学习、测试和演示 MineSAR 处理流程。预设场景：tiny（64 x 64 像元，12 个日期，用于测试）；puhe（沈阳蒲河煤矿：42 个日期，2018-01-11 至 2019-08-10，入射角 37.1 度，两个沉陷盆地，约 -157 mm 和 -193 mm）；huaibei（淮北工业广场：26 个日期，2020-10-31 至 2022-08-22，公共主影像 2021-03-12，建筑物、道路和铁路上分布密集的永久散射体，西北部有岩溶塌陷）；muli（海拔约 4000 m 的木里露天矿坑：54 个日期，2018-01-12 至 2023-04-04，每 36 天一景，地形起伏大，垂直分层大气强）。网格位于研究区所在的 UTM 带；可选的覆盖参数可修改尺寸、日期、大气、DEM 误差、相干性和永久散射体密度（留空 = 预设值）。

输出文件夹：manifest.csv（date,path,bperp_m，垂直基线单位 m，相对于第一个日期；请用“由清单构建 SLC 影像堆栈”并使用本算法输出的几何参数打开）、slc/YYYYMMDD.tif（CFloat32）、dem.tif（用户 DEM，单位 m）、truth/（各日期的视线向形变，单位 mm，第一个日期为 0；由线性拟合得到的视线向速率，单位 mm/yr；DEM 误差，单位 m；永久散射体掩膜；地表覆盖；垂直向形变与速率；大气相位，单位 rad）以及 scenario.json（全部参数和标定后的 Okada 源）。只有在全部内容写完之后，文件夹才会被填充。

符号约定（与 MineSAR 全部步骤一致）：SLC 相位为 -4*pi*R/lambda，因此朝向卫星的视线向形变 d 会增加 +4*pi/lambda*d；干涉图 = 参考影像 x conj(辅影像)，以较早日期为参考；d_mm = -lambda/(4*pi) * 解缠相位 * 1000 以朝向卫星为正，沉降像元为负值。高于 DEM 的高度 h 会给干涉图增加 -4*pi/lambda * (Bperp_sec - Bperp_ref) * h / (R sin(入射角))；SLC 携带真实地表（DEM + DEM 误差）的地形相位。

物理模型：分布式散射体为圆复高斯向量，每种地表覆盖具有各自的相干矩阵（时间去相干按指数衰减至长期相干性，再乘以垂直基线去相干 1 - |dBperp|/Bcrit，Bcrit = lambda*R*tan(入射角)*带宽/c；Zebker 和 Villasenor 1992）；建筑物、道路和铁轨上的永久散射体亮度高且稳定（振幅离差低于 0.3）；水体无相干性。大气：具有 -8/3 幂律谱的湍流延迟，加上与高程成正比的垂直分层项（Hanssen 2001）。开采：每个煤层工作面视为一个水平张性矩形位错，在推进的工作面后方闭合（Okada 1985、1992；若缺少 Okada 模块，则使用 Knothe 影响函数解析盆地），并采用 Knothe 时间函数；盆地深度为各研究给出的最大累计垂直沉降量。</translation>
    </message>
    <message>
      <source>Slant range to the scene centre (m)</source>
      <translation>至场景中心的斜距（m）</translation>
    </message>
    <message>
      <source>Slant-range pixel spacing (m)</source>
      <translation>斜距向像元间距（m）</translation>
    </message>
    <message>
      <source>Smallest centre depth (m)</source>
      <translation>最小中心深度（m）</translation>
    </message>
    <message>
      <source>Smallest length and width (m, 0 = two pixels)</source>
      <translation>最小长度与宽度（m，0 = 两个像元）</translation>
    </message>
    <message>
      <source>Smallest number of pairs of a date</source>
      <translation>单个日期的最少干涉对数</translation>
    </message>
    <message>
      <source>Source rectangles (polygons or table)</source>
      <translation>位错源矩形（面图层或表格）</translation>
    </message>
    <message>
      <source>Source {} is not supported by the data: removing it raises the misfit by {:.1f} (chi-square), less than the {:.1f} its parameters cost (BIC). Fit fewer sources or constrain it with bounds.</source>
      <translation>源 {} 不受数据支持：移除它仅使拟合差增加 {:.1f}（卡方），小于其参数的代价 {:.1f}（BIC）。请减少源的数量，或用参数范围约束它。</translation>
    </message>
    <message>
      <source>Sources supported by the data (BIC)</source>
      <translation>受数据支持的源数量（BIC）</translation>
    </message>
    <message>
      <source>Spatial low-pass window (m)</source>
      <translation>空间低通滤波窗口（m）</translation>
    </message>
    <message>
      <source>Squared Pearson correlation without excluded/outlier benchmarks</source>
      <translation>剔除受扰动/异常水准点后 Pearson 相关系数的平方</translation>
    </message>
    <message>
      <source>Squared Pearson correlation, all benchmarks</source>
      <translation>Pearson 相关系数的平方，全部水准点</translation>
    </message>
    <message>
      <source>Stack of {} acquisitions, {} x {} pixels: {}</source>
      <translation>影像堆栈：{} 景，{} x {} 像元：{}</translation>
    </message>
    <message>
      <source>Star mode: master date YYYYMMDD (empty = automatic)</source>
      <translation>星型模式：主影像日期 YYYYMMDD（留空 = 自动选择）</translation>
    </message>
    <message>
      <source>Starting rectangles (polygons, optional)</source>
      <translation>初始矩形（面图层，可选）</translation>
    </message>
    <message>
      <source>Station spacing (m)</source>
      <translation>采样点间距（米）</translation>
    </message>
    <message>
      <source>Statistics (mm)</source>
      <translation>统计量（毫米）</translation>
    </message>
    <message>
      <source>Stratified atmosphere, standard deviation per date (mm per km of height; empty = preset)</source>
      <translation>垂直分层大气，每个日期的标准差（每千米高程 mm；留空 = 预设值）</translation>
    </message>
    <message>
      <source>Study A, Muli coalfield pit No. 4 (Qinghai): SBAS time series. Pair network by thresholds (temporal baseline &lt;= 90 days, perpendicular baseline &lt;= 45 % of the critical baseline, every date in at least 4 pairs), multilooked interferograms with a Goldstein filter, minimum-cost-flow unwrapping on a Delaunay network, SBAS inversion (interferograms below the coherence threshold are left out pixel by pixel) with DEM error and two-pass atmospheric filtering (temporal high-pass 365 days, spatial low-pass 1600 m). Outputs: pairs, coherence, unwrapped phase, displacement time series (mm), velocity (mm/yr), DEM error (m) and temporal coherence; with LATITUDE and LONGITUDE lookup rasters (a stack in radar geometry) the time series and the velocity are also geocoded to WGS84 at the processing resolution, as ENVI files by default (step 5). LOS displacement is positive toward the satellite (subsidence negative). See docs/studies.md for what MineSAR does not do (precise orbits, cropping, daily interpolation).</source>
      <translation>研究 A，青海木里煤田四号井（露天矿）：SBAS 时间序列。按阈值构建像对网络（时间基线 &lt;= 90 天，垂直基线 &lt;= 临界基线的 45 %，每个日期至少参与 4 个像对），多视干涉图并进行 Goldstein 滤波，在 Delaunay 网络上进行最小费用流解缠，SBAS 反演（低于相干性阈值的干涉图逐像元剔除），同时估计 DEM 误差并进行两步大气滤波（时间高通窗口 365 天，空间低通窗口 1600 m）。输出：像对、相干性、解缠相位、形变时间序列（mm）、速率（mm/yr）、DEM 误差（m）和时间相干性；若给出 LATITUDE 和 LONGITUDE 查找表栅格（雷达几何的影像栈），时间序列和速率还会按处理分辨率地理编码到 WGS84，默认输出为 ENVI 文件（第 5 步）。LOS 形变以朝向卫星为正（沉降为负）。MineSAR 不做的步骤（精密轨道、裁剪、逐日插值）见 docs/studies.md。</translation>
    </message>
    <message>
      <source>Study A: Muli pit No. 4, SBAS time series</source>
      <translation>研究 A：木里四号井，SBAS 时间序列</translation>
    </message>
    <message>
      <source>Study B, Huaibei coal mine, industrial square (working face II 513): PS-InSAR checked against leveling. A single common master (automatic: smallest sum of normalised temporal and perpendicular baselines), dual-threshold PS selection (coherence &gt;= 0.7, then amplitude dispersion D_A &lt;= 0.6), linear velocity and DEM error per PS, atmospheric filtering, then validation against leveling: the InSAR value of a benchmark is the mean of all PS within 50 m; RMSE, bias and R² for all benchmarks and without the disturbed ones (EXCLUDE_FIELD). Outputs: PS points (VEL mm/yr, DEM_ERR m, COH, DA, DYYYYMMDD mm), benchmark comparison and an HTML report. LOS displacement is positive toward the satellite (subsidence negative).</source>
      <translation>研究 B，淮北某煤矿工业广场（II 513 工作面）：PS-InSAR 及水准验证。采用单一公共主影像（自动选择：归一化时间基线与垂直基线之和最小），双阈值 PS 选点（先相干性 &gt;= 0.7，再振幅离差 D_A &lt;= 0.6），逐 PS 估计线性速率和 DEM 误差，大气滤波，然后与水准测量对比验证：水准点的 InSAR 值为其 50 m 范围内所有 PS 的平均值；给出全部水准点以及剔除受扰动水准点（EXCLUDE_FIELD）后的 RMSE、偏差和 R²。输出：PS 点（VEL mm/yr、DEM_ERR m、COH、DA、DYYYYMMDD mm）、水准点对比结果和 HTML 报告。LOS 形变以朝向卫星为正（沉降为负）。</translation>
    </message>
    <message>
      <source>Study B: Huaibei industrial square, PS-InSAR and leveling</source>
      <translation>研究 B：淮北工业广场，PS-InSAR 与水准验证</translation>
    </message>
    <message>
      <source>Study C, Puhe coal mine (Shenbei, Shenyang): SBAS and Okada source inversion. Pair network with temporal baseline &lt;= 72 days (the study's '&lt; 72 days': with 42 dates on the 12-day grid only an inclusive 72-day limit can give its 216 interferograms) and perpendicular baseline &lt;= 2 % of the critical baseline, interferograms with a Goldstein filter, minimum-cost-flow unwrapping on the grid with coherence threshold 0.2, SVD inversion of the velocities between consecutive dates (Berardino et al. 2002) integrated in time, then a Bayesian fit of three horizontal (dip 0) rectangular tensile dislocations (Okada) to the cumulative LOS displacement, and, when a line is given, the profile of the cumulative displacement along it. Outputs: pairs, coherence, unwrapped phase, time series (mm), velocity (mm/yr), DEM error, temporal coherence, source rectangles with uncertainties, model and residual (mm), fit report, profile stations and plot.</source>
      <translation>研究 C，沈阳沈北蒲河煤矿：SBAS 与 Okada 源反演。像对网络：时间基线 &lt;= 72 天（研究中的“&lt; 72 天”：42 景影像位于 12 天采样网格上时，只有包含 72 天的上限才能得到其 216 个干涉图）、垂直基线 &lt;= 临界基线的 2 %；干涉图经 Goldstein 滤波；在规则格网上以相干性阈值 0.2 进行最小费用流解缠；对相邻日期间的速率进行 SVD 反演（Berardino 等，2002）并按时间积分；然后用三个水平（倾角 0）矩形张性位错（Okada）对累计 LOS 形变进行贝叶斯拟合；若给出剖面线，再沿线提取累计形变剖面。输出：像对、相干性、解缠相位、时间序列（mm）、速率（mm/yr）、DEM 误差、时间相干性、带不确定度的源矩形、模型与残差（mm）、拟合报告、剖面采样点和剖面图。</translation>
    </message>
    <message>
      <source>Study C: Puhe coal mine, SBAS and Okada sources</source>
      <translation>研究 C：蒲河煤矿，SBAS 与 Okada 源反演</translation>
    </message>
    <message>
      <source>Subsidence bowl model</source>
      <translation>沉陷盆地模型</translation>
    </message>
    <message>
      <source>Support of each source (chi-square increase when it is removed, against the BIC penalty of its parameters)</source>
      <translation>各源的支持度（移除该源时卡方的增量，与其参数的 BIC 惩罚项比较）</translation>
    </message>
    <message>
      <source>Surface displacement of rectangular dislocations in an elastic half-space (Okada 1992, DC3D; double precision, numba), projected on the radar line of sight.

SOURCES: a polygon layer of rectangles or a table (CSV or layer without geometry) with the fields x, y, depth, length, width, strike, dip, opening, strike_slip, dip_slip. x, y = CENTRE of the rectangle in the layer's CRS; depth of the centre in m, positive down; length along strike and width along dip in m; strike in degrees clockwise from north; dip in degrees; opening, strike_slip and dip_slip in m (opening negative for a closing, mined seam; strike-slip positive left-lateral; dip-slip positive reverse). For polygons, missing x, y, length, width and strike are taken from the polygon's oriented minimum rectangle (its surface projection); missing dip and slips are 0.

TEMPLATE: a raster whose grid receives the model, or a point layer (then OUTPUT_POINTS gets a LOS_MM field, and E_MM, N_MM, U_MM with ENU). Geographic CRSs are evaluated in a local azimuthal equidistant frame.

Line of sight: unit vector toward the satellite E = -sin(inc) cos(head), N = sin(inc) sin(head), U = cos(inc) from INCIDENCE and HEADING (degrees, heading clockwise from north; empty = from the template metadata, else Sentinel-1 defaults), or per-pixel LOS_E/LOS_N/LOS_U rasters on the template grid. OUTPUT: LOS displacement in mm, positive toward the satellite (MINESAR_KIND=los_displacement, UNITS=mm); with ENU three more bands east, north, up (mm). POISSON: Poisson's ratio (0.25).

Sources reaching above the surface (depth - width/2 sin(dip) &lt; 0), zero sizes and missing values stop the run with a message naming the feature.</source>
      <translation>计算弹性半空间中矩形位错在地表产生的位移（Okada 1992，DC3D；双精度，numba 实现），并投影到雷达视线方向。

SOURCES：矩形的面图层，或含字段 x, y, depth, length, width, strike, dip, opening, strike_slip, dip_slip 的表格（CSV 或无几何的图层）。x, y = 矩形的中心，采用图层的坐标参考系；depth 为中心深度（m，向下为正）；length 沿走向、width 沿倾向，单位 m；strike 为自北顺时针的走向角（度）；dip 为倾角（度）；opening、strike_slip、dip_slip 单位 m（闭合的采空煤层 opening 为负；走滑以左旋为正；倾滑以逆冲为正）。对于面要素，缺少的 x, y, length, width 和 strike 取自多边形的最小外接矩形（即其地表投影）；缺少的 dip 与滑动量取 0。

TEMPLATE：接收模型结果的栅格网格，或点图层（此时 OUTPUT_POINTS 获得字段 LOS_MM，勾选 ENU 时还有 E_MM、N_MM、U_MM）。地理坐标系在局部方位等距投影坐标系中计算。

视线方向：指向卫星的单位矢量 E = -sin(inc) cos(head)，N = sin(inc) sin(head)，U = cos(inc)，由 INCIDENCE 与 HEADING 给出（度，航向自北顺时针；留空则取模板元数据，否则取 Sentinel-1 默认值），或由模板网格上逐像元的 LOS_E/LOS_N/LOS_U 栅格给出。OUTPUT：视线向位移，单位 mm，朝向卫星为正（MINESAR_KIND=los_displacement，UNITS=mm）；勾选 ENU 时另加东、北、垂直三个波段（mm）。POISSON：泊松比（0.25）。

源伸出地表（depth - width/2 sin(dip) &lt; 0）、尺寸为零或缺少数值时，运行停止并给出指明要素的提示。</translation>
    </message>
    <message>
      <source>Target CRS (empty = EPSG:4326)</source>
      <translation>目标坐标参考系（留空 = EPSG:4326）</translation>
    </message>
    <message>
      <source>Template grid (raster) or points</source>
      <translation>模板网格（栅格）或点</translation>
    </message>
    <message>
      <source>Temporal coherence</source>
      <translation>时间相干性</translation>
    </message>
    <message>
      <source>Temporal high-pass window (days)</source>
      <translation>时间高通滤波窗口（天）</translation>
    </message>
    <message>
      <source>The pair network has no closed triangle of pairs; no closure check possible.</source>
      <translation>像对网络中没有闭合的像对三角形，无法进行闭合检验。</translation>
    </message>
    <message>
      <source>The pairs table is a GeoPackage or CSV table; writing {}</source>
      <translation>干涉对表须为 GeoPackage 或 CSV 表格；写入 {}</translation>
    </message>
    <message>
      <source>The pairs table is written as a GeoPackage: {}</source>
      <translation>干涉对表写为 GeoPackage：{}</translation>
    </message>
    <message>
      <source>The stack is a VRT; writing {}</source>
      <translation>影像堆栈为 VRT 格式；写出 {}</translation>
    </message>
    <message>
      <source>Tilt (d_B − d_A)/distance</source>
      <translation>倾斜 (d_B − d_A)/距离</translation>
    </message>
    <message>
      <source>Tilt between two points</source>
      <translation>两点间倾斜</translation>
    </message>
    <message>
      <source>Tilt of largest magnitude (signed)</source>
      <translation>绝对值最大的倾斜（带符号）</translation>
    </message>
    <message>
      <source>Tilt plot</source>
      <translation>倾斜图</translation>
    </message>
    <message>
      <source>Tilt series</source>
      <translation>倾斜时间序列</translation>
    </message>
    <message>
      <source>Time-series or velocity raster</source>
      <translation>时间序列或速率栅格</translation>
    </message>
    <message>
      <source>Time-series raster or PS point layer</source>
      <translation>时间序列栅格或 PS 点图层</translation>
    </message>
    <message>
      <source>Time-series viewer</source>
      <translation>时间序列查看器</translation>
    </message>
    <message>
      <source>True DEM error (m)</source>
      <translation>真实 DEM 误差（m）</translation>
    </message>
    <message>
      <source>True LOS displacement per date (mm)</source>
      <translation>各日期的真实视线向（LOS）形变（mm）</translation>
    </message>
    <message>
      <source>True LOS velocity (mm/yr)</source>
      <translation>真实视线向（LOS）形变速率（mm/yr）</translation>
    </message>
    <message>
      <source>Turbulent atmosphere, standard deviation per date (mm; empty = preset)</source>
      <translation>湍流大气，每个日期的标准差（mm；留空 = 预设值）</translation>
    </message>
    <message>
      <source>Two-pass atmospheric filtering</source>
      <translation>两次反演的大气滤波</translation>
    </message>
    <message>
      <source>Unwrapped interferogram stack (rad)</source>
      <translation>解缠干涉图堆栈（弧度）</translation>
    </message>
    <message>
      <source>Unwrapped phase (rad)</source>
      <translation>解缠相位（弧度）</translation>
    </message>
    <message>
      <source>Unwrapped stack (rad)</source>
      <translation>解缠堆栈（弧度）</translation>
    </message>
    <message>
      <source>Unwrapping network</source>
      <translation>解缠网络</translation>
    </message>
    <message>
      <source>Unwraps every interferogram of a wrapped phase stack (MINESAR_KIND=wrapped, radians in [-pi, pi], from Interferograms) with minimum-cost flow, in parallel, within MEMORY_MB (every worker holds one full interferogram, so at least one must fit).

METHOD=grid: Costantini (1998) - residues on the 2 x 2 pixel loops, integer flows on the dual grid (with an earth node at the border), costs from coherence and looks. METHOD=delaunay: Costantini &amp; Rosen (1999) - the same on a Delaunay triangulation of the pixels above COHERENCE_THRESHOLD, so decorrelated areas (water, vegetation, the core of a subsidence bowl) are bridged instead of unwrapped through. The flow problem is solved exactly by our own solver (primal-dual successive shortest paths).

Pixels with coherence below COHERENCE_THRESHOLD (default 0.2, as in the Puhe study) are masked (NaN). REFERENCE is a point in the layer's CRS (optional; by default a pixel of high coherence away from dense fringes is chosen and stated in the log). The output is exactly the wrapped phase plus an integer number of cycles (2 pi k), with k = 0 at the reference pixel in every interferogram; REF_ROW/REF_COL and the per-band REF_PHASE (the reference pixel's wrapped phase, rad) are stored in the metadata.

Outputs: the unwrapped stack (radians, MINESAR_KIND=unwrapped, same bands and band metadata as the input; LOS displacement in mm toward the satellite = -wavelength/(4 pi) x phase x 1000), the connected components (0 = masked, 1 = largest region) and a closure table: for every triangle of pairs (i,j), (j,k), (i,k) the closure u_ij + u_jk - u_ik must be 0; FRAC_NONZERO is the fraction of pixels in at least one closure above pi, FLAGGED marks interferograms where more than FLAG_FRACTION of the pixels fail most of their triplets. CORRECT_CLOSURE fixes integer ambiguities where a majority of an interferogram's triplets agree on the same shift (as MintPy's phase-closure correction).</source>
      <translation>对干涉相位堆栈（MINESAR_KIND=wrapped，弧度，取值在 [-pi, pi] 内，来自“干涉图”步骤）中的每幅干涉图用最小费用流方法解缠，在 MEMORY_MB 内并行处理（每个工作线程持有一整幅干涉图，因此至少要能容纳一幅）。

METHOD=grid：Costantini (1998)——在 2 x 2 像元回路上计算残差点，在对偶格网上求整数流（边界处设一个接地节点），费用由相干性和视数决定。METHOD=delaunay：Costantini 与 Rosen (1999)——在相干性高于 COHERENCE_THRESHOLD 的像元构成的 Delaunay 三角网上做同样的计算，使失相干区域（水体、植被、沉陷盆地中心）被跨越而不是被穿过解缠。网络流问题由我们自己的求解器精确求解（原始-对偶逐次最短路径法）。

相干性低于 COHERENCE_THRESHOLD（默认 0.2，与蒲河研究相同）的像元被掩膜（NaN）。REFERENCE 为图层坐标系中的一个点（可选；默认自动选择相干性高、远离密集条纹的像元，并写入日志）。输出严格等于缠绕相位加上整数周数（2 pi k），且每幅干涉图中参考像元处 k = 0；REF_ROW/REF_COL 以及各波段的 REF_PHASE（参考像元的缠绕相位，弧度）记录在元数据中。

输出：解缠相位堆栈（弧度，MINESAR_KIND=unwrapped，波段及波段元数据与输入相同；朝向卫星的视线向位移（毫米）= -波长/(4 pi) x 相位 x 1000）、连通区域（0 = 掩膜，1 = 最大区域）以及闭合检验表：对网络中每个像对三角形 (i,j)、(j,k)、(i,k)，闭合量 u_ij + u_jk - u_ik 应为 0；FRAC_NONZERO 为至少处于一个闭合量超过 pi 的三角形中的像元比例，FLAGGED 标记其多数三角形闭合失败的像元比例超过 FLAG_FRACTION 的干涉图。CORRECT_CLOSURE 在某幅干涉图的多数三角形一致指向同一整周偏移时修正整周模糊度（与 MintPy 的相位闭合校正相同）。</translation>
    </message>
    <message>
      <source>VALUE_FIELD: field {} is of type {}, not numeric (mm)</source>
      <translation>VALUE_FIELD：字段 {} 的类型为 {}，不是数值（毫米）</translation>
    </message>
    <message>
      <source>VALUE_FIELD: give the measured displacement field, or a benchmark layer with at least two DYYYYMMDD fields</source>
      <translation>VALUE_FIELD：请提供实测形变字段，或提供至少包含两个 DYYYYMMDD 字段的水准点图层</translation>
    </message>
    <message>
      <source>Validate InSAR against leveling</source>
      <translation>InSAR 与水准测量对比验证</translation>
    </message>
    <message>
      <source>Validation report</source>
      <translation>验证报告</translation>
    </message>
    <message>
      <source>Value field of a point layer</source>
      <translation>点图层的数值字段</translation>
    </message>
    <message>
      <source>Velocity (mm/yr)</source>
      <translation>形变速率（mm/yr）</translation>
    </message>
    <message>
      <source>Vertical displacement (LOS / cos(incidence))</source>
      <translation>垂直位移（视线向 / cos(入射角)）</translation>
    </message>
    <message>
      <source>Weights of the inversion</source>
      <translation>反演权重</translation>
    </message>
    <message>
      <source>Wrapped phase (rad)</source>
      <translation>缠绕相位（弧度）</translation>
    </message>
    <message>
      <source>Wrapped phase stack (rad)</source>
      <translation>缠绕相位堆栈（弧度）</translation>
    </message>
    <message>
      <source>all benchmarks</source>
      <translation>全部水准点</translation>
    </message>
    <message>
      <source>best</source>
      <translation>最佳拟合</translation>
    </message>
    <message>
      <source>bilinear interpolation of the four surrounding pixels</source>
      <translation>周围四个像元的双线性插值</translation>
    </message>
    <message>
      <source>clean ({})</source>
      <translation>正常（{}）</translation>
    </message>
    <message>
      <source>count</source>
      <translation>计数</translation>
    </message>
    <message>
      <source>date index ({} … {})</source>
      <translation>日期序号（{} … {}）</translation>
    </message>
    <message>
      <source>distance (m)</source>
      <translation>距离（m）</translation>
    </message>
    <message>
      <source>distance along the profile through the sources (m)</source>
      <translation>沿穿过各源的剖面的距离（m）</translation>
    </message>
    <message>
      <source>empty</source>
      <translation>无样本</translation>
    </message>
    <message>
      <source>excluded</source>
      <translation>已剔除</translation>
    </message>
    <message>
      <source>excluded ({})</source>
      <translation>已剔除（{}）</translation>
    </message>
    <message>
      <source>flag</source>
      <translation>标记</translation>
    </message>
    <message>
      <source>from</source>
      <translation>起始</translation>
    </message>
    <message>
      <source>global search</source>
      <translation>全局搜索</translation>
    </message>
    <message>
      <source>max |tilt| {:.2e} ({})</source>
      <translation>最大 |倾斜| {:.2e}（{}）</translation>
    </message>
    <message>
      <source>mean</source>
      <translation>均值</translation>
    </message>
    <message>
      <source>mean of the InSAR samples within {:g} m (distance ≤ RADIUS, inclusive)</source>
      <translation>{:g} 米范围内 InSAR 样本的平均值（距离 ≤ RADIUS，含边界）</translation>
    </message>
    <message>
      <source>mean {:.2f} {}, std {:.2f} {}, 95 % between {:.2f} and {:.2f} {}, {:.1f} % within ±50 {}</source>
      <translation>均值 {:.2f} {}，标准差 {:.2f} {}，95 % 位于 {:.2f} 与 {:.2f} {} 之间，{:.1f} % 在 ±50 {} 以内</translation>
    </message>
    <message>
      <source>mean {:.2f}, std {:.2f}, 95 % in [{:.1f}, {:.1f}] {}</source>
      <translation>均值 {:.2f}，标准差 {:.2f}，95 % 位于 [{:.1f}, {:.1f}] {}</translation>
    </message>
    <message>
      <source>median of the InSAR samples within {:g} m (distance ≤ RADIUS, inclusive)</source>
      <translation>{:g} 米范围内 InSAR 样本的中位数（距离 ≤ RADIUS，含边界）</translation>
    </message>
    <message>
      <source>model</source>
      <translation>模型</translation>
    </message>
    <message>
      <source>nearest of the InSAR samples within {:g} m (distance ≤ RADIUS, inclusive)</source>
      <translation>{:g} 米范围内最近的 InSAR 样本（距离 ≤ RADIUS，含边界）</translation>
    </message>
    <message>
      <source>noise model</source>
      <translation>噪声模型</translation>
    </message>
    <message>
      <source>observed</source>
      <translation>观测</translation>
    </message>
    <message>
      <source>offset</source>
      <translation>常数偏移</translation>
    </message>
    <message>
      <source>outlier</source>
      <translation>异常点</translation>
    </message>
    <message>
      <source>outlier ({})</source>
      <translation>异常点（{}）</translation>
    </message>
    <message>
      <source>parameter</source>
      <translation>参数</translation>
    </message>
    <message>
      <source>peak ({})</source>
      <translation>峰值（{}）</translation>
    </message>
    <message>
      <source>per-benchmark bars</source>
      <translation>各水准点柱状图</translation>
    </message>
    <message>
      <source>quadtree</source>
      <translation>四叉树</translation>
    </message>
    <message>
      <source>ramp east</source>
      <translation>趋势面（东向）</translation>
    </message>
    <message>
      <source>ramp north</source>
      <translation>趋势面（北向）</translation>
    </message>
    <message>
      <source>residual ({})</source>
      <translation>残差（{}）</translation>
    </message>
    <message>
      <source>semivariance ({}²)</source>
      <translation>半方差（{}²）</translation>
    </message>
    <message>
      <source>sill {:.4g} {}², range {:.4g} m, nugget {:.4g} {}²</source>
      <translation>基台值 {:.4g} {}²，变程 {:.4g} m，块金 {:.4g} {}²</translation>
    </message>
    <message>
      <source>source</source>
      <translation>源</translation>
    </message>
    <message>
      <source>source {}</source>
      <translation>源 {}</translation>
    </message>
    <message>
      <source>statistic</source>
      <translation>统计量</translation>
    </message>
    <message>
      <source>std</source>
      <translation>标准差</translation>
    </message>
    <message>
      <source>support test</source>
      <translation>支持度检验</translation>
    </message>
    <message>
      <source>supported</source>
      <translation>受支持</translation>
    </message>
    <message>
      <source>to</source>
      <translation>结束</translation>
    </message>
    <message>
      <source>total</source>
      <translation>总计</translation>
    </message>
    <message>
      <source>unit</source>
      <translation>单位</translation>
    </message>
    <message>
      <source>vertical displacement (mm)</source>
      <translation>垂直位移（mm）</translation>
    </message>
    <message>
      <source>vertical velocity (mm/yr)</source>
      <translation>垂直速率（mm/yr）</translation>
    </message>
    <message>
      <source>without excluded / outlier benchmarks</source>
      <translation>剔除受扰动/异常水准点后</translation>
    </message>
    <message>
      <source>yes</source>
      <translation>是</translation>
    </message>
    <message>
      <source>{} (acceptance {:.2f})</source>
      <translation>{}（接受率 {:.2f}）</translation>
    </message>
    <message>
      <source>{} (variance threshold {:.4g} {}²)</source>
      <translation>{}（方差阈值 {:.4g} {}²）</translation>
    </message>
    <message>
      <source>{} InSAR points, time series of {} dates {}–{}</source>
      <translation>{} 个 InSAR 点，时间序列共 {} 个日期 {}–{}</translation>
    </message>
    <message>
      <source>{} InSAR points, velocity (mm/yr)</source>
      <translation>{} 个 InSAR 点，速率（mm/yr）</translation>
    </message>
    <message>
      <source>{} PS, {:.0f} per km²; master {}</source>
      <translation>{} 个 PS，每平方公里 {:.0f} 个；主影像 {}</translation>
    </message>
    <message>
      <source>{} benchmark comparison(s) without InSAR sample (N_SAMPLES = 0), {} outlier(s), {} excluded.</source>
      <translation>{} 个水准点对比无 InSAR 样本（N_SAMPLES = 0），{} 个异常点，{} 个已剔除。</translation>
    </message>
    <message>
      <source>{} interferograms in {} block(s); scene mean coherence {:.3f}</source>
      <translation>共 {} 幅干涉图，分 {} 个块处理；全景平均相干性 {:.3f}</translation>
    </message>
    <message>
      <source>{} output: writing {}</source>
      <translation>{} 输出：写出 {}</translation>
    </message>
    <message>
      <source>{} pairs ({} added outside the thresholds), smallest degree {}, {} group(s): {}</source>
      <translation>{} 个干涉对（其中 {} 个超出阈值而添加），最小连接数 {}，{} 个连通组：{}</translation>
    </message>
    <message>
      <source>{} quadtree samples</source>
      <translation>{} 个四叉树样本</translation>
    </message>
    <message>
      <source>{} stations over {:.1f} m, {} date column(s)</source>
      <translation>{} 个采样点，剖面长 {:.1f} 米，{} 个日期列</translation>
    </message>
    <message>
      <source>{} {:.1f} s</source>
      <translation>{} {:.1f} 秒</translation>
    </message>
    <message>
      <source>{} — distance {:.2f} m</source>
      <translation>{} — 距离 {:.2f} 米</translation>
    </message>
    <message>
      <source>{}: InSAR acquisition used directly</source>
      <translation>{}：直接使用该日期的 InSAR 观测</translation>
    </message>
    <message>
      <source>{}: InSAR time series interpolated linearly between {} and {} (weight {:.4f} on {})</source>
      <translation>{}：InSAR 时间序列在 {} 与 {} 之间按时间线性插值（{:.4f} 的权重作用于 {}）</translation>
    </message>
    <message>
      <source>{}: a point template needs the point output</source>
      <translation>{}：点模板需要点输出</translation>
    </message>
    <message>
      <source>{}: a raster template needs a raster output</source>
      <translation>{}：栅格模板需要栅格输出</translation>
    </message>
    <message>
      <source>{}: feature {} has no value for {}</source>
      <translation>{}：要素 {} 缺少以下数值：{}</translation>
    </message>
    <message>
      <source>{}: nearest PS is {:.1f} m away</source>
      <translation>{}：最近的 PS 距离 {:.1f} 米</translation>
    </message>
    <message>
      <source>{}: no layer given</source>
      <translation>{}：未给出图层</translation>
    </message>
    <message>
      <source>{}: no point of INPUT has {} = {}</source>
      <translation>{}：INPUT 中没有点的 {} = {}</translation>
    </message>
    <message>
      <source>{}: no raster layer given</source>
      <translation>{}：未提供栅格图层</translation>
    </message>
    <message>
      <source>{}: raster size {} does not match the template {}</source>
      <translation>{}：栅格尺寸 {} 与模板 {} 不一致</translation>
    </message>
    <message>
      <source>{}: the COMPONENT field must be 'los' or 'vertical' on every point, found {}</source>
      <translation>{}：每个点的 COMPONENT 字段都必须为 'los' 或 'vertical'，实际为 {}</translation>
    </message>
    <message>
      <source>{}: the benchmark layer has no field {}</source>
      <translation>{}：水准点图层中没有字段 {}</translation>
    </message>
    <message>
      <source>{}: the layer has no features</source>
      <translation>{}：图层中没有要素</translation>
    </message>
    <message>
      <source>{}: the point layer has neither DYYYYMMDD time-series fields nor a VEL field</source>
      <translation>{}：该点图层既没有 DYYYYMMDD 时间序列字段，也没有 VEL 字段</translation>
    </message>
    <message>
      <source>{}: the point layer has no features</source>
      <translation>{}：点图层中没有要素</translation>
    </message>
    <message>
      <source>{}: the point layer has no point features</source>
      <translation>{}：该点图层没有点要素</translation>
    </message>
    <message>
      <source>{}: the raster has no georeferencing</source>
      <translation>{}：栅格没有地理参考</translation>
    </message>
    <message>
      <source>{}: time-series raster {} x {}, {} dates {}–{}</source>
      <translation>{}：时间序列栅格 {} x {}，{} 个日期 {}–{}</translation>
    </message>
    <message>
      <source>{}: velocity raster {} x {} (mm/yr)</source>
      <translation>{}：速率栅格 {} x {}（mm/yr）</translation>
    </message>
    <message>
      <source>{}: writing a GeoTIFF, {}</source>
      <translation>{}：写出 GeoTIFF 文件 {}</translation>
    </message>
    <message>
      <source>{}–{}: InSAR cumulative = velocity × {} d / 365.25 d</source>
      <translation>{}–{}：InSAR 累计形变 = 速率 × {} 天 / 365.25 天</translation>
    </message>
  </context>
</TS>
