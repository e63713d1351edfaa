"""Each registered connect transform, with exact numbers on small tables."""

import pandas as pd

from tests.transforms.connect.conftest import csf_rows, raw_table, visitor_rows
from transforms.connect.builders import transform_of
from transforms.connect.tables import content_version, curated_dtypes


def build(contracts, municipalities, dataset, inputs):
    contract = contracts[dataset]
    built = transform_of(contract)(contract, inputs, municipalities)
    return built, curated_dtypes(built.table, contract)


def test_every_published_contract_names_a_transform_that_resolves(contracts) -> None:
    for contract in contracts.values():
        assert callable(transform_of(contract)), contract.id


def test_enrich_municipality_adds_name_and_region_of_the_location_code(contracts, municipalities) -> None:
    rows = [
        {
            "全国地方公共団体コード": "242012",
            "ID": "1",
            "所在地_全国地方公共団体コード": "242012",
            "緯度": "34.7",
            "経度": "136.5",
            "想定収容人数": "120",
            "災害種別_地震": "1",
        },
        {
            "全国地方公共団体コード": "242012",
            "ID": "2",
            "所在地_全国地方公共団体コード": "243035",
            "緯度": "35.06",
            "経度": "136.78",
            "標高": "1.5",
        },
    ]
    raw = raw_table("evacuation-sites", rows, first_row=5)
    built, table = build(contracts, municipalities, "evacuation-sites", {"evacuation-sites": raw})

    assert table.columns.tolist() == contracts["evacuation-sites"].column_names
    assert table["市町名"].tolist() == ["津市", "木曽岬町"]
    assert table["地域"].tolist() == ["中南勢", "北勢"]
    assert table["想定収容人数"].dtype == "Int64" and table["想定収容人数"].tolist()[0] == 120
    assert pd.isna(table["想定収容人数"].iloc[1])
    assert table["標高"].dtype == "float64" and table["標高"].iloc[1] == 1.5
    assert table["災害種別_地震"].tolist() == ["1", pd.NA]
    assert table["名称"].dtype == "string" and table["名称"].isna().all()
    assert "_source_row" not in table.columns
    assert built.source_rows.tolist() == [5, 6]
    (join,) = built.joins
    assert (join.rows, join.matched_rows, join.matched_keys, join.unmatched_rows) == (2, 2, 2, 0)


def test_resolve_municipality_names_gives_code_canonical_name_and_region(contracts, municipalities) -> None:
    rows = csf_rows()
    rows[1]["市町名"] = "多気郡多気町"
    rows[2]["市町名"] = "三重県津市"
    built, table = build(
        contracts, municipalities, "csf-wild-boar", {"csf-wild-boar": raw_table("csf-wild-boar", rows)}
    )

    assert table["全国地方公共団体コード"].tolist() == ["242012", "244414", "242012", "244414", "242012", "242012"]
    assert table["市町名"].tolist() == ["津市", "多気町", "津市", "多気町", "津市", "津市"]
    assert table["地域"].tolist() == ["中南勢"] * 6
    assert table["緯度"].dtype == "float64"
    assert pd.isna(table["検査年月日"].iloc[2])
    (join,) = built.joins
    assert (join.matched_rows, join.matched_keys) == (6, 4)  # 津市, 多気町, 多気郡多気町, 三重県津市


def test_csf_wild_boar_monthly_counts_tests_and_positives_per_month_and_municipality(contracts, municipalities) -> None:
    _, table = build(
        contracts, municipalities, "csf-wild-boar-monthly", {"csf-wild-boar": raw_table("csf-wild-boar", csf_rows())}
    )

    assert table.to_dict("records") == [
        {
            "年月": "2024-04",
            "全国地方公共団体コード": "242012",
            "市町名": "津市",
            "地域": "中南勢",
            "検査頭数": 3,
            "陽性頭数": 1,
            "陽性率": 0.3333,
        },
        {
            "年月": "2024-04",
            "全国地方公共団体コード": "244414",
            "市町名": "多気町",
            "地域": "中南勢",
            "検査頭数": 1,
            "陽性頭数": 1,
            "陽性率": 1.0,
        },
        {
            "年月": "2024-05",
            "全国地方公共団体コード": "242012",
            "市町名": "津市",
            "地域": "中南勢",
            "検査頭数": 2,
            "陽性頭数": 0,
            "陽性率": 0.0,
        },
    ]
    assert table["検査頭数"].dtype == "Int64"


def test_tourist_visitors_monthly_is_sorted_by_key_with_names_from_the_reference(contracts, municipalities) -> None:
    rows = visitor_rows()
    rows[0]["市町名"] = "津"  # the reference, not the submission, names the 市町
    built, table = build(
        contracts, municipalities, "tourist-visitors-monthly", {"tourist-visitors": raw_table("tourist-visitors", rows)}
    )

    assert list(zip(table["年月"], table["全国地方公共団体コード"], strict=True)) == [
        ("2024-04", "242012"), ("2024-04", "242021"), ("2024-04", "242047"), ("2024-04", "242080"),
        ("2024-05", "242012"), ("2024-05", "242021"), ("2024-05", "242047"),
    ]  # fmt: skip
    assert table["市町名"].iloc[0] == "津市"
    assert table["入込客数"].tolist()[:4] == [100, 30, 50, pd.NA]
    assert built.source_rows.tolist() == [2, 4, 3, 5, 7, 6, 8]


def test_tourist_visitors_by_region_sums_reporting_municipalities_and_adds_the_prefecture_total(
    contracts, municipalities
) -> None:
    _, table = build(
        contracts,
        municipalities,
        "tourist-visitors-by-region",
        {"tourist-visitors": raw_table("tourist-visitors", visitor_rows())},
    )

    # 伊賀 in April and 北勢 in May had no reports: no row rather than a misleading 0.
    assert table.to_dict("records") == [
        {"年月": "2024-04", "地域": "北勢", "入込客数": 30, "報告市町数": 1},
        {"年月": "2024-04", "地域": "中南勢", "入込客数": 150, "報告市町数": 2},
        {"年月": "2024-04", "地域": "県計", "入込客数": 180, "報告市町数": 3},
        {"年月": "2024-05", "地域": "中南勢", "入込客数": 7, "報告市町数": 1},
        {"年月": "2024-05", "地域": "県計", "入込客数": 7, "報告市町数": 1},
    ]


def test_the_version_depends_on_content_only(contracts, municipalities) -> None:
    raw = raw_table("csf-wild-boar", csf_rows())
    _, first = build(contracts, municipalities, "csf-wild-boar", {"csf-wild-boar": raw})
    _, again = build(contracts, municipalities, "csf-wild-boar", {"csf-wild-boar": raw.copy()})
    changed = raw.copy()
    changed.loc[0, "備考"] = "わな"
    _, other = build(contracts, municipalities, "csf-wild-boar", {"csf-wild-boar": changed})

    assert content_version(first) == content_version(again)
    assert len(content_version(first)) == 16
    assert content_version(other) != content_version(first)
