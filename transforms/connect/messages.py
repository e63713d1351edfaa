"""Every sentence a connect run reports, in Japanese and English, keyed by a stable code."""

from typing import Any

MESSAGES: dict[str, tuple[str, str]] = {
    "curated": (
        "検証に合格し、新しい版 {version}（{rows}行）を作成しました。",
        "Validation passed; new version {version} ({rows} rows) written.",
    ),
    "unchanged": (
        "入力が同じため内容は変わりません（版 {version}、{rows}行）。新しい版は作成していません。",
        "Same content as the current version {version} ({rows} rows); no new version.",
    ),
    "input_missing": (
        "入力データセット「{input}」に受け付けた提出がまだありません。",
        "Input dataset {input} has no accepted submission yet.",
    ),
    "join_blocked": (
        "参照データと結合できないキーがあるため公開を止めました：{details}",
        "Blocked: keys that do not join with the reference data: {details}",
    ),
    "join_unmatched": (
        "{input}「{column}」の {keys}種類 {rows}行が一致しません（例：{examples}）",
        "{input} {column}: {keys} keys in {rows} rows have no match (e.g. {examples})",
    ),
    "join_ambiguous": (
        "{input}「{column}」の {keys}種類 {rows}行が複数に当てはまります（例：{examples}）",
        "{input} {column}: {keys} keys in {rows} rows are ambiguous (e.g. {examples})",
    ),
    "validation_failed": (
        "検証に {failed}件 不合格があったため公開を止めました：{details}。報告書：{report}",
        "Blocked: {failed} expectations failed: {details}. Report: {report}",
    ),
}

OUTCOME_LABELS = {
    "curated": ("新しい版を作成", "new version"),
    "unchanged": ("変更なし", "unchanged"),
    "blocked": ("結合できず公開停止", "blocked by joins"),
    "failed": ("検証不合格で公開停止", "failed validation"),
}


def message(code: str, en_params: dict[str, Any] | None = None, **params: Any) -> dict[str, str]:
    """{"code", "ja", "en"} for one event of a run; en_params replaces params whose wording differs in English."""
    ja, en = MESSAGES[code]
    return {"code": code, "ja": ja.format(**params), "en": en.format(**(params | (en_params or {})))}
