from pipeline.core.normalize import compact, join_wrapped, nfkc


def test_japanese_lines_join_without_space():
    # a wrap in the middle of a word (コーディ / ネーター) must leave no trace
    assert (
        join_wrapped(["生活支援コーディ", "ネーターの役割が"]) == "生活支援コーディネーターの役割が"
    )


def test_latin_words_keep_one_space():
    assert join_wrapped(["Zoom", "meeting で実施"]) == "Zoom meeting で実施"


def test_latin_before_japanese_gets_no_space():
    assert join_wrapped(["訪問型サービスB", "の立ち上げ"]) == "訪問型サービスBの立ち上げ"


def test_numbers_and_units_are_not_split():
    assert join_wrapped(["75歳以上人口伸び率 47.", "1%"]) == "75歳以上人口伸び率 47.1%"
    assert join_wrapped(["月2", "回の開催"]) == "月2回の開催"


def test_parentheses_across_a_wrap():
    assert join_wrapped(["通いの場（住民主", "体）へつなぐ"]) == "通いの場（住民主体）へつなぐ"


def test_blank_parts_are_skipped_and_edges_stripped():
    assert join_wrapped(["  地域ケア会議の ", "", " 開催"]) == "地域ケア会議の開催"


def test_nfkc_and_compact():
    assert nfkc("第２層ＳＣ（Ａ）") == "第2層SC(A)"
    assert compact("基\n本\n情 報") == "基本情報"
