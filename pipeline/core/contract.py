"""The data contract's names (../shared/contract.md): blocks every stage and output agrees on."""

# Canonical block names, in the contract's order; a block condition or a review setting
# naming anything else is a typo.
BLOCKS = (
    "現状", "目指す姿", "課題意識", "到達点", "アセスメント結果", "支援内容",
    "基本情報", "実施内容", "支援体制", "まとめ", "その他",
)  # fmt: skip
OTHER = "その他"  # text that matches no known label: kept, never dropped
SUMMARY = "まとめ"  # the ⚫ summary lines
# The four blocks the analysis centres on.
FOCUS_BLOCKS = ("現状", "目指す姿", "課題意識", "到達点")
# Lists in one cell of the CSV tables (themes, phrases, municipalities): `a;b`.
LIST_SEPARATOR = ";"


def join_list(values) -> str:
    return LIST_SEPARATOR.join(values)


def split_list(value) -> list[str]:
    """A list cell as its entries; an empty cell (also NaN or None from a table) is []."""
    if not isinstance(value, str):
        return []
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
