"""Plain geometry of boxes on a page, shared by extraction and segmentation."""


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    """Length of the overlap of the intervals [a0, a1] and [b0, b1] (0 when apart)."""
    return max(0.0, min(a1, b1) - max(a0, b0))


def beside(left, right) -> bool:
    """Box `right` stands right of box `left`, in its row: it starts where `left` ends (a
    point's slack) and they share more than half the lower one's height."""
    return right.x0 >= left.x1 - 1 and (
        overlap(left.top, left.bottom, right.top, right.bottom)
        > 0.5 * min(left.height, right.height)
    )


def under(upper, lower) -> bool:
    """Box `lower` stands below box `upper`, in its column: it starts where `upper` ends
    (a point's slack) and `upper` spans most (0.8) of its width."""
    return lower.top >= upper.bottom - 1 and (
        overlap(upper.x0, upper.x1, lower.x0, lower.x1) > 0.8 * lower.width
    )
