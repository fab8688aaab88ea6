"""Okada (1985, 1992) elastic half-space dislocations, in numba.

Written from the equations of Okada, Y. (1992), "Internal deformation due to
shear and tensile faults in a half-space", BSSA 82(2), 1018-1040 (Tables 2-4
for the point source, Table 6 for the finite rectangle; the decomposition
``u = u_A(x,y,-z) - u_A(x,y,z) + u_B(x,y,z) - z u_C(x,y,z)`` of eqs. 6-8,
Chinnery's notation ``f||`` for the four corners) and Okada (1985) BSSA 75(4)
for the surface case.

Two levels of interface:

* :func:`dc3d` / :func:`dc3d0` -- Okada's own coordinate system and
  arguments: the fault strikes along +x, dips toward -y; observation at
  ``(x, y, z)`` with ``z <= 0``; ``depth`` of the reference point (DC3D) or of
  the point source (DC3D0); ``alpha = (lambda + mu) / (lambda + 2 mu)``.
  They return the 12 values ``UX, UY, UZ, UXX, UYX, UZX, UXY, UYY, UZY, UXZ,
  UYZ, UZZ`` (``UYX`` = d uy / d x) and the singularity flag ``iret``
  (0 = regular, 1 = singular: observation on a fault edge or on the point
  source, all outputs 0; 2 = ``z > 0``, all outputs 0), as Okada's code does.

* :func:`rectangles_enu` -- the MineSAR map convention (DESIGN 2):
  x east, y north, z up, depth positive down, strike clockwise from north,
  each rectangle given by its CENTRE.

Centre -> Okada conversion
--------------------------
A rectangle with centre ``(xc, yc)`` at depth ``dc`` (positive down), length
``L`` along strike, width ``W`` along dip, strike ``phi`` and dip ``delta`` is
evaluated in Okada's frame with its origin at the centre:
``DEPTH = dc``, ``AL1 = -L/2``, ``AL2 = +L/2``, ``AW1 = -W/2``, ``AW2 = +W/2``.
This is the same fault as Okada's corner convention (``AL = [0, L]``,
``AW = [0, W]``) with the reference point at the lower (down-dip) left corner:
``x0 = xc - (L/2) s - (W/2) cos(delta) t``, depth ``dc + (W/2) sin(delta)``,
where ``s = (sin phi, cos phi)`` is the strike unit vector (east, north) and
``t = (-cos phi, sin phi)`` is the horizontal unit vector 90 deg
counter-clockwise from strike (Okada's +y, the up-dip side: the fault dips to
the right of the strike direction).  The top edge is at depth
``dc - (W/2) sin(delta)``, which must not be negative.

Rotation by strike: an observation point ``(x, y)`` becomes, relative to the
centre, ``xl = (x-xc) sin(phi) + (y-yc) cos(phi)`` (along strike) and
``yl = -(x-xc) cos(phi) + (y-yc) sin(phi)``; displacements come back as
``ue = ux sin(phi) - uy cos(phi)``, ``un = ux cos(phi) + uy sin(phi)``,
``uu = uz``.

Signs (Okada's): strike-slip positive = left-lateral, dip-slip positive =
reverse (hanging wall up), opening positive = tensile opening; a closing
(mined, collapsing) seam has a NEGATIVE opening and makes the surface subside.
"""
from __future__ import annotations

import math

import numpy as np

from ._numba import njit, prange


__all__ = ["dc3d", "dc3d0", "rectangles_enu", "rectangles_los", "alpha_from_poisson",
           "validate_sources", "SOURCE_COLUMNS", "los_vector"]

#: columns of a source array (metres / degrees)
SOURCE_COLUMNS = ("x", "y", "depth", "length", "width", "strike", "dip", "opening",
                  "strike_slip", "dip_slip")

_EPS = 1.0e-6
_TWO_PI = 2.0 * math.pi


def alpha_from_poisson(poisson: float) -> float:
    """Medium constant ``alpha = (lambda+mu)/(lambda+2mu) = 1 / (2 (1 - nu))``."""
    nu = float(poisson)
    if not math.isfinite(nu) or not (-1.0 < nu < 0.5):
        raise ValueError(f"POISSON: Poisson's ratio must be in (-1, 0.5), got {poisson!r}")
    return 1.0 / (2.0 * (1.0 - nu))


def los_vector(incidence_deg: float, heading_deg: float):
    """(E, N, U) unit vector from the ground toward the satellite (DESIGN 2)."""
    th = math.radians(float(incidence_deg))
    h = math.radians(float(heading_deg))
    return (-math.sin(th) * math.cos(h), math.sin(th) * math.sin(h), math.cos(th))


# =============================================================================
# Finite rectangle (Okada 1992, Table 6)
# =============================================================================
@njit(cache=True, nogil=True)
def _dip_consts(dip_deg):
    """sin and cos of the dip, with cos forced to 0 (and sin to +-1) near 90 deg."""
    rad = dip_deg * math.pi / 180.0
    sd = math.sin(rad)
    cd = math.cos(rad)
    if abs(cd) < _EPS:
        cd = 0.0
        if sd > 0.0:
            sd = 1.0
        elif sd < 0.0:
            sd = -1.0
    return sd, cd


@njit(cache=True, nogil=True)
def _rect_terms(xi, et, q, z, sd, cd, kxi, ket, alpha, d1, d2, d3, with_bc, ua, ub, uc):
    """Evaluate u_A, u_B and z-factor u_C of Table 6 at one corner.

    Each of ``ua, ub, uc`` receives 12 values: displacement (3), then d/dx,
    d/dy, d/dz (3 each) in the fault-plane system, already multiplied by the
    dislocations / (2 pi).  ``ub, uc`` are computed only if ``with_bc``.
    """
    for i in range(12):
        ua[i] = 0.0
        ub[i] = 0.0
        uc[i] = 0.0
    if abs(xi) < _EPS:
        xi = 0.0
    if abs(et) < _EPS:
        et = 0.0
    if abs(q) < _EPS:
        q = 0.0
    xi2 = xi * xi
    et2 = et * et
    q2 = q * q
    r2 = xi2 + et2 + q2
    r = math.sqrt(r2)
    if r == 0.0:
        return
    r3 = r * r2
    r5 = r3 * r2
    yb = et * cd + q * sd          # y~
    db = et * sd - q * cd          # d~
    if q == 0.0:
        theta = 0.0
    else:
        theta = math.atan(xi * et / (q * r))
    if kxi == 1:
        lnx = -math.log(r - xi)
        x11 = 0.0
        x32 = 0.0
    else:
        rx = r + xi
        lnx = math.log(rx)
        x11 = 1.0 / (r * rx)
        x32 = (r + rx) * x11 * x11 / r
    if ket == 1:
        lne = -math.log(r - et)
        y11 = 0.0
        y32 = 0.0
    else:
        re = r + et
        lne = math.log(re)
        y11 = 1.0 / (r * re)
        y32 = (r + re) * y11 * y11 / r
    # auxiliary E, F, G, H and their primed (z) versions
    ey = sd / r - yb * q / r3
    ez = cd / r + db * q / r3
    fy = db / r3 + xi2 * y32 * sd
    fz = yb / r3 + xi2 * y32 * cd
    gy = 2.0 * x11 * sd - yb * q * x32
    gz = 2.0 * x11 * cd + db * q * x32
    hy = db * q * x32 + xi * q * y32 * sd
    hz = yb * q * x32 + xi * q * y32 * cd

    a1 = 0.5 * (1.0 - alpha)
    a2 = 0.5 * alpha
    xy = xi * y11
    qx = q * x11
    qy = q * y11
    s1 = d1 / _TWO_PI
    s2 = d2 / _TWO_PI
    s3 = d3 / _TWO_PI
    # ------------------------------------------------------------- part A
    if s1 != 0.0:
        ua[0] += s1 * (0.5 * theta + a2 * xi * qy)
        ua[1] += s1 * (a2 * q / r)
        ua[2] += s1 * (a1 * lne - a2 * q * qy)
        ua[3] += s1 * (-a1 * qy - a2 * xi2 * q * y32)
        ua[4] += s1 * (-a2 * xi * q / r3)
        ua[5] += s1 * (a1 * xy + a2 * xi * q2 * y32)
        ua[6] += s1 * (a1 * xy * sd + a2 * xi * fy + 0.5 * db * x11)
        ua[7] += s1 * (a2 * ey)
        ua[8] += s1 * (a1 * (cd / r + qy * sd) - a2 * q * fy)
        ua[9] += s1 * (a1 * xy * cd + a2 * xi * fz + 0.5 * yb * x11)
        ua[10] += s1 * (a2 * ez)
        ua[11] += s1 * (-a1 * (sd / r - qy * cd) - a2 * q * fz)
    if s2 != 0.0:
        ua[0] += s2 * (a2 * q / r)
        ua[1] += s2 * (0.5 * theta + a2 * et * qx)
        ua[2] += s2 * (a1 * lnx - a2 * q * qx)
        ua[3] += s2 * (-a2 * xi * q / r3)
        ua[4] += s2 * (-0.5 * qy - a2 * et * q / r3)
        ua[5] += s2 * (a1 / r + a2 * q2 / r3)
        ua[6] += s2 * (a2 * ey)
        ua[7] += s2 * (a1 * db * x11 + 0.5 * xy * sd + a2 * et * gy)
        ua[8] += s2 * (a1 * yb * x11 - a2 * q * gy)
        ua[9] += s2 * (a2 * ez)
        ua[10] += s2 * (a1 * yb * x11 + 0.5 * xy * cd + a2 * et * gz)
        ua[11] += s2 * (-a1 * db * x11 - a2 * q * gz)
    if s3 != 0.0:
        ua[0] += s3 * (-a1 * lne - a2 * q * qy)
        ua[1] += s3 * (-a1 * lnx - a2 * q * qx)
        ua[2] += s3 * (0.5 * theta - a2 * (et * qx + xi * qy))
        ua[3] += s3 * (-a1 * xy + a2 * xi * q2 * y32)
        ua[4] += s3 * (-a1 / r + a2 * q2 / r3)
        ua[5] += s3 * (-a1 * qy - a2 * q * q2 * y32)
        ua[6] += s3 * (-a1 * (cd / r + qy * sd) - a2 * q * fy)
        ua[7] += s3 * (-a1 * yb * x11 - a2 * q * gy)
        ua[8] += s3 * (a1 * (db * x11 + xy * sd) + a2 * q * hy)
        ua[9] += s3 * (a1 * (sd / r - qy * cd) - a2 * q * fz)
        ua[10] += s3 * (a1 * db * x11 - a2 * q * gz)
        ua[11] += s3 * (a1 * (yb * x11 + xy * cd) + a2 * q * hz)
    if not with_bc:
        return
    # ------------------------------------------------------------- part B
    a3 = (1.0 - alpha) / alpha
    rd = r + db
    d11 = 1.0 / (r * rd)
    j2 = xi * yb / rd * d11
    j5 = -(db + yb * yb / rd) * d11
    if cd != 0.0:
        cdcd = cd * cd
        if xi == 0.0:
            i4 = 0.0
        else:
            xx = math.sqrt(xi2 + q2)
            i4 = (xi / rd * sd * cd
                  + 2.0 * math.atan((et * (xx + q * cd) + xx * (r + xx) * sd) / (xi * (r + xx) * cd))) / cdcd
        i3 = (yb * cd / rd - lne + sd * math.log(rd)) / cdcd
        k1 = xi * (d11 - y11 * sd) / cd
        k3 = (q * y11 - yb * d11) / cd
        j3 = (k1 - j2 * sd) / cd
        j6 = (k3 - j5 * sd) / cd
    else:
        rd2 = rd * rd
        i3 = 0.5 * (et / rd + yb * q / rd2 - lne)
        i4 = 0.5 * xi * yb / rd2
        k1 = xi * q / rd * d11
        k3 = sd / rd * (xi2 * d11 - 1.0)
        j3 = -xi / rd2 * (q2 * d11 - 0.5)
        j6 = -yb / rd2 * (xi2 * d11 - 0.5)
    i1 = -xi / rd * cd - i4 * sd
    i2 = math.log(rd) + i3 * sd
    k2 = 1.0 / r + k3 * sd
    k4 = xy * cd - k1 * sd
    j1 = j5 * cd - j6 * sd
    j4 = -xy - j2 * cd + j3 * sd
    if s1 != 0.0:
        ub[0] += s1 * (-xi * qy - theta - a3 * i1 * sd)
        ub[1] += s1 * (-q / r + a3 * yb / rd * sd)
        ub[2] += s1 * (q * qy - a3 * i2 * sd)
        ub[3] += s1 * (xi2 * q * y32 - a3 * j1 * sd)
        ub[4] += s1 * (xi * q / r3 - a3 * j2 * sd)
        ub[5] += s1 * (-xi * q2 * y32 - a3 * j3 * sd)
        ub[6] += s1 * (-xi * fy - db * x11 + a3 * (xy + j4) * sd)
        ub[7] += s1 * (-ey + a3 * (1.0 / r + j5) * sd)
        ub[8] += s1 * (q * fy - a3 * (qy - j6) * sd)
        ub[9] += s1 * (-xi * fz - yb * x11 + a3 * k1 * sd)
        ub[10] += s1 * (-ez + a3 * yb * d11 * sd)
        ub[11] += s1 * (q * fz + a3 * k2 * sd)
    if s2 != 0.0:
        sc = sd * cd
        ub[0] += s2 * (-q / r + a3 * i3 * sc)
        ub[1] += s2 * (-et * qx - theta - a3 * xi / rd * sc)
        ub[2] += s2 * (q * qx + a3 * i4 * sc)
        ub[3] += s2 * (xi * q / r3 + a3 * j4 * sc)
        ub[4] += s2 * (et * q / r3 + qy + a3 * j5 * sc)
        ub[5] += s2 * (-q2 / r3 + a3 * j6 * sc)
        ub[6] += s2 * (-ey + a3 * j1 * sc)
        ub[7] += s2 * (-et * gy - xy * sd + a3 * j2 * sc)
        ub[8] += s2 * (q * gy + a3 * j3 * sc)
        ub[9] += s2 * (-ez - a3 * k3 * sc)
        ub[10] += s2 * (-et * gz - xy * cd - a3 * xi * d11 * sc)
        ub[11] += s2 * (q * gz - a3 * k4 * sc)
    if s3 != 0.0:
        ss = sd * sd
        ub[0] += s3 * (q * qy - a3 * i3 * ss)
        ub[1] += s3 * (q * qx + a3 * xi / rd * ss)
        ub[2] += s3 * (et * qx + xi * qy - theta - a3 * i4 * ss)
        ub[3] += s3 * (-xi * q2 * y32 - a3 * j4 * ss)
        ub[4] += s3 * (-q2 / r3 - a3 * j5 * ss)
        ub[5] += s3 * (q * q2 * y32 - a3 * j6 * ss)
        ub[6] += s3 * (q * fy - a3 * j1 * ss)
        ub[7] += s3 * (q * gy - a3 * j2 * ss)
        ub[8] += s3 * (-q * hy - a3 * j3 * ss)
        ub[9] += s3 * (q * fz + a3 * k3 * ss)
        ub[10] += s3 * (q * gz + a3 * xi * d11 * ss)
        ub[11] += s3 * (-q * hz + a3 * k4 * ss)
    # ------------------------------------------------------------- part C
    a4 = 1.0 - alpha
    a5 = alpha
    c = db + z
    x53 = (8.0 * r2 + 9.0 * r * xi + 3.0 * xi2) * x11 * x11 * x11 / r2
    y53 = (8.0 * r2 + 9.0 * r * et + 3.0 * et2) * y11 * y11 * y11 / r2
    h = q * cd - z
    z32 = sd / r3 - h * y32
    z53 = 3.0 * sd / r5 - h * y53
    y0 = y11 - xi2 * y32
    z0 = z32 - xi2 * z53
    ppy = cd / r3 + q * y32 * sd
    ppz = sd / r3 - q * y32 * cd
    qq = z * y32 + z32 + z0
    qqy = 3.0 * c * db / r5 - qq * sd
    qqz = 3.0 * c * yb / r5 - qq * cd + q * y32
    qr = 3.0 * q / r5
    cdr = (c + db) / r3
    yy0 = yb / r3 - y0 * cd
    sdsd = sd * sd
    sdcd = sd * cd
    cdcd = cd * cd
    if s1 != 0.0:
        uc[0] += s1 * (a4 * xy * cd - a5 * xi * q * z32)
        uc[1] += s1 * (a4 * (cd / r + 2.0 * qy * sd) - a5 * c * q / r3)
        uc[2] += s1 * (a4 * qy * cd - a5 * (c * et / r3 - z * y11 + xi2 * z32))
        uc[3] += s1 * (a4 * y0 * cd - a5 * q * z0)
        uc[4] += s1 * (-a4 * xi * (cd / r3 + 2.0 * q * y32 * sd) + a5 * c * xi * qr)
        uc[5] += s1 * (-a4 * xi * q * y32 * cd + a5 * xi * (3.0 * c * et / r5 - qq))
        uc[6] += s1 * (-a4 * xi * ppy * cd - a5 * xi * qqy)
        uc[7] += s1 * (a4 * 2.0 * (db / r3 - y0 * sd) * sd - yb / r3 * cd
                       - a5 * (cdr * sd - et / r3 - c * yb * qr))
        uc[8] += s1 * (-a4 * q / r3 + yy0 * sd + a5 * (cdr * cd + c * db * qr - (y0 * cd + q * z0) * sd))
        uc[9] += s1 * (a4 * xi * ppz * cd - a5 * xi * qqz)
        uc[10] += s1 * (a4 * 2.0 * (yb / r3 - y0 * cd) * sd + db / r3 * cd - a5 * (cdr * cd + c * db * qr))
        uc[11] += s1 * (yy0 * cd - a5 * (cdr * sd - c * yb * qr - y0 * sdsd + q * z0 * cd))
    if s2 != 0.0:
        uc[0] += s2 * (a4 * cd / r - qy * sd - a5 * c * q / r3)
        uc[1] += s2 * (a4 * yb * x11 - a5 * c * et * q * x32)
        uc[2] += s2 * (-db * x11 - xy * sd - a5 * c * (x11 - q2 * x32))
        uc[3] += s2 * (-a4 * xi / r3 * cd + a5 * c * xi * qr + xi * q * y32 * sd)
        uc[4] += s2 * (-a4 * yb / r3 + a5 * c * et * qr)
        uc[5] += s2 * (db / r3 - y0 * sd + a5 * c / r3 * (1.0 - 3.0 * q2 / r2))
        uc[6] += s2 * (-a4 * et / r3 + y0 * sdsd - a5 * (cdr * sd - c * yb * qr))
        uc[7] += s2 * (a4 * (x11 - yb * yb * x32) - a5 * c * ((db + 2.0 * q * cd) * x32 - yb * et * q * x53))
        uc[8] += s2 * (xi * ppy * sd + yb * db * x32 + a5 * c * ((yb + 2.0 * q * sd) * x32 - yb * q2 * x53))
        uc[9] += s2 * (-q / r3 + y0 * sdcd - a5 * (cdr * cd + c * db * qr))
        uc[10] += s2 * (a4 * yb * db * x32 - a5 * c * ((yb - 2.0 * q * sd) * x32 + db * et * q * x53))
        uc[11] += s2 * (-xi * ppz * sd + x11 - db * db * x32 - a5 * c * ((db - 2.0 * q * cd) * x32 - db * q2 * x53))
    if s3 != 0.0:
        uc[0] += s3 * (-a4 * (sd / r + qy * cd) - a5 * (z * y11 - q2 * z32))
        uc[1] += s3 * (a4 * 2.0 * xy * sd + db * x11 - a5 * c * (x11 - q2 * x32))
        uc[2] += s3 * (a4 * (yb * x11 + xy * cd) + a5 * q * (c * et * x32 + xi * z32))
        uc[3] += s3 * (a4 * xi / r3 * sd + xi * q * y32 * cd + a5 * xi * (3.0 * c * et / r5 - 2.0 * z32 - z0))
        uc[4] += s3 * (a4 * 2.0 * y0 * sd - db / r3 + a5 * c / r3 * (1.0 - 3.0 * q2 / r2))
        uc[5] += s3 * (-a4 * yy0 - a5 * (c * et * qr - q * z0))
        uc[6] += s3 * (a4 * (q / r3 + y0 * sdcd) + a5 * (z / r3 * cd + c * db * qr - q * z0 * sd))
        uc[7] += s3 * (-a4 * 2.0 * xi * ppy * sd - yb * db * x32
                       + a5 * c * ((yb + 2.0 * q * sd) * x32 - yb * q2 * x53))
        uc[8] += s3 * (-a4 * (xi * ppy * cd - x11 + yb * yb * x32)
                       + a5 * (c * ((db + 2.0 * q * cd) * x32 - yb * et * q * x53) + xi * qqy))
        uc[9] += s3 * (-et / r3 + y0 * cdcd - a5 * (z / r3 * sd - c * yb * qr - y0 * sdsd + q * z0 * cd))
        uc[10] += s3 * (a4 * 2.0 * xi * ppz * sd - x11 + db * db * x32
                        - a5 * c * ((db - 2.0 * q * cd) * x32 - db * q2 * x53))
        uc[11] += s3 * (a4 * (xi * ppz * cd + yb * db * x32)
                        + a5 * (c * ((yb - 2.0 * q * sd) * x32 + db * et * q * x53) + xi * qqz))


