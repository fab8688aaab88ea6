<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>MineSAR</name>
    <message>
      <source>1 · Stack</source>
      <translation>1 · 影像堆栈</translation>
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
      <source>Azimuth pixel spacing (m)</source>
      <translation>方位向像元间距（m）</translation>
    </message>
    <message>
      <source>Build SLC stack from manifest</source>
      <translation>由清单构建 SLC 影像堆栈</translation>
    </message>
    <message>
      <source>Builds a self-describing SLC stack (a GDAL VRT, MINESAR_KIND=slc) from a manifest CSV with the columns date,path,bperp_m (one coregistered complex raster per acquisition; paths relative to the CSV; any format GDAL opens).

Dates are YYYYMMDD. Perpendicular baselines are in metres and are stored relative to the first (earliest) date. The scene geometry (wavelength in m, incidence and heading in degrees with the heading clockwise from north, slant range and pixel spacings in m) defaults to Sentinel-1 IW and is written into the stack metadata for the later stages. An optional DEM on the same grid is recorded for topographic phase removal.

Every SLC must open, be complex and have the size of the first one; dates must be valid and unique and every baseline numeric. Any problem stops the run with a message naming the manifest row or file, and no output is written. The output must be a .vrt file (another extension is replaced).

Conventions: interferogram = reference x conj(secondary), reference = earlier date; LOS displacement positive toward the satellite (see the MineSAR README).</source>
      <translation>由清单 CSV（列为 date,path,bperp_m）构建自描述的 SLC 影像堆栈（GDAL VRT，MINESAR_KIND=slc）。每个获取日期对应一幅已配准的复数栅格；路径相对于 CSV；支持 GDAL 可打开的任意格式。

日期格式为 YYYYMMDD。垂直基线单位为米，保存为相对于第一个（最早）日期的值。场景几何参数（波长，单位 m；入射角与航向角，单位为度，航向角自北顺时针；斜距与像元间距，单位 m）默认采用 Sentinel-1 IW 参数，并写入堆栈元数据供后续步骤使用。可选的同网格 DEM 会被记录，用于去除地形相位。

每幅 SLC 必须可以打开、必须为复数类型，且尺寸与第一幅相同；日期必须有效且不重复，每条基线必须为数值。任何问题都会终止运行，并给出指明清单行或文件的提示信息，且不写出任何结果。输出必须为 .vrt 文件（其他扩展名会被替换）。

约定：干涉图 = 参考影像 × conj(辅影像)，参考影像为较早日期；视线向（LOS）形变以朝向卫星为正（见 MineSAR README）。</translation>
    </message>
    <message>
      <source>Canceled by the user; no output was written.</source>
      <translation>已被用户取消；未写出任何结果。</translation>
    </message>
    <message>
      <source>DEM on the SLC grid (m)</source>
      <translation>与 SLC 同网格的 DEM（m）</translation>
    </message>
    <message>
      <source>Heading, clockwise from north (degrees)</source>
      <translation>航向角，自北顺时针（度）</translation>
    </message>
    <message>
      <source>Incidence angle (degrees)</source>
      <translation>入射角（度）</translation>
    </message>
    <message>
      <source>Manifest CSV (date,path,bperp_m)</source>
      <translation>清单 CSV（date,path,bperp_m）</translation>
    </message>
    <message>
      <source>Memory budget for block processing (MiB)</source>
      <translation>分块处理的内存预算（MiB）</translation>
    </message>
    <message>
      <source>MineSAR</source>
      <translation>MineSAR</translation>
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
      <source>MineSAR — InSAR monitoring of mining subsidence</source>
      <translation>MineSAR — 矿区沉陷 InSAR 监测</translation>
    </message>
    <message>
      <source>Number of acquisitions</source>
      <translation>影像数量</translation>
    </message>
    <message>
      <source>Open the MineSAR toolbox</source>
      <translation>打开 MineSAR 工具箱</translation>
    </message>
    <message>
      <source>Radar wavelength (m)</source>
      <translation>雷达波长（m）</translation>
    </message>
    <message>
      <source>SLC stack (VRT)</source>
      <translation>SLC 影像堆栈（VRT）</translation>
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
      <source>Stack of {} acquisitions, {} x {} pixels: {}</source>
      <translation>影像堆栈：{} 景，{} x {} 像元：{}</translation>
    </message>
    <message>
      <source>The stack is a VRT; writing {}</source>
      <translation>影像堆栈为 VRT 格式；写出 {}</translation>
    </message>
    <message>
      <source>{}: no raster layer given</source>
      <translation>{}：未提供栅格图层</translation>
    </message>
  </context>
</TS>
