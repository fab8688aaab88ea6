"""The README's demo command runs the whole chain and produces a report and a project."""
import re
import subprocess
import sys
import zipfile

from conftest import ROOT


def test_demo_runs_every_stage(tmp_path):
    out = tmp_path / "demo"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo.py"), str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    ok = re.findall(r"\[demo\] (\w+): ok", proc.stdout)
    for stage in ("simulatestack", "buildstack", "pairnetwork", "interferograms", "unwrap", "sbas", "psinsar",
                  "leveling", "profile", "tilt", "okadafit"):
        assert stage in ok, (stage, proc.stdout[-3000:])
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "failed" not in re.sub(r"<[^>]+>", " ", report).split("Stage reports")[0]
    rmse = float(re.search(r"SBAS velocity RMSE vs truth \(mm/yr\)=([\d.]+)", report).group(1))
    # tiny: 12 dates over 132 days with 3 mm atmosphere -> ~8 mm/yr is the physical limit (README)
    assert rmse < 15.0
    with zipfile.ZipFile(out / "minesar_demo.qgz") as z:
        qgs = z.read([n for n in z.namelist() if n.endswith(".qgs")][0]).decode()
    for name in ("SBAS velocity", "PS points", "leveling comparison", "Okada sources"):
        assert name in qgs, name