@njit(cache=True, nogil=True)
def _snap_edges(xa, xb, ea, eb, q):  # pragma: no cover - numba
    """Okada's rounding of near-zero rectangle coordinates (|v| < 1e-6 -> 0) and
    the on-edge singularity test; returns ``(xa, xb, ea, eb, q, on_edge)``."""
    if abs(xa) < _EPS:
        xa = 0.0
    if abs(xb) < _EPS:
        xb = 0.0
    if abs(ea) < _EPS:
        ea = 0.0
    if abs(eb) < _EPS:
        eb = 0.0
    if abs(q) < _EPS:
        q = 0.0
    on_edge = q == 0.0 and ((xa * xb <= 0.0 and ea * eb == 0.0) or (ea * eb <= 0.0 and xa * xb == 0.0))
    return xa, xb, ea, eb, q, on_edge


@njit(cache=True, nogil=True)
def _dc3d_one(alpha, x, y, z, depth, sd, cd, al1, al2, aw1, aw2, d1, d2, d3, out, ua, ub, uc):
    """DC3D at one point; writes 12 values into ``out``; returns iret."""
    for i in range(12):
        out[i] = 0.0
    if z > 0.0:
        return 2
    xis = (x - al1, x - al2)
    for src in range(2):          # 0 = real source (part A), 1 = image source (A+B+C)
        if src == 0:
            dd = depth + z
        else:
            dd = depth - z
        p = y * cd + dd * sd
        q = y * sd - dd * cd
        ets = (p - aw1, p - aw2)
        xa = xis[0]
        xb = xis[1]
        ea = ets[0]
        eb = ets[1]
        xa, xb, ea, eb, q, on_edge = _snap_edges(xa, xb, ea, eb, q)
        if on_edge:     # singular: observation on a fault edge
            for i in range(12):
                out[i] = 0.0
            return 1
        # negative extension of an edge: R + xi -> 0 or R + eta -> 0
        rab = math.sqrt(xa * xa + eb * eb + q * q)
        rba = math.sqrt(xb * xb + ea * ea + q * q)
        rbb = math.sqrt(xb * xb + eb * eb + q * q)
        kx0 = 1 if (xa < 0.0 and rba + xb < _EPS) else 0    # for eta row 0
        kx1 = 1 if (xa < 0.0 and rbb + xb < _EPS) else 0    # for eta row 1
        ke0 = 1 if (ea < 0.0 and rab + eb < _EPS) else 0    # for xi column 0
        ke1 = 1 if (ea < 0.0 and rbb + eb < _EPS) else 0    # for xi column 1
        for k in range(2):
            et = ea if k == 0 else eb
            kxi = kx0 if k == 0 else kx1
            for j in range(2):
                xi = xa if j == 0 else xb
                ket = ke0 if j == 0 else ke1
                sign = 1.0 if (j + k) != 1 else -1.0
                _rect_terms(xi, et, q, z, sd, cd, kxi, ket, alpha, d1, d2, d3, src == 1, ua, ub, uc)
                if src == 0:
                    for i0 in range(0, 12, 3):
                        v0 = -ua[i0]
                        v1 = -ua[i0 + 1] * cd + ua[i0 + 2] * sd
                        v2 = -ua[i0 + 1] * sd - ua[i0 + 2] * cd
                        if i0 == 9:
                            v0 = -v0
                            v1 = -v1
                            v2 = -v2
                        out[i0] += sign * v0
                        out[i0 + 1] += sign * v1
                        out[i0 + 2] += sign * v2
                else:
                    for i0 in range(0, 12, 3):
                        t0 = ua[i0] + ub[i0] + z * uc[i0]
                        v1 = ((ua[i0 + 1] + ub[i0 + 1] + z * uc[i0 + 1]) * cd
                              - (ua[i0 + 2] + ub[i0 + 2] + z * uc[i0 + 2]) * sd)
                        v2 = ((ua[i0 + 1] + ub[i0 + 1] - z * uc[i0 + 1]) * sd
                              + (ua[i0 + 2] + ub[i0 + 2] - z * uc[i0 + 2]) * cd)
                        if i0 == 9:
                            t0 += uc[0]
                            v1 += uc[1] * cd - uc[2] * sd
                            v2 += -uc[1] * sd - uc[2] * cd
                        out[i0] += sign * t0
                        out[i0 + 1] += sign * v1
                        out[i0 + 2] += sign * v2
    return 0


