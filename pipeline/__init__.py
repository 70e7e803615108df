"""伴走支援 reports → blocks, items and themes.

The entry points a notebook or a script needs; everything else is inside the layers
(core → config → stages → output → runner → views → evaluation → cli, README
"Architecture"). Imported when first used, so `import pipeline` stays cheap.

    from pipeline import load_settings, read_file, run_batch, load_outputs
    settings = load_settings()                     # configs/pipeline.yaml
    read = read_file("report.pdf", settings)       # Document, blocks, items (no themes)
    summary = run_batch("corpora/sample", "outputs/sample", settings)
    outputs = load_outputs("outputs/sample")       # the run's tables as DataFrames
    update_catalog("outputs")                      # every batch's last run → catalog.duckdb
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "PROJECT_ROOT": "pipeline.config.paths",
    "load_settings": "pipeline.config.settings",
    "Settings": "pipeline.config.settings",
    "Pipeline": "pipeline.stages.pipeline",
    "read_file": "pipeline.stages.pipeline",
    "run_batch": "pipeline.runner.batch",
    "load_outputs": "pipeline.views.outputs",
    "item_themes": "pipeline.views.outputs",
    "FOCUS_BLOCKS": "pipeline.core.contract",
    "read_csv": "pipeline.output.files",
    "crosstab": "pipeline.views.crosstab",
    "kwic": "pipeline.views.kwic",
    "format_kwic": "pipeline.views.kwic",
    "figures": "pipeline.views.figures",  # the module: theme_heatmap, word_network, …
    "write_figures": "pipeline.views.figures",
    "write_report": "pipeline.views.report",
    "update_catalog": "pipeline.views.catalog",  # every batch's last run in catalog.duckdb
    "catalog_items": "pipeline.views.trends",
    "trends": "pipeline.views.trends",
}
_MODULES = {"figures"}  # exported as the module itself
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    module = import_module(_EXPORTS[name])
    value = module if name in _MODULES else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
