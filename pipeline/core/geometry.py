"""Plain geometry of boxes on a page, shared by extraction and segmentation."""


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    """Length of the overlap of the intervals [a0, a1] and [b0, b1] (0 when apart)."""
    return max(0.0, min(a1, b1) - max(a0, b0))