@njit(cache=True, nogil=True)
def _dc3d_kernel(alpha, x, y, z, depth, dip, al1, al2, aw1, aw2, d1, d2, d3, out, iret):
    sd, cd = _dip_consts(dip)
    ua = np.empty(12)
    ub = np.empty(12)
    uc = np.empty(12)
    o = np.empty(12)
    for n in range(x.shape[0]):
        iret[n] = _dc3d_one(alpha, x[n], y[n], z[n], depth, sd, cd, al1, al2, aw1, aw2, d1, d2, d3, o, ua, ub, uc)
        for i in range(12):
            out[n, i] = o[i]


@njit(cache=True, nogil=True, parallel=True)
def _dc3d_kernel_par(alpha, x, y, z, depth, dip, al1, al2, aw1, aw2, d1, d2, d3, out, iret):
    sd, cd = _dip_consts(dip)
    n = x.shape[0]
    nchunk = 64
    step = (n + nchunk - 1) // nchunk
    for c in prange(nchunk):
        ua = np.empty(12)
        ub = np.empty(12)
        uc = np.empty(12)
        o = np.empty(12)
        for m in range(c * step, min(n, (c + 1) * step)):
            iret[m] = _dc3d_one(alpha, x[m], y[m], z[m], depth, sd, cd, al1, al2, aw1, aw2, d1, d2, d3,
                                o, ua, ub, uc)
            for i in range(12):
                out[m, i] = o[i]


