"""Wall time of a block of work, added up per name (the runner's and the benchmark's timings)."""

from __future__ import annotations

import time


class timed:
    """`with timed(timings, "extract"): …` adds the block's seconds to timings["extract"];
    a no-op when timings is None."""

    def __init__(self, timings: dict[str, float] | None, stage: str):
        self.timings, self.stage = timings, stage

    def __enter__(self):
        self.start = time.perf_counter()

    def __exit__(self, *exc):
        if self.timings is not None:
            elapsed = time.perf_counter() - self.start
            self.timings[self.stage] = self.timings.get(self.stage, 0.0) + elapsed
        return False
