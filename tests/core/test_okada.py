"""Okada DC3D / DC3D0 against published and reference values (tier a)."""
from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from minesar.algorithms import okada

NAMES = ["ux", "uy", "uz", "uxx", "uyx", "uzx", "uxy", "uyy", "uzy", "uxz", "uyz", "uzz"]


def _sig4(a, b):
    """a equals b to 4 significant figures (b printed with 4)."""
    if b == 0.0:
        return abs(a) < 5e-8
    e = math.floor(math.log10(abs(b)))
    return abs(a - b) <= 0.5 * 10 ** (e - 3) * 1.0001


def _alpha(text):
    return 2.0 / 3.0 if text.strip() == "2/3" else float(text)


def test_okada1985_table2_all_values(shared_data):
    rows = list(csv.DictReader(open(shared_data / "okada" / "okada1985_table2_checklist.csv")))
    assert len(rows) == 9
    n_checked = 0
    for r in rows:
        mode = r["mode"]
        disl = {"strike": [1, 0, 0], "dip": [0, 1, 0], "tensile": [0, 0, 1]}[mode]
        L, W, d, dip = float(r["L"]), float(r["W"]), float(r["d"]), float(r["dip_deg"])
        x, y = float(r["x"]), float(r["y"])
        u, iret = okada.dc3d([x], [y], [0.0], alpha=_alpha(r["alpha"]), depth=d, dip=dip,
                             al1=0, al2=L, aw1=0, aw2=W, disl=disl)
        u = u[0]
        assert iret[0] == 0
        got = {"ux": u[0], "uy": u[1], "uz": u[2], "dux_dx": u[3], "dux_dy": u[6], "duy_dx": u[4],
               "duy_dy": u[7], "duz_dx": u[5], "duz_dy": u[8]}
        # same values through the map-frame, centre-convention surface kernel:
        # strike 90 deg (Okada x = east, y = north); centre at (L/2, W/2 cos d)
        sd, cd = math.sin(math.radians(dip)), math.cos(math.radians(dip))
        src = np.array([[L / 2, W / 2 * cd, d - W / 2 * sd, L, W, 90.0, dip,
                         disl[2], disl[0], disl[1]]])
        poisson = 1.0 - 1.0 / (2.0 * _alpha(r["alpha"]))
        ue, un, uu = okada.rectangles_enu(np.array([x]), np.array([y]), src, poisson=poisson)
        for key, val in got.items():
            ref = float(r[key])
            assert _sig4(val, ref), f"case {r['case']} {mode} {key}: {val:.6g} vs {ref}"
            n_checked += 1
        for val, key in ((ue[0], "ux"), (un[0], "uy"), (uu[0], "uz")):
            assert _sig4(val, float(r[key])), f"rectangles_enu case {r['case']} {mode} {key}"
    assert n_checked == 81


def test_okada1992_dc3d_dc3d0_reference(shared_data):
    rows = list(csv.DictReader(open(shared_data / "okada" / "okada1992_dc3d_reference_computed.csv")))
    kinds = set()
    for r in rows:
        a, z = float(r["alpha"]), float(r["z"])
        ref = np.array([float(r[n]) for n in NAMES])
        common = dict(alpha=a, depth=float(r["depth"]), dip=float(r["dip_deg"]))
        if r["source"] == "DC3D":
            u, iret = okada.dc3d([float(r["x"])], [float(r["y"])], [z], al1=float(r["al1"]), al2=float(r["al2"]),
                                 aw1=float(r["aw1"]), aw2=float(r["aw2"]),
                                 disl=[float(r["disl1_or_pot1"]), float(r["disl2_or_pot2"]),
                                       float(r["disl3_or_pot3"])], **common)
        else:
            u, iret = okada.dc3d0([float(r["x"])], [float(r["y"])], [z],
                                  pot=[float(r["disl1_or_pot1"]), float(r["disl2_or_pot2"]),
                                       float(r["disl3_or_pot3"]), float(r["pot4"] or 0.0)], **common)
        assert iret[0] == int(r["iret"])
        rel = np.abs(u[0] - ref) / np.abs(ref)
        bad = [(NAMES[i], u[0, i], ref[i]) for i in range(12) if rel[i] > 1e-5]
        assert not bad, f"{r['source']} {r['mode']} z={z}: {bad}"
        kinds.add((r["source"], r["mode"], z))
    assert len(kinds) == 17  # every row: DC3D 3 modes x 3 depths, DC3D0 4 modes x 2 depths


@pytest.mark.parametrize("dip", [0.0, 35.0, 70.0, 90.0, 120.0])
def test_dc3d_derivatives_match_finite_differences(dip):
    rng = np.random.default_rng(1)
    x = rng.uniform(-6, 6, 12)
    y = rng.uniform(-6, 6, 12)
    z = rng.uniform(-3, -0.3, 12)
    kw = dict(alpha=0.6, depth=4.0, dip=dip, al1=-1.5, al2=2.0, aw1=-1.0, aw2=1.2, disl=[0.7, -0.4, 0.9])
    u, _ = okada.dc3d(x, y, z, **kw)
    h = 1e-5
    for k, (dx, dy, dz) in enumerate(((h, 0, 0), (0, h, 0), (0, 0, h))):
        up, _ = okada.dc3d(x + dx, y + dy, z + dz, **kw)
        um, _ = okada.dc3d(x - dx, y - dy, z - dz, **kw)
        fd = (up[:, :3] - um[:, :3]) / (2 * h)
        an = u[:, 3 + 3 * k: 6 + 3 * k]
        np.testing.assert_allclose(an, fd, rtol=2e-5, atol=1e-9 * np.abs(u[:, :3]).max() + 1e-11)