# =============================================================================
# Point source (Okada 1992, Tables 2-4)
# =============================================================================
@njit(cache=True, nogil=True)
def _point_terms(x, y, d, z, sd, cd, alpha, p1, p2, p3, p4, with_bc, ua, ub, uc):
    """u_A, u_B, u_C of the point source (Tables 2-4) at (x, y) for source
    depth term ``d`` (depth +- z); each 12 values times potency / (2 pi).
    Returns False if R == 0."""
    for i in range(12):
        ua[i] = 0.0
        ub[i] = 0.0
        uc[i] = 0.0
    if abs(x) < _EPS:
        x = 0.0
    if abs(y) < _EPS:
        y = 0.0
    if abs(d) < _EPS:
        d = 0.0
    p = y * cd + d * sd
    q = y * sd - d * cd
    s = p * sd + q * cd
    t = p * cd - q * sd
    xy = x * y
    x2 = x * x
    y2 = y * y
    d2 = d * d
    r2 = x2 + y2 + d2
    r = math.sqrt(r2)
    if r == 0.0:
        return False
    r3 = r * r2
    r5 = r3 * r2
    r7 = r5 * r2
    a3 = 1.0 - 3.0 * x2 / r2
    a5 = 1.0 - 5.0 * x2 / r2
    b3 = 1.0 - 3.0 * y2 / r2
    c3 = 1.0 - 3.0 * d2 / r2
    qr = 3.0 * q / r5
    qrx = 5.0 * qr * x / r2
    uy = sd - 5.0 * y * q / r2
    uz = cd + 5.0 * d * q / r2
    vy = s - 5.0 * y * p * q / r2
    vz = t + 5.0 * d * p * q / r2
    wy = uy + sd
    wz = uz + cd
    sdsd = sd * sd
    sdcd = sd * cd
    s2d = 2.0 * sdcd
    c2d = cd * cd - sdsd
    a1 = 0.5 * (1.0 - alpha)
    a2 = 0.5 * alpha
    s1 = p1 / _TWO_PI
    s2 = p2 / _TWO_PI
    s3 = p3 / _TWO_PI
    s4 = p4 / _TWO_PI
    # ------------------------------------------------------------- part A
    if s1 != 0.0:
        ua[0] += s1 * (a1 * q / r3 + a2 * x2 * qr)
        ua[1] += s1 * (a1 * x / r3 * sd + a2 * xy * qr)
        ua[2] += s1 * (-a1 * x / r3 * cd + a2 * x * d * qr)
        ua[3] += s1 * (x * qr * (-a1 + a2 * (1.0 + a5)))
        ua[4] += s1 * (a1 * a3 / r3 * sd + a2 * y * qr * a5)
        ua[5] += s1 * (-a1 * a3 / r3 * cd + a2 * d * qr * a5)
        ua[6] += s1 * (a1 * (sd / r3 - y * qr) + a2 * 3.0 * x2 / r5 * uy)
        ua[7] += s1 * (3.0 * x / r5 * (-a1 * y * sd + a2 * (y * uy + q)))
        ua[8] += s1 * (3.0 * x / r5 * (a1 * y * cd + a2 * d * uy))
        ua[9] += s1 * (a1 * (cd / r3 + d * qr) + a2 * 3.0 * x2 / r5 * uz)
        ua[10] += s1 * (3.0 * x / r5 * (a1 * d * sd + a2 * y * uz))
        ua[11] += s1 * (3.0 * x / r5 * (-a1 * d * cd + a2 * (d * uz - q)))
    if s2 != 0.0:
        ua[0] += s2 * (a2 * x * p * qr)
        ua[1] += s2 * (a1 * s / r3 + a2 * y * p * qr)
        ua[2] += s2 * (-a1 * t / r3 + a2 * d * p * qr)
        ua[3] += s2 * (a2 * p * qr * a5)
        ua[4] += s2 * (-a1 * 3.0 * x * s / r5 - a2 * y * p * qrx)
        ua[5] += s2 * (a1 * 3.0 * x * t / r5 - a2 * d * p * qrx)
        ua[6] += s2 * (a2 * 3.0 * x / r5 * vy)
        ua[7] += s2 * (a1 * (s2d / r3 - 3.0 * y * s / r5) + a2 * (3.0 * y / r5 * vy + p * qr))
        ua[8] += s2 * (-a1 * (c2d / r3 - 3.0 * y * t / r5) + a2 * 3.0 * d / r5 * vy)
        ua[9] += s2 * (a2 * 3.0 * x / r5 * vz)
        ua[10] += s2 * (a1 * (c2d / r3 + 3.0 * d * s / r5) + a2 * 3.0 * y / r5 * vz)
        ua[11] += s2 * (a1 * (s2d / r3 - 3.0 * d * t / r5) + a2 * (3.0 * d / r5 * vz - p * qr))
    if s3 != 0.0:
        ua[0] += s3 * (a1 * x / r3 - a2 * x * q * qr)
        ua[1] += s3 * (a1 * t / r3 - a2 * y * q * qr)
        ua[2] += s3 * (a1 * s / r3 - a2 * d * q * qr)
        ua[3] += s3 * (a1 * a3 / r3 - a2 * q * qr * a5)
        ua[4] += s3 * (-a1 * 3.0 * x * t / r5 + a2 * y * q * qrx)
        ua[5] += s3 * (-a1 * 3.0 * x * s / r5 + a2 * d * q * qrx)
        ua[6] += s3 * (-a1 * 3.0 * xy / r5 - a2 * x * qr * wy)
        ua[7] += s3 * (a1 * (c2d / r3 - 3.0 * y * t / r5) - a2 * (y * wy + q) * qr)
        ua[8] += s3 * (a1 * (s2d / r3 - 3.0 * y * s / r5) - a2 * d * qr * wy)
        ua[9] += s3 * (a1 * 3.0 * x * d / r5 - a2 * x * qr * wz)
        ua[10] += s3 * (-a1 * (s2d / r3 - 3.0 * d * t / r5) - a2 * y * qr * wz)
        ua[11] += s3 * (a1 * (c2d / r3 + 3.0 * d * s / r5) - a2 * (d * wz - q) * qr)
    if s4 != 0.0:
        v5 = a1 * 3.0 * xy / r5
        v6 = a1 * 3.0 * x * d / r5
        v9 = a1 * 3.0 * y * d / r5
        ua[0] += s4 * (-a1 * x / r3)
        ua[1] += s4 * (-a1 * y / r3)
        ua[2] += s4 * (-a1 * d / r3)
        ua[3] += s4 * (-a1 * a3 / r3)
        ua[4] += s4 * v5
        ua[5] += s4 * v6
        ua[6] += s4 * v5
        ua[7] += s4 * (-a1 * b3 / r3)
        ua[8] += s4 * v9
        ua[9] += s4 * (-v6)
        ua[10] += s4 * (-v9)
        ua[11] += s4 * (a1 * c3 / r3)
    if not with_bc:
        return True
    # ------------------------------------------------------------- part B
    a3c = (1.0 - alpha) / alpha
    c = d + z
    rd = r + d
    d12 = 1.0 / (r * rd * rd)
    d32 = d12 * (2.0 * r + d) / r2
    d33 = d12 * (3.0 * r + d) / (r2 * rd)
    d53 = d12 * (8.0 * r2 + 9.0 * r * d + 3.0 * d2) / (r2 * r2 * rd)
    d54 = d12 * (5.0 * r2 + 4.0 * r * d + d2) / r3 * d12
    fi1 = y * (d12 - x2 * d33)
    fi2 = x * (d12 - y2 * d33)
    fi3 = x / r3 - fi2
    fi4 = -xy * d32
    fi5 = 1.0 / (r * rd) - x2 * d32
    fj1 = -3.0 * xy * (d33 - x2 * d54)
    fj2 = 1.0 / r3 - 3.0 * d12 + 3.0 * x2 * y2 * d54
    fj3 = a3 / r3 - fj2
    fj4 = -3.0 * xy / r5 - fj1
    fk1 = -y * (d32 - x2 * d53)
    fk2 = -x * (d32 - y2 * d53)
    fk3 = -3.0 * x * d / r5 - fk2
    if s1 != 0.0:
        ub[0] += s1 * (-x2 * qr - a3c * fi1 * sd)
        ub[1] += s1 * (-xy * qr - a3c * fi2 * sd)
        ub[2] += s1 * (-c * x * qr - a3c * fi4 * sd)
        ub[3] += s1 * (-x * qr * (1.0 + a5) - a3c * fj1 * sd)
        ub[4] += s1 * (-y * qr * a5 - a3c * fj2 * sd)
        ub[5] += s1 * (-c * qr * a5 - a3c * fk1 * sd)
        ub[6] += s1 * (-3.0 * x2 / r5 * uy - a3c * fj2 * sd)
        ub[7] += s1 * (-3.0 * xy / r5 * uy - x * qr - a3c * fj4 * sd)
        ub[8] += s1 * (-3.0 * c * x / r5 * uy - a3c * fk2 * sd)
        ub[9] += s1 * (-3.0 * x2 / r5 * uz + a3c * fk1 * sd)
        ub[10] += s1 * (-3.0 * xy / r5 * uz + a3c * fk2 * sd)
        ub[11] += s1 * (3.0 * x / r5 * (-c * uz + a3c * y * sd))
    if s2 != 0.0:
        ub[0] += s2 * (-x * p * qr + a3c * fi3 * sdcd)
        ub[1] += s2 * (-y * p * qr + a3c * fi1 * sdcd)
        ub[2] += s2 * (-c * p * qr + a3c * fi5 * sdcd)
        ub[3] += s2 * (-p * qr * a5 + a3c * fj3 * sdcd)
        ub[4] += s2 * (y * p * qrx + a3c * fj1 * sdcd)
        ub[5] += s2 * (c * p * qrx + a3c * fk3 * sdcd)
        ub[6] += s2 * (-3.0 * x / r5 * vy + a3c * fj1 * sdcd)
        ub[7] += s2 * (-3.0 * y / r5 * vy - p * qr + a3c * fj2 * sdcd)
        ub[8] += s2 * (-3.0 * c / r5 * vy + a3c * fk1 * sdcd)
        ub[9] += s2 * (-3.0 * x / r5 * vz - a3c * fk3 * sdcd)
        ub[10] += s2 * (-3.0 * y / r5 * vz - a3c * fk1 * sdcd)
        ub[11] += s2 * (-3.0 * c / r5 * vz + a3c * a3 / r3 * sdcd)
    if s3 != 0.0:
        ub[0] += s3 * (x * q * qr - a3c * fi3 * sdsd)
        ub[1] += s3 * (y * q * qr - a3c * fi1 * sdsd)
        ub[2] += s3 * (c * q * qr - a3c * fi5 * sdsd)
        ub[3] += s3 * (q * qr * a5 - a3c * fj3 * sdsd)
        ub[4] += s3 * (-y * q * qrx - a3c * fj1 * sdsd)
        ub[5] += s3 * (-c * q * qrx - a3c * fk3 * sdsd)
        ub[6] += s3 * (x * qr * wy - a3c * fj1 * sdsd)
        ub[7] += s3 * (qr * (y * wy + q) - a3c * fj2 * sdsd)
        ub[8] += s3 * (c * qr * wy - a3c * fk1 * sdsd)
        ub[9] += s3 * (x * qr * wz + a3c * fk3 * sdsd)
        ub[10] += s3 * (y * qr * wz + a3c * fk1 * sdsd)
        ub[11] += s3 * (c * qr * wz - a3c * a3 / r3 * sdsd)
    if s4 != 0.0:
        w5 = -a3c * 3.0 * xy / r5
        w6 = -a3c * 3.0 * x * d / r5
        w9 = -a3c * 3.0 * y * d / r5
        ub[0] += s4 * (a3c * x / r3)
        ub[1] += s4 * (a3c * y / r3)
        ub[2] += s4 * (a3c * d / r3)
        ub[3] += s4 * (a3c * a3 / r3)
        ub[4] += s4 * w5
        ub[5] += s4 * w6
        ub[6] += s4 * w5
        ub[7] += s4 * (a3c * b3 / r3)
        ub[8] += s4 * w9
        ub[9] += s4 * (-w6)
        ub[10] += s4 * (-w9)
        ub[11] += s4 * (-a3c * c3 / r3)
    # ------------------------------------------------------------- part C
    a4 = 1.0 - alpha
    a5c = alpha
    q2 = q * q
    a7 = 1.0 - 7.0 * x2 / r2
    b5 = 1.0 - 5.0 * y2 / r2
    b7 = 1.0 - 7.0 * y2 / r2
    c5 = 1.0 - 5.0 * d2 / r2
    c7 = 1.0 - 7.0 * d2 / r2
    d7 = 2.0 - 7.0 * q2 / r2
    qr5 = 5.0 * q / r2
    qr7 = 7.0 * q / r2
    dr5 = 5.0 * d / r2
    if s1 != 0.0:
        t5 = 3.0 / r5 * (a4 * y * a5 * cd + a5c * c * (a5 * sd - y * qr5 * a7))
        uc[0] += s1 * (-a4 * a3 / r3 * cd + a5c * c * qr * a5)
        uc[1] += s1 * (3.0 * x / r5 * (a4 * y * cd + a5c * c * (sd - y * qr5)))
        uc[2] += s1 * (3.0 * x / r5 * (-a4 * y * sd + a5c * c * (cd + d * qr5)))
        uc[3] += s1 * (a4 * 3.0 * x / r5 * (2.0 + a5) * cd - a5c * c * qrx * (2.0 + a7))
        uc[4] += s1 * t5
        uc[5] += s1 * (3.0 / r5 * (-a4 * y * a5 * sd + a5c * c * (a5 * cd + d * qr5 * a7)))
        uc[6] += s1 * t5
        uc[7] += s1 * (3.0 * x / r5 * (a4 * b5 * cd - a5c * 5.0 * c / r2 * (2.0 * y * sd + q * b7)))
        uc[8] += s1 * (3.0 * x / r5 * (-a4 * b5 * sd + a5c * 5.0 * c / r2 * (d * b7 * sd - y * c7 * cd)))
        uc[9] += s1 * (3.0 / r5 * (-a4 * d * a5 * cd + a5c * c * (a5 * cd + d * qr5 * a7)))
        uc[10] += s1 * (15.0 * x / r7 * (a4 * y * d * cd + a5c * c * (d * b7 * sd - y * c7 * cd)))
        uc[11] += s1 * (15.0 * x / r7 * (-a4 * y * d * sd + a5c * c * (2.0 * d * cd - q * c7)))
    if s2 != 0.0:
        t5 = 3.0 * x / r5 * (a4 * (c2d - 5.0 * y * t / r2) - a5c * 5.0 * c / r2 * (s - y * p * qr7))
        uc[0] += s2 * (a4 * 3.0 * x * t / r5 - a5c * c * p * qrx)
        uc[1] += s2 * (-a4 / r3 * (c2d - 3.0 * y * t / r2) + a5c * 3.0 * c / r5 * (s - y * p * qr5))
        uc[2] += s2 * (-a4 * a3 / r3 * sdcd + a5c * 3.0 * c / r5 * (t + d * p * qr5))
        uc[3] += s2 * (a4 * 3.0 * t / r5 * a5 - a5c * 5.0 * c * p * qr / r2 * a7)
        uc[4] += s2 * t5
        uc[5] += s2 * (3.0 * x / r5 * (a4 * (2.0 + a5) * sdcd - a5c * 5.0 * c / r2 * (t + d * p * qr7)))
        uc[6] += s2 * t5
        uc[7] += s2 * (3.0 / r5 * (a4 * (2.0 * y * c2d + t * b5)
                                   + a5c * c * (s2d - 10.0 * y * s / r2 - p * qr5 * b7)))
        uc[8] += s2 * (3.0 / r5 * (a4 * y * a5 * sdcd - a5c * c * ((3.0 + a5) * c2d + y * p * dr5 * qr7)))
        uc[9] += s2 * (3.0 * x / r5 * (-a4 * (s2d - t * dr5) - a5c * 5.0 * c / r2 * (t + d * p * qr7)))
        uc[10] += s2 * (3.0 / r5 * (-a4 * (d * b5 * c2d + y * c5 * s2d)
                                    - a5c * c * ((3.0 + a5) * c2d + y * p * dr5 * qr7)))
        uc[11] += s2 * (3.0 / r5 * (-a4 * d * a5 * sdcd - a5c * c * (s2d - 10.0 * d * t / r2 + p * qr5 * c7)))
    if s3 != 0.0:
        t5 = 3.0 * x / r5 * (-a4 * (s2d - 5.0 * y * s / r2) - a5c * 5.0 / r2 * (c * (t - y + y * q * qr7) - y * z))
        uc[0] += s3 * (3.0 * x / r5 * (-a4 * s + a5c * (c * q * qr5 - z)))
        uc[1] += s3 * (a4 / r3 * (s2d - 3.0 * y * s / r2) + a5c * 3.0 / r5 * (c * (t - y + y * q * qr5) - y * z))
        uc[2] += s3 * (-a4 / r3 * (1.0 - a3 * sdsd) - a5c * 3.0 / r5 * (c * (s - d + d * q * qr5) - d * z))
        uc[3] += s3 * (-a4 * 3.0 * s / r5 * a5 + a5c * (c * qr * qr5 * a7 - 3.0 * z / r5 * a5))
        uc[4] += s3 * t5
        uc[5] += s3 * (3.0 * x / r5 * (a4 * (1.0 - (2.0 + a5) * sdsd)
                                       + a5c * 5.0 / r2 * (c * (s - d + d * q * qr7) - d * z)))
        uc[6] += s3 * t5
        uc[7] += s3 * (3.0 / r5 * (-a4 * (2.0 * y * s2d + s * b5)
                                   - a5c * (c * (2.0 * sdsd + 10.0 * y * (t - y) / r2 - q * qr5 * b7) + z * b5)))
        uc[8] += s3 * (3.0 / r5 * (a4 * y * (1.0 - a5 * sdsd)
                                   + a5c * (c * (3.0 + a5) * s2d - y * dr5 * (c * d7 + z))))
        uc[9] += s3 * (3.0 * x / r5 * (-a4 * (c2d + s * dr5)
                                       + a5c * (5.0 * c / r2 * (s - d + d * q * qr7) - 1.0 - z * dr5)))
        # z entry = -d/dd (c fixed) + explicit d/dz of the uy entry
        uc[10] += s3 * (3.0 / r5 * (a4 * (d * b5 * s2d - y * c5 * c2d)
                                    + a5c * (dr5 * (c * (t - y) - y * z) + 35.0 * c * y * q2 * d / (r2 * r2)
                                             - c * s2d + 10.0 * c * y * q * cd / r2 - y)))
        uc[11] += s3 * (3.0 / r5 * (-a4 * d * (1.0 - a5 * sdsd)
                                    - a5c * (c * (c2d + 10.0 * d * (s - d) / r2 - q * qr5 * c7) + z * (1.0 + c5))))
    if s4 != 0.0:
        t5 = -a4 * 15.0 * xy * d / r7
        t6 = -a4 * 3.0 * x / r5 * c5
        t9 = -a4 * 3.0 * y / r5 * c5
        uc[0] += s4 * (a4 * 3.0 * x * d / r5)
        uc[1] += s4 * (a4 * 3.0 * y * d / r5)
        uc[2] += s4 * (a4 * c3 / r3)
        uc[3] += s4 * (a4 * 3.0 * d / r5 * a5)
        uc[4] += s4 * t5
        uc[5] += s4 * t6
        uc[6] += s4 * t5
        uc[7] += s4 * (a4 * 3.0 * d / r5 * b5)
        uc[8] += s4 * t9
        uc[9] += s4 * t6
        uc[10] += s4 * t9
        uc[11] += s4 * (a4 * 3.0 * d / r5 * (2.0 + c5))
    return True


