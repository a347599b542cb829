"""What the quality gates share: loading a bench script as a module, and its pinned baseline."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def baseline(name: str) -> Any:
    """``bench/baselines/<name>.json``: the floors a gate holds the code to."""
    return json.loads((ROOT / "bench" / "baselines" / f"{name}.json").read_text(encoding="utf-8"))


def load_bench(script: str, module_name: str) -> Any:
    """``bench/<script>`` as a module (bench/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(module_name, ROOT / "bench" / script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module