@pytest.mark.parametrize("dip", [0.0, 50.0, 90.0])
def test_dc3d0_derivatives_match_finite_differences(dip):
    rng = np.random.default_rng(2)
    x = rng.uniform(-6, 6, 10)
    y = rng.uniform(-6, 6, 10)
    z = rng.uniform(-3, -0.2, 10)
    kw = dict(alpha=0.7, depth=5.0, dip=dip, pot=[0.3, -0.8, 0.6, 0.5])
    u, _ = okada.dc3d0(x, y, z, **kw)
    h = 1e-5
    for k, (dx, dy, dz) in enumerate(((h, 0, 0), (0, h, 0), (0, 0, h))):
        up, _ = okada.dc3d0(x + dx, y + dy, z + dz, **kw)
        um, _ = okada.dc3d0(x - dx, y - dy, z - dz, **kw)
        fd = (up[:, :3] - um[:, :3]) / (2 * h)
        np.testing.assert_allclose(u[:, 3 + 3 * k: 6 + 3 * k], fd, rtol=2e-5, atol=1e-11)


def test_singular_cases_and_parallel_kernel():
    kw = dict(alpha=2 / 3, depth=0.0, dip=90.0, al1=-1.0, al2=1.0, aw1=-1.0, aw2=0.0, disl=[1, 0, 0])
    # on the surface trace of a vertical fault reaching the surface: singular
    u, iret = okada.dc3d([0.5, 0.0], [0.0, 5.0], [0.0, 0.0], **kw)
    assert iret[0] == 1 and np.all(u[0] == 0)
    assert iret[1] == 0 and np.all(np.isfinite(u[1]))
    # above the surface: iret 2
    u, iret = okada.dc3d([1.0], [1.0], [0.5], **dict(kw, depth=3.0))
    assert iret[0] == 2 and np.all(u == 0)
    u, iret = okada.dc3d0([0.0], [0.0], [-2.0], alpha=2 / 3, depth=2.0, dip=30, pot=[1, 0, 0, 0])
    assert iret[0] == 1
    # parallel kernel == serial kernel
    rng = np.random.default_rng(3)
    x, y, z = rng.uniform(-5, 5, 500), rng.uniform(-5, 5, 500), rng.uniform(-2, 0, 500)
    kw = dict(alpha=2 / 3, depth=3.0, dip=60.0, al1=-1, al2=1, aw1=-1, aw2=1, disl=[1, 2, 3])
    a, _ = okada.dc3d(x, y, z, **kw)
    b, _ = okada.dc3d(x, y, z, parallel=True, **kw)
    np.testing.assert_array_equal(a, b)


def test_rectangles_enu_conventions():
    # a closing horizontal seam (negative opening) makes the surface subside
    src = np.array([[0.0, 0.0, 400.0, 600.0, 300.0, 30.0, 0.0, -0.5, 0.0, 0.0]])
    x, y = np.meshgrid(np.arange(-2000, 2001, 50.0), np.arange(-2000, 2001, 50.0))
    ue, un, uu = okada.rectangles_enu(x, y, src)
    assert ue.shape == x.shape
    assert uu.min() < -0.05 and uu[40, 40] == uu.min()
    # horizontal motion points toward the bowl centre
    assert ue[40, 50] < 0 and ue[40, 30] > 0 and un[50, 40] < 0
    # rotating strike by 180 deg gives the same rectangle
    src2 = src.copy()
    src2[0, 5] += 180.0
    np.testing.assert_allclose(okada.rectangles_enu(x, y, src2)[2], uu, atol=1e-12)
    # symmetry about the strike axis (30 deg from north): point reflected about it
    phi = math.radians(30)
    s = np.array([math.sin(phi), math.cos(phi)])
    p = np.array([300.0, -100.0])
    refl = 2 * (p @ s) * s - p
    a = okada.rectangles_enu([p[0]], [p[1]], src)[2]
    b = okada.rectangles_enu([refl[0]], [refl[1]], src)[2]
    np.testing.assert_allclose(a, b, rtol=1e-10)
    # LOS = projection with the DESIGN 2 unit vector
    le, ln, lu = okada.los_vector(37.1, -166.2)
    los = okada.rectangles_los(x, y, src, le, ln, lu)
    np.testing.assert_allclose(los, le * ue + ln * un + lu * uu, atol=1e-14)
    assert abs(le ** 2 + ln ** 2 + lu ** 2 - 1) < 1e-12


@pytest.mark.parametrize("bad, match", [
    ([[0, 0, 50.0, 600, 300, 0, 90, -0.5, 0, 0]], "above the surface"),
    ([[0, 0, -10.0, 600, 300, 0, 0, -0.5, 0, 0]], "above the surface"),
    ([[0, 0, 400.0, 0.0, 300, 0, 0, -0.5, 0, 0]], "zero or negative size"),
    ([[0, 0, 400.0, 600, np.nan, 0, 0, -0.5, 0, 0]], "NaN"),
    ([[0, 0, 400.0, 600]], "shape"),
])
def test_rectangles_enu_bad_sources(bad, match):
    with pytest.raises(ValueError, match="SOURCES: .*" + match):
        okada.rectangles_enu([0.0], [0.0], np.array(bad, dtype=float))
    with pytest.raises(ValueError, match="POISSON"):
        okada.rectangles_enu([0.0], [0.0], np.array([[0, 0, 400.0, 600, 300, 0, 0, -0.5, 0, 0]]), poisson=0.5)