@njit(cache=True, nogil=True)
def _dc3d0_one(alpha, x, y, z, depth, sd, cd, p1, p2, p3, p4, out, ua, ub, uc):
    for i in range(12):
        out[i] = 0.0
    if z > 0.0:
        return 2
    # real source: - u_A (displacements, x/y derivatives), + u_A (z derivatives)
    if not _point_terms(x, y, depth + z, z, sd, cd, alpha, p1, p2, p3, p4, False, ua, ub, uc):
        return 1
    for i in range(12):
        out[i] = -ua[i] if i < 9 else ua[i]
    # image source: u_A + u_B + z u_C, and u_C added to the z derivatives
    if not _point_terms(x, y, depth - z, z, sd, cd, alpha, p1, p2, p3, p4, True, ua, ub, uc):
        for i in range(12):
            out[i] = 0.0
        return 1
    for i in range(12):
        v = ua[i] + ub[i] + z * uc[i]
        if i >= 9:
            v += uc[i - 9]
        out[i] += v
    return 0


@njit(cache=True, nogil=True)
def _dc3d0_kernel(alpha, x, y, z, depth, dip, p1, p2, p3, p4, out, iret):
    sd, cd = _dip_consts(dip)
    ua = np.empty(12)
    ub = np.empty(12)
    uc = np.empty(12)
    o = np.empty(12)
    for n in range(x.shape[0]):
        iret[n] = _dc3d0_one(alpha, x[n], y[n], z[n], depth, sd, cd, p1, p2, p3, p4, o, ua, ub, uc)
        for i in range(12):
            out[n, i] = o[i]


