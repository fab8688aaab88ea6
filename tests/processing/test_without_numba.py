"""DESIGN §1: without numba the plugin still loads every stage and says why it cannot run."""
import json
import os
import subprocess
import sys
import textwrap

from conftest import ROOT

SCRIPT = textwrap.dedent('''
    import builtins, json, sys
    real = builtins.__import__
    def no_numba(name, *a, **k):
        if name == "numba" or name.startswith("numba."):
            raise ImportError("numba is not installed (simulated)")
        return real(name, *a, **k)
    builtins.__import__ = no_numba
    sys.path.insert(0, sys.argv[1])
    from headless import start_qgis
    app, provider = start_qgis()
    algs = {a.name(): a.canExecute() for a in provider.algorithms()}
    print(json.dumps({k: [bool(v[0]), v[1]] for k, v in algs.items()}))
''')


def test_every_stage_loads_and_explains_without_numba(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "profile"))
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "scripts")], capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    algs = json.loads(proc.stdout.strip().splitlines()[-1])
    for stage in ("simulatestack", "pairnetwork", "interferograms", "unwrap", "sbas", "psinsar", "okadaforward",
                  "okadafit", "leveling"):
        assert stage in algs, stage
    for stage in ("interferograms", "unwrap", "sbas", "psinsar", "okadaforward", "okadafit"):
        ok, msg = algs[stage]
        assert not ok and "numba" in msg, (stage, msg)
    assert algs["buildstack"][0]      # buildstack needs no numba
