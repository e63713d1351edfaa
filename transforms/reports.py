"""Check results for people: a plain-text report for the terminal and an HTML page for the department."""

from html import escape
from typing import Any

from transforms.validate import CheckResult

_OUTCOME_TEXT = {
    "accepted": "受け付けました",
    "rejected": "受け付けできませんでした（エラーを直して再提出してください）",
    "duplicate": "同じファイルを受付済みです",
}


def _where(finding: dict[str, Any]) -> str:
    row = f"{finding['row']}行目" if finding["row"] is not None else "ファイル全体"
    return f"{row}「{finding['column']}」" if finding["column"] else row


def _count(findings: list[dict[str, Any]]) -> int:
    """Findings in all, the ones only counted (a more_findings summary stands for `count` of them) included."""
    return sum(f["count"] if f["code"] == "more_findings" else 1 for f in findings)


def render_text(result: CheckResult, title: str) -> str:
    """What `odl check` prints without --json."""
    data = result.to_dict()
    shape = (
        f"{data['format']}、{data['encoding'] or '-'}、{data['rows']}行"
        if data["rows"] is not None
        else "読み取れません"
    )
    lines = [f"ファイル: {data['file']}（{shape}）", f"データセット: {data['dataset']}（{title}）"]
    if result.valid:
        lines.append("結果: 問題はありません。このまま提出できます。")
    else:
        lines.append(f"結果: エラーが {_count(data['errors']):,} 件あります。直してから提出してください。")
    for heading, findings in (("エラー", data["errors"]), ("警告", data["warnings"])):
        if findings:
            lines.append(f"{heading}:")
            lines += [
                f"  {f['message']}" if f["code"] == "more_findings" else f"  {_where(f)}: {f['message']} [{f['code']}]"
                for f in findings
            ]
    return "\n".join(lines) + "\n"


def _rows_html(findings: list[dict[str, Any]]) -> str:
    cells = (
        f"<tr><td>{'' if f['row'] is None else f['row']}</td><td>{escape(f['column'] or '')}</td>"
        f"<td>{escape(f['message'])}</td><td><code>{escape(f['code'])}</code></td></tr>"
        for f in findings
    )
    return "".join(cells)


def render_html(report: dict[str, Any]) -> str:
    """The department's page for one submission: report.json's content, in Japanese, escaped."""
    sections = []
    for heading, key in (
        ("エラー（直す必要があります）", "errors"),
        ("警告（取り込みましたが確認してください）", "warnings"),
    ):
        findings = report.get(key) or []
        if findings:
            sections.append(
                f"<h2>{heading}：{_count(findings):,}件</h2><table><thead><tr><th>行</th><th>列</th>"
                f"<th>内容</th><th>コード</th></tr></thead><tbody>{_rows_html(findings)}</tbody></table>"
            )
    facts = [
        ("提出部署", report.get("department_name")),
        ("ファイル名", report.get("file")),
        ("データセット", report.get("dataset_title") or report.get("dataset") or "判別できません"),
        ("受付日時", report.get("received_at")),
        ("文字コード・形式", f"{report.get('encoding') or '-'} / {report.get('format') or '-'}"),
        ("データ行数", report.get("rows")),
        ("SHA-256", report.get("sha256")),
    ]
    facts_html = "".join(f"<tr><th>{label}</th><td>{escape(str(value or '-'))}</td></tr>" for label, value in facts)
    outcome = _OUTCOME_TEXT.get(report.get("outcome", ""), report.get("outcome", ""))
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>提出ファイルの確認結果 - {escape(str(report.get("file")))}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 70em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #bbb; padding: .3em .6em; text-align: left; vertical-align: top; }}
thead th {{ background: #eee; }} .outcome {{ font-size: 1.2em; font-weight: bold; }}
</style></head><body>
<h1>提出ファイルの確認結果</h1>
<p class="outcome">{escape(outcome)}</p>
<table>{facts_html}</table>
{"".join(sections) or "<p>エラー・警告はありません。</p>"}
<p>行番号は Excel の行番号（CSV・テキストは行の番号）です。ご不明な点はデータ担当までお問い合わせください。</p>
</body></html>
"""