# =============================================================================
# Fast surface displacement of rectangles (z = 0: only u_B survives)
# =============================================================================
@njit(cache=True, nogil=True)
def _surface_corner(xi, et, q, sd, cd, kxi, ket, a3, s1, s2, s3):
    """Okada 1985 / part B of Table 6 at z = 0 for one corner: (ux, uy', uz')."""
    if abs(xi) < _EPS:
        xi = 0.0
    if abs(et) < _EPS:
        et = 0.0
    if abs(q) < _EPS:
        q = 0.0
    xi2 = xi * xi
    q2 = q * q
    r2 = xi2 + et * et + q2
    r = math.sqrt(r2)
    if r == 0.0:
        return 0.0, 0.0, 0.0
    yb = et * cd + q * sd
    db = et * sd - q * cd
    theta = 0.0 if q == 0.0 else math.atan(xi * et / (q * r))
    if kxi == 1:
        x11 = 0.0
    else:
        x11 = 1.0 / (r * (r + xi))
    if ket == 1:
        y11 = 0.0
    else:
        y11 = 1.0 / (r * (r + et))
    qx = q * x11
    qy = q * y11
    if sd == 0.0:
        # horizontal source: every I-term is multiplied by sin(dip) and vanishes
        u0 = s1 * (-xi * qy - theta) + s2 * (-q / r) + s3 * (q * qy)
        u1 = s1 * (-q / r) + s2 * (-et * qx - theta) + s3 * (q * qx)
        u2 = s1 * (q * qy) + s2 * (q * qx) + s3 * (et * qx + xi * qy - theta)
        return u0, u1, u2
    if ket == 1:
        lne = -math.log(r - et)
    else:
        lne = math.log(r + et)
    rd = r + db
    if cd != 0.0:
        cdcd = cd * cd
        if xi == 0.0:
            i4 = 0.0
        else:
            xx = math.sqrt(xi2 + q2)
            i4 = (xi / rd * sd * cd
                  + 2.0 * math.atan((et * (xx + q * cd) + xx * (r + xx) * sd) / (xi * (r + xx) * cd))) / cdcd
        i3 = (yb * cd / rd - lne + sd * math.log(rd)) / cdcd
    else:
        rd2 = rd * rd
        i3 = 0.5 * (et / rd + yb * q / rd2 - lne)
        i4 = 0.5 * xi * yb / rd2
    u0 = 0.0
    u1 = 0.0
    u2 = 0.0
    if s1 != 0.0:
        i1 = -xi / rd * cd - i4 * sd
        i2 = math.log(rd) + i3 * sd
        u0 += s1 * (-xi * qy - theta - a3 * i1 * sd)
        u1 += s1 * (-q / r + a3 * yb / rd * sd)
        u2 += s1 * (q * qy - a3 * i2 * sd)
    if s2 != 0.0:
        sc = sd * cd
        u0 += s2 * (-q / r + a3 * i3 * sc)
        u1 += s2 * (-et * qx - theta - a3 * xi / rd * sc)
        u2 += s2 * (q * qx + a3 * i4 * sc)
    if s3 != 0.0:
        ss = sd * sd
        u0 += s3 * (q * qy - a3 * i3 * ss)
        u1 += s3 * (q * qx + a3 * xi / rd * ss)
        u2 += s3 * (et * qx + xi * qy - theta - a3 * i4 * ss)
    return u0, u1, u2


@njit(cache=True, nogil=True)
def _surface_rect_point(x, y, src, a3):
    """ENU surface displacement at map point (x, y) of one centre-convention
    source row ``src`` (10 values).  Returns (ue, un, uu)."""
    phi = src[5] * math.pi / 180.0
    sphi = math.sin(phi)
    cphi = math.cos(phi)
    sd, cd = _dip_consts(src[6])
    dx = x - src[0]
    dy = y - src[1]
    xl = dx * sphi + dy * cphi
    yl = -dx * cphi + dy * sphi
    hl = 0.5 * src[3]
    hw = 0.5 * src[4]
    depth = src[2]
    p = yl * cd + depth * sd
    q = yl * sd - depth * cd
    xa = xl + hl
    xb = xl - hl
    ea = p + hw
    eb = p - hw
    xa, xb, ea, eb, q, on_edge = _snap_edges(xa, xb, ea, eb, q)
    if on_edge:
        return 0.0, 0.0, 0.0
    rab = math.sqrt(xa * xa + eb * eb + q * q)
    rba = math.sqrt(xb * xb + ea * ea + q * q)
    rbb = math.sqrt(xb * xb + eb * eb + q * q)
    kx0 = 1 if (xa < 0.0 and rba + xb < _EPS) else 0
    kx1 = 1 if (xa < 0.0 and rbb + xb < _EPS) else 0
    ke0 = 1 if (ea < 0.0 and rab + eb < _EPS) else 0
    ke1 = 1 if (ea < 0.0 and rbb + eb < _EPS) else 0
    s1 = src[8] / _TWO_PI
    s2 = src[9] / _TWO_PI
    s3 = src[7] / _TWO_PI
    u0 = 0.0
    u1 = 0.0
    u2 = 0.0
    c0, c1, c2 = _surface_corner(xa, ea, q, sd, cd, kx0, ke0, a3, s1, s2, s3)
    u0 += c0
    u1 += c1
    u2 += c2
    c0, c1, c2 = _surface_corner(xb, ea, q, sd, cd, kx0, ke1, a3, s1, s2, s3)
    u0 -= c0
    u1 -= c1
    u2 -= c2
    c0, c1, c2 = _surface_corner(xa, eb, q, sd, cd, kx1, ke0, a3, s1, s2, s3)
    u0 -= c0
    u1 -= c1
    u2 -= c2
    c0, c1, c2 = _surface_corner(xb, eb, q, sd, cd, kx1, ke1, a3, s1, s2, s3)
    u0 += c0
    u1 += c1
    u2 += c2
    # dip rotation (image-source part at z = 0), then strike rotation
    ux = u0
    uy = u1 * cd - u2 * sd
    uz = u1 * sd + u2 * cd
    return ux * sphi - uy * cphi, ux * cphi + uy * sphi, uz


@njit(cache=True, nogil=True)
def _surface_enu_kernel(x, y, sources, a3, ue, un, uu):
    for n in range(x.shape[0]):
        e = 0.0
        no = 0.0
        u = 0.0
        for k in range(sources.shape[0]):
            a, b, c = _surface_rect_point(x[n], y[n], sources[k], a3)
            e += a
            no += b
            u += c
        ue[n] = e
        un[n] = no
        uu[n] = u


@njit(cache=True, nogil=True, parallel=True)
def _surface_enu_kernel_par(x, y, sources, a3, ue, un, uu):
    n = x.shape[0]
    for i in prange(n):
        e = 0.0
        no = 0.0
        u = 0.0
        for k in range(sources.shape[0]):
            a, b, c = _surface_rect_point(x[i], y[i], sources[k], a3)
            e += a
            no += b
            u += c
        ue[i] = e
        un[i] = no
        uu[i] = u


