"""A connect run's report for people: one HTML page, Japanese labels, built from the run's JSON report."""

from html import escape
from typing import Any

from transforms.connect.messages import OUTCOME_LABELS

_STYLE = """
body { font-family: sans-serif; margin: 2em; max-width: 80em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: .3em .6em; text-align: left; vertical-align: top; }
thead th { background: #eee; } .ok { color: #176a2c; } .ng { color: #b00020; font-weight: bold; }
.outcome { font-size: 1.2em; font-weight: bold; } .en { color: #666; font-size: .9em; }
"""


def _text(value: Any) -> str:
    return escape("-" if value is None or value == "" else str(value))


def _facts(report: dict[str, Any]) -> str:
    inputs = "<br>".join(
        f"{_text(name)}: {_text(data['sha256'][:12])}…（{_text(data['rows'])}行）"
        for name, data in report["inputs"].items()
    )
    facts = [
        ("データセット", f"{_text(report['title'])}（{_text(report['dataset'])}）"),
        ("実行", _text(report["run"])),
        ("実行日時", _text(report["at"])),
        ("版", _text(report.get("version"))),
        ("行数", _text(report.get("rows"))),
        ("入力（受け付けた提出）", inputs or "-"),
    ]
    return "<table>" + "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in facts) + "</table>"


def _examples(examples: list[dict[str, Any]]) -> str:
    return "<br>".join(
        f"「{_text(e['key'])}」{e['rows']}行（元の行 {_text(', '.join(map(str, e['source_rows'])))}）" for e in examples
    )


def _joins(joins: list[dict[str, Any]]) -> str:
    if not joins:
        return ""
    rows = "".join(
        f"<tr><td>{_text(j['input'])}「{_text(j['column'])}」→ {_text(j['reference'])}</td><td>{j['rows']}</td>"
        f"<td>{j['matched_rows']}行 / {j['matched_keys']}種類</td>"
        f"<td class='{'ng' if j['unmatched_rows'] else 'ok'}'>{j['unmatched_rows']}行 / {j['unmatched_keys']}種類"
        f"<br>{_examples(j['unmatched'])}</td>"
        f"<td class='{'ng' if j['ambiguous_rows'] else 'ok'}'>{j['ambiguous_rows']}行 / {j['ambiguous_keys']}種類"
        f"<br>{_examples(j['ambiguous'])}</td></tr>"
        for j in joins
    )
    return (
        "<h2>参照データとの結合 <span class='en'>Joins with reference data</span></h2><table><thead><tr>"
        "<th>結合</th><th>行数</th><th>一致</th><th>不一致</th><th>複数に該当</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _target(outcome: dict[str, Any]) -> str:
    kwargs = outcome["kwargs"]
    columns = kwargs.get("column") or kwargs.get("column_list") or [kwargs.get("column_A"), kwargs.get("column_B")]
    where = "派生表「" + outcome["batch"] + "」" if outcome["batch"] != "curated" else "公開する表"
    named = "・".join(str(c) for c in columns if c) if isinstance(columns, list) else str(columns)
    return f"{escape(where)}<br>{escape(named) if len(named) < 80 else '（全列）'}"


def _expectations(validation: dict[str, Any]) -> str:
    rows = []
    for outcome in sorted(validation["expectations"], key=lambda o: (o["success"], o["index"])):
        mark = "<span class='ok'>合格</span>" if outcome["success"] else "<span class='ng'>不合格</span>"
        detail = []
        if outcome["unexpected_count"]:
            detail.append(f"該当しない値 {outcome['unexpected_count']}件（{outcome['unexpected_percent']:.2f}%）")
        if outcome["examples"] and not outcome["success"]:
            detail.append("例：" + _text(", ".join(map(str, outcome["examples"][:10]))))
        if outcome["source_rows"]:
            detail.append("元の行：" + _text(", ".join(map(str, outcome["source_rows"]))))
        if outcome["observed"] is not None and not outcome["success"]:
            detail.append("実際の値：" + _text(outcome["observed"])[:300])
        if outcome["error"]:
            detail.append("評価できませんでした：" + _text(outcome["error"])[:300])
        rows.append(
            f"<tr><td>{mark}</td><td>{escape(outcome['label_ja'])}<br><span class='en'>{escape(outcome['label_en'])}"
            f"</span></td><td>{_target(outcome)}</td><td>{'<br>'.join(detail)}</td>"
            f"<td><code>{escape(outcome['type'])}</code><br>{'手書き' if outcome['source'] == 'handwritten' else '契約から生成'}</td></tr>"
        )
    statistics = validation["statistics"]
    return (
        f"<h2>検証結果 <span class='en'>Great Expectations {escape(validation['gx_version'])}</span></h2>"
        f"<p>{statistics['evaluated_expectations']}項目中 {statistics['successful_expectations']}項目が合格、"
        f"{statistics['unsuccessful_expectations']}項目が不合格（{validation['seconds']}秒）</p>"
        "<table><thead><tr><th>結果</th><th>検証項目</th><th>対象</th><th>詳細</th><th>種類</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def render_html(report: dict[str, Any]) -> str:
    """The page for one connect run: outcome, reason, inputs, joins and every expectation's result."""
    outcome_ja, outcome_en = OUTCOME_LABELS[report["outcome"]]
    reason = report.get("reason")
    reason_html = f"<p class='ng'>{escape(reason['ja'])}</p><p class='en'>{escape(reason['en'])}</p>" if reason else ""
    validation = _expectations(report["validation"]) if report.get("validation") else "<p>検証は行っていません。</p>"
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>つなぐ 検証結果 - {_text(report["title"])}</title>
<style>{_STYLE}</style></head><body>
<h1>つなぐ（結合・検証）の結果：{_text(report["title"])}</h1>
<p class="outcome">{escape(outcome_ja)} <span class="en">{escape(outcome_en)}</span></p>
{reason_html}
{_facts(report)}
{_joins(report.get("join_quality") or [])}
{validation}
</body></html>
"""
