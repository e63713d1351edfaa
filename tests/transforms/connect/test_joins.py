"""Join reconciliation: matched, unmatched and ambiguous keys, counted, with the department's rows."""

import pandas as pd

from tests.transforms.connect.conftest import csf_rows, raw_table
from transforms.connect.builders import transform_of
from transforms.reference import Municipalities


def test_unmatched_names_are_counted_with_examples_and_source_rows(contracts, municipalities) -> None:
    rows = csf_rows()
    for position in (0, 2, 3):
        rows[position]["市町名"] = "名古屋市"
    rows[4]["市町名"] = "四日市"
    contract = contracts["csf-wild-boar"]
    built = transform_of(contract)(
        contract, {"csf-wild-boar": raw_table("csf-wild-boar", rows, first_row=10)}, municipalities
    )

    (join,) = built.joins
    assert join.blocking
    assert (join.rows, join.matched_rows, join.matched_keys) == (6, 2, 1)
    assert (join.unmatched_rows, join.unmatched_keys, join.ambiguous_rows) == (4, 2, 0)
    assert [(e.key, e.rows, e.source_rows) for e in join.unmatched] == [
        ("名古屋市", 3, (10, 12, 13)),
        ("四日市", 1, (14,)),
    ]
    (problem,) = join.problems()
    assert problem["code"] == "join_unmatched"
    assert "名古屋市" in problem["ja"] and "元の行 10, 12, 13" in problem["ja"]
    assert "2 keys in 4 rows have no match" in problem["en"]


def test_ambiguous_names_block(contracts, municipalities) -> None:
    # Two 朝日町 in different 郡: the bare name fits both, the name with its 郡 fits one.
    extra = pd.DataFrame([{"code": "249999", "name": "朝日町", "district": "南郡", "region": "東紀州", "kind": "町"}])
    doubled = Municipalities(pd.concat([municipalities.table, extra], ignore_index=True))
    rows = csf_rows()
    rows[0]["市町名"], rows[1]["市町名"] = "朝日町", "三重郡朝日町"
    contract = contracts["csf-wild-boar"]
    built = transform_of(contract)(contract, {"csf-wild-boar": raw_table("csf-wild-boar", rows)}, doubled)

    (join,) = built.joins
    assert (join.ambiguous_rows, join.ambiguous_keys, join.unmatched_rows, join.matched_rows) == (1, 1, 0, 5)
    assert [(e.key, e.source_rows) for e in join.ambiguous] == [("朝日町", (2,))]
    assert join.blocking and join.problems()[0]["code"] == "join_ambiguous"


def test_unknown_codes_block_code_joins(contracts, municipalities) -> None:
    rows = [
        {"全国地方公共団体コード": "242012", "ID": "1", "所在地_全国地方公共団体コード": code}
        for code in ("242012", "231002", "")
    ]
    contract = contracts["evacuation-sites"]
    built = transform_of(contract)(contract, {"evacuation-sites": raw_table("evacuation-sites", rows)}, municipalities)

    (join,) = built.joins
    assert (join.matched_rows, join.unmatched_rows, join.unmatched_keys) == (1, 2, 2)
    assert [(e.key, e.source_rows) for e in join.unmatched] == [("231002", (3,)), ("（空欄）", (4,))]


def test_the_prefectures_own_code_joins_only_where_the_contract_allows_it(contracts, municipalities) -> None:
    rows = [{"全国地方公共団体コード": code, "ID": str(i)} for i, code in enumerate(("240001", "242012"))]
    facilities = contracts["tourism-facilities"]
    built = transform_of(facilities)(
        facilities, {"tourism-facilities": raw_table("tourism-facilities", rows)}, municipalities
    )
    (join,) = built.joins
    assert not join.blocking and join.matched_rows == 2
    assert built.table[["市町名", "地域"]].to_numpy().tolist() == [["", ""], ["津市", "中南勢"]]

    # An evacuation site lies in a 市町: the prefecture's code as its location does not join.
    sites = contracts["evacuation-sites"]
    rows = [{"全国地方公共団体コード": "240001", "ID": "1", "所在地_全国地方公共団体コード": "240001"}]
    built = transform_of(sites)(sites, {"evacuation-sites": raw_table("evacuation-sites", rows)}, municipalities)
    assert built.joins[0].blocking