@njit(cache=True, nogil=True)
def _surface_los_kernel(x, y, sources, a3, le, ln, lu, out):
    """LOS displacement (same units as the dislocations) with per-point or
    broadcast (length-1) LOS unit vectors."""
    ne = le.shape[0]
    for n in range(x.shape[0]):
        e = 0.0
        no = 0.0
        u = 0.0
        for k in range(sources.shape[0]):
            a, b, c = _surface_rect_point(x[n], y[n], sources[k], a3)
            e += a
            no += b
            u += c
        j = n if ne > 1 else 0
        out[n] = e * le[j] + no * ln[j] + u * lu[j]


# =============================================================================
# Public wrappers
# =============================================================================
def _as_points(x, y, z=None):
    xa = np.ascontiguousarray(np.asarray(x, dtype=np.float64))
    ya = np.ascontiguousarray(np.asarray(y, dtype=np.float64))
    if xa.shape != ya.shape:
        raise ValueError(f"y: shape {ya.shape} does not match x shape {xa.shape}")
    if z is None:
        za = np.zeros_like(xa)
    else:
        za = np.asarray(z, dtype=np.float64)
        za = np.ascontiguousarray(np.broadcast_to(za, xa.shape))
    return xa.ravel(), ya.ravel(), za.ravel(), xa.shape


def dc3d(x, y, z, *, alpha, depth, dip, al1, al2, aw1, aw2, disl, parallel=False):
    """Okada (1992) DC3D: finite rectangle, displacement and derivatives.

    Parameters
    ----------
    x, y, z : array_like (any equal shape, z broadcast)
        Observation points in Okada's frame (x along strike), z <= 0 (m).
    alpha : float
        ``(lambda + mu) / (lambda + 2 mu)``.
    depth : float
        Depth of the reference point (m, positive).
    dip : float
        Dip angle in degrees.
    al1, al2, aw1, aw2 : float
        Fault extent along strike [al1, al2] and along dip [aw1, aw2] (m).
    disl : sequence of 3 floats
        Strike-slip, dip-slip and tensile dislocations (m).
    parallel : bool
        Use the ``prange`` kernel (never from a thread pool, DESIGN 7).

    Returns
    -------
    u : ndarray, shape ``x.shape + (12,)``
        UX, UY, UZ, UXX, UYX, UZX, UXY, UYY, UZY, UXZ, UYZ, UZZ.
    iret : ndarray of int, shape ``x.shape``
        0 regular, 1 singular (zeros returned), 2 z > 0 (zeros returned).
    """
    xa, ya, za, shape = _as_points(x, y, z)
    d = np.asarray(disl, dtype=np.float64).ravel()
    if d.size != 3:
        raise ValueError("disl: expected 3 dislocation components")
    out = np.empty((xa.size, 12))
    iret = np.empty(xa.size, dtype=np.int64)
    k = _dc3d_kernel_par if parallel else _dc3d_kernel
    k(float(alpha), xa, ya, za, float(depth), float(dip), float(al1), float(al2), float(aw1), float(aw2),
      float(d[0]), float(d[1]), float(d[2]), out, iret)
    return out.reshape(shape + (12,)), iret.reshape(shape)


def dc3d0(x, y, z, *, alpha, depth, dip, pot):
    """Okada (1992) DC3D0: point source, displacement and derivatives.

    ``pot`` = (POT1, POT2, POT3, POT4): strike-slip, dip-slip and tensile
    potencies (moment / mu, m^3) and the inflation potency (intensity of
    isotropic part / mu, m^3).  Other arguments and returns as :func:`dc3d`
    (``depth`` is the depth of the point source).
    """
    xa, ya, za, shape = _as_points(x, y, z)
    p = np.asarray(pot, dtype=np.float64).ravel()
    if p.size != 4:
        raise ValueError("pot: expected 4 potency components")
    out = np.empty((xa.size, 12))
    iret = np.empty(xa.size, dtype=np.int64)
    _dc3d0_kernel(float(alpha), xa, ya, za, float(depth), float(dip), float(p[0]), float(p[1]), float(p[2]),
                  float(p[3]), out, iret)
    return out.reshape(shape + (12,)), iret.reshape(shape)


def validate_sources(sources, *, name: str = "SOURCES") -> np.ndarray:
    """Check a (n_src, 10) centre-convention source array; return it as float64.

    Rejects NaN, non-positive length/width, negative depth and rectangles
    whose top edge (``depth - width/2 * sin(dip)``) is above the surface.
    """
    s = np.asarray(sources, dtype=np.float64)
    if s.ndim == 1 and s.size == 10:
        s = s[None, :]
    if s.ndim != 2 or s.shape[1] != 10 or s.shape[0] == 0:
        raise ValueError(f"{name}: expected an array of shape (n_sources, 10) with columns "
                         f"{', '.join(SOURCE_COLUMNS)}; got shape {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    for i, row in enumerate(s):
        if row[3] <= 0 or row[4] <= 0:
            raise ValueError(f"{name}: source {i + 1} has zero or negative size "
                             f"(length {row[3]:g} m, width {row[4]:g} m)")
        top = row[2] - 0.5 * row[4] * abs(math.sin(math.radians(row[6])))
        if top < -1e-9:
            raise ValueError(f"{name}: source {i + 1} reaches above the surface (centre depth {row[2]:g} m, "
                             f"top edge at {-top:g} m above ground); depth is positive down")
    return np.ascontiguousarray(s)


def rectangles_enu(x, y, sources, poisson=0.25, *, parallel=False):
    """Surface (z = 0) displacement of rectangular dislocations, map frame.

    Parameters
    ----------
    x, y : array_like, equal shapes
        Easting and northing of the observation points (m, local metric frame).
    sources : array_like, shape (n_src, 10)
        Columns ``x_centre, y_centre, depth_centre (m, positive down), length
        (along strike, m), width (along dip, m), strike_deg (clockwise from
        north), dip_deg, opening, strike_slip, dip_slip`` (m).  Each rectangle
        is given by its CENTRE (see the module docstring for the conversion
        to Okada's corner convention and the strike rotation).
    poisson : float
        Poisson's ratio (0.25).
    parallel : bool
        Use the ``prange`` kernel (only outside thread pools).

    Returns
    -------
    ue, un, uu : ndarray, shape of ``x``
        East, north and up displacement (m), summed over the sources.
    """
    alpha = alpha_from_poisson(poisson)
    s = validate_sources(sources)
    xa, ya, _, shape = _as_points(x, y)
    ue = np.empty(xa.size)
    un = np.empty(xa.size)
    uu = np.empty(xa.size)
    k = _surface_enu_kernel_par if parallel else _surface_enu_kernel
    k(xa, ya, s, (1.0 - alpha) / alpha, ue, un, uu)
    return ue.reshape(shape), un.reshape(shape), uu.reshape(shape)


def rectangles_los(x, y, sources, los_e, los_n, los_u, poisson=0.25):
    """Surface LOS displacement (m, positive toward the satellite).

    ``los_e, los_n, los_u`` are scalars or arrays of the shape of ``x``
    (the unit vector from the ground toward the satellite, DESIGN 2).
    """
    alpha = alpha_from_poisson(poisson)
    s = validate_sources(sources)
    xa, ya, _, shape = _as_points(x, y)
    le = np.ascontiguousarray(np.asarray(los_e, dtype=np.float64).ravel())
    ln = np.ascontiguousarray(np.asarray(los_n, dtype=np.float64).ravel())
    lu = np.ascontiguousarray(np.asarray(los_u, dtype=np.float64).ravel())
    for nm, v in (("LOS_E", le), ("LOS_N", ln), ("LOS_U", lu)):
        if v.size not in (1, xa.size):
            raise ValueError(f"{nm}: expected a scalar or {xa.size} values, got {v.size}")
    out = np.empty(xa.size)
    _surface_los_kernel(xa, ya, s, (1.0 - alpha) / alpha, le, ln, lu, out)
    return out.reshape(shape)
