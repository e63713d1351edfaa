"""Errors and warnings as values: a row, a column, a stable code and a Japanese message.

Every message a department reads is written here, once, keyed by its code. Call
sites pass the code and the facts (`error("invalid_date", row=12, column="登録日",
value="令和6年2月30日")`); the wording lives only in MESSAGES.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

Severity = Literal["error", "warning"]

MESSAGES: dict[str, str] = {
    # Whole file: it cannot be read as a table (odl check exits 2).
    "file_empty": "ファイルが空です。データを入れて保存し直してください。",
    "unsupported_format": (
        "このファイル形式（{detail}）には対応していません。CSV（カンマ区切り）、TSV、"
        "Excel の「Unicode テキスト」、.xlsx または .xls で保存してください。"
    ),
    "undecodable": (
        "文字コードを判別できません。Excel の「CSV（コンマ区切り）」、「CSV UTF-8」"
        "または「Unicode テキスト」で保存し直してください。"
    ),
    "not_a_table": "表として読み取れません（{detail}）。1行目付近に列名の行がある表として保存してください。",
    "file_too_large": (
        "ファイルが大きすぎます（{size}、上限 {limit}）。期間や地域でファイルを分けて提出してください。"
    ),
    "xlsx_too_many_parts": (
        "Excel ファイルの中の部品が多すぎます（{count:,} 個、上限 {limit:,} 個）。"
        "Excel で開いて「名前を付けて保存」し直してください。"
    ),
    "xlsx_too_large": (
        "Excel ファイルを展開すると {size} になり、上限 {limit} を超えます。"
        "不要なシート・画像・書式を削除するか、ファイルを分けて提出してください。"
    ),
    "xlsx_part_too_large": (
        "Excel ファイルの中の「{part}」が展開すると {size} になり、上限 {limit} を超えます。"
        "空白の行や列に付いた書式を削除するか、ファイルを分けて提出してください。"
    ),
    "xlsx_compression_ratio": (
        "Excel ファイルの中の「{part}」の圧縮率が異常です（{ratio:,} 倍、上限 {limit:,} 倍）。"
        "壊れているか不正なファイルのおそれがあります。Excel で開いて保存し直してください。"
    ),
    "too_many_columns": (
        "列が多すぎます（{count:,} 列、上限 {limit:,} 列）。データの列だけを残して保存し直してください。"
    ),
    "too_many_cells": (
        "表が大きすぎます（{cells:,} セル以上、上限 {limit:,} セル）。期間や地域でファイルを分けて提出してください。"
    ),
    "read_too_slow": (
        "ファイルの読み取りが上限の {limit:g} 秒を超えたため中止しました。"
        "不要な書式やシートを削除するか、ファイルを分けて提出してください。"
    ),
    "header_not_found": (
        "列名の行が見つかりません。表の上に「{expected}」などの列名を1行で書いてください"
        "（先頭 {searched} 行を探しました）。"
    ),
    # The command could not run at all (every odl command exits 2): the file system, the command line, the inbox.
    "file_name_empty": "ファイル名が空です。ファイルを指定してください。",
    "file_not_found": "ファイル「{path}」が見つかりません。場所と名前を確かめてください。",
    "file_is_directory": "「{path}」はフォルダです。フォルダの中のファイルを1つ指定してください。",
    "not_a_regular_file": "「{path}」は{kind}で、通常のファイルではありません。保存したファイルを指定してください。",
    "symlink_refused": "「{path}」はシンボリックリンク（ショートカット）です。リンク先のファイルそのものを指定してください。",
    "file_unreadable": "ファイル「{path}」を読めません（{detail}）。ファイルのアクセス権を確かめてください。",
    "out_is_directory": "出力先「{path}」はフォルダです。出力するファイルの名前まで指定してください。",
    "out_unwritable": "出力先「{path}」に書き込めません（{detail}）。書き込めるフォルダの中のファイル名を指定してください。",
    "usage_error": "{detail}",
    "department_unknown": "部署「{department}」はありません。{choices} のいずれかを指定してください。",
    "dataset_of_other_department": "データセット「{dataset}」は{department}のデータセットではありません。",
    "reserved_name": (
        "「{name}」は提出に使えない名前です（末尾が {suffix} の名前は odl が使います）。ファイル名を変えてから提出してください。"
    ),
    "inbox_unwritable": "提出先のフォルダに書き込めません（{detail}）。システムの担当者に連絡してください。",
    "unexpected_error": (
        "予期しないエラーで処理できませんでした。システムの担当者に連絡してください（エラーの記録: {log}）。"
    ),
    # The store could not take an inbox file in; it is quarantined with this as its report.
    "sidecar_invalid": (
        "提出時に付けられたデータセット指定ファイル「{name}」を読めません（{detail}）。"
        "odl submit でもう一度提出してください。"
    ),
    "store_failed": (
        "取り込みの途中で予期しないエラーが起きました（{detail}）。受け取ったファイルは保管してあります。"
        "システムの担当者に連絡してください。"
    ),
    # Whole file, but readable (odl check exits 1).
    "missing_required_column": "必須の列「{column}」がありません。列名を正しく書いて列を追加してください。",
    "duplicate_column": "列「{column}」が{count}回あります。同じ名前の列は1つにしてください。",
    "dataset_unknown": (
        "どのデータセットのファイルか判別できません。ファイル名を「{patterns}」のいずれかの形にするか、"
        "提出時にデータセットを指定してください。"
    ),
    "no_data_rows": "データの行がありません。列名の行の下にデータを入れてください。",
    "fiscal_year_not_found": (
        "年度が分かりません。シート名か表題に「令和6年度」や「2024年度」のように年度を書いてください。"
    ),
    # Parts of the file that were skipped (warnings).
    "ignored_rows_above_header": "列名の行より上の {count} 行（表題など）は読み飛ばしました。",
    "ignored_note_rows": "表の下の注記など {count} 行（{rows}行目）はデータではないので読み飛ばしました。",
    "ignored_blank_rows": "空白の {count} 行（{rows}行目）は読み飛ばしました。",
    "ignored_empty_columns": "列名も値もない {count} 列は読み飛ばしました。",
    "ignored_unknown_column": "列「{column}」はこのデータセットの項目ではないので取り込みません。",
    "ignored_sheet": "シート「{sheet}」には該当する表がないので読み飛ばしました。",
    "total_mismatch": (
        "合計が合いません：{detail}。合計の値は {stated}、各値の合計は {computed} です。合計か各値を確認してください。"
    ),
    # One row, one column.
    "undecodable_bytes": "この行に読み取れない文字があります。文字化けしていないか確認してください。",
    "control_character": (
        "「{column}」に表示されない制御文字（{character}）が含まれています。その文字を削除してください。"
    ),
    "cell_too_long": "「{column}」のセルが {length:,} 文字あり、上限の {limit:,} 文字を超えています。内容を確認してください。",
    "excel_date_out_of_range": (
        "「{column}」の日付（シリアル値 {value}）は{reason}ため、Excel でも正しい日付になりません。日付を入力し直してください。"
    ),
    "required_value_missing": "「{column}」が空です。必須の項目なので入力してください。",
    "formula_like_text": (
        "「{column}」の値「{value}」は「{first}」で始まるため、表計算ソフトで数式として実行されるおそれがあります。"
        "先頭の記号を取り除くか、全角にしてください。"
    ),
    "invalid_lg_code": (
        "全国地方公共団体コード「{value}」が正しくありません。6桁（5桁＋検査数字）で入力してください。"
    ),
    "lg_code_check_digit": (
        "全国地方公共団体コード「{value}」の検査数字（6桁目）が合いません。コードを確認してください。"
    ),
    "lg_code_not_in_mie": "全国地方公共団体コード「{value}」は三重県・県内市町のコードではありません。",
    "unknown_municipality": "市町名「{value}」は三重県の市町にありません。正しい市町名を入力してください。",
    "ambiguous_municipality": "市町名「{value}」が複数の市町に当てはまります。郡名を付けるなどして1つに決めてください。",
    "invalid_integer": "「{column}」の値「{value}」は整数ではありません。半角の数字で入力してください。",
    "negative_number": "「{column}」の値「{value}」が負の数です。0以上の数を入力してください。",
    "invalid_number": "「{column}」の値「{value}」は数値ではありません。半角の数字で入力してください。",
    "invalid_date": (
        "「{column}」の値「{value}」を日付として読めません。2024-04-01 や 令和6年4月1日 のように入力してください。"
    ),
    "impossible_date": "「{column}」の値「{value}」は存在しない日付です。月日を確認してください。",
    "era_year_out_of_range": (
        "「{column}」の値「{value}」は{era}の期間を外れています（{era}は{first}から{last}まで）。年を確認してください。"
    ),
    "invalid_fiscal_year": (
        "「{column}」の値「{value}」を年度として読めません。昭和45年度、S45、1970 のように入力してください"
        "（分からない場合は「不明」）。"
    ),
    "invalid_time": "「{column}」の値「{value}」を時刻として読めません。09:00 のように「時:分」で入力してください。",
    "invalid_phone": (
        "「{column}」の値「{value}」を電話番号として読めません。059-224-2111 のように半角数字とハイフンで入力してください。"
    ),
    "invalid_url": "「{column}」の値「{value}」は URL ではありません。http:// か https:// で始まる URL を入力してください。",
    "invalid_flag": "「{column}」の値「{value}」は使えません。該当する場合は「1」、該当しない場合は空欄にしてください。",
    "invalid_choice": "「{column}」の値「{value}」は使えません。{choices} のいずれかを入力してください。",
    "coordinate_out_of_range": (
        "「{column}」の値「{value}」は三重県の範囲（{low}～{high}）の外です。度単位の10進数で入力してください。"
    ),
    "coordinates_swapped": (
        "「緯度」({lat}) と「経度」({lon}) が入れ替わっているようです。緯度は約34、経度は約136 です。"
    ),
    "coordinates_incomplete": "「緯度」と「経度」は両方入力するか、両方空欄にしてください。",
    "date_order": "「{column}」({value}) が「{other}」({other_value}) より前になっています。日付を確認してください。",
    "inspection_before_construction": (
        "「{column}」の{value}（{year}年度）が「{other}」の{other_value}（{other_year}年度）より前になっています。"
        "年度を確認してください。"
    ),
    "duplicate_key": "{key} が {first_row} 行目と重複しています。同じデータは1行にしてください。",
    # The summary of findings past the kept number (settings.ReadLimits.findings_per_code).
    "more_findings": "…ほかに「{of}」が {count:,} 件あります（最初の {kept:,} 件だけを表示しています）。",
}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    row: int | None = None
    column: str | None = None
    severity: Severity = "error"

    def in_sheet(self, sheet: str | None) -> "Finding":
        """The same finding, its message naming the sheet: a workbook with a sheet per year repeats row numbers."""
        return replace(self, message=f"シート「{sheet}」：{self.message}") if sheet else self

    def to_dict(self) -> dict[str, Any]:
        """The shape `odl check --json` and report.json use."""
        data = asdict(self)
        del data["severity"]
        return data


def _make(severity: Severity, code: str, row: int | None, column: str | None, params: dict[str, Any]) -> Finding:
    message = MESSAGES[code].format(column=column, **params)
    return Finding(code=code, message=message, row=row, column=column, severity=severity)


def error(code: str, *, row: int | None = None, column: str | None = None, **params: Any) -> Finding:
    return _make("error", code, row, column, params)


def warning(code: str, *, row: int | None = None, column: str | None = None, **params: Any) -> Finding:
    return _make("warning", code, row, column, params)


@dataclass(frozen=True)
class MoreFindings(Finding):
    """Stands for `count` further findings of code `of` that were counted but not kept."""

    of: str = ""
    count: int = 0


def more_findings(of: str, count: int, kept: int, severity: Severity = "error") -> MoreFindings:
    message = MESSAGES["more_findings"].format(of=of, count=count, kept=kept)
    return MoreFindings(code="more_findings", message=message, severity=severity, of=of, count=count)


def summarised(findings: Iterable[Finding], keep: int) -> list[Finding]:
    """The first `keep` findings of each code, in order, then one more_findings per code for the rest.

    more_findings already in `findings` (made where findings are made in bulk) are merged in.
    """
    kept: list[Finding] = []
    shown: Counter[str] = Counter()
    left: Counter[str] = Counter()
    severities: dict[str, Severity] = {}
    for finding in findings:
        if isinstance(finding, MoreFindings):
            left[finding.of] += finding.count
            severities.setdefault(finding.of, finding.severity)
        elif shown[finding.code] < keep:
            shown[finding.code] += 1
            kept.append(finding)
        else:
            left[finding.code] += 1
            severities.setdefault(finding.code, finding.severity)
    kept += [more_findings(code, count, shown[code], severities[code]) for code, count in left.items() if count]
    return kept


def megabytes(size: int) -> str:
    """A byte count as department staff read sizes: "512 MB", "1.5 GB"."""
    if size >= 1 << 30:
        return f"{size / (1 << 30):.1f} GB"
    return f"{size / (1 << 20):,.0f} MB" if size >= 1 << 20 else f"{size:,} バイト"


class UnreadableFile(Exception):
    """The file cannot be read as a table at all (odl check exits 2)."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding
