"""``Dataset._repr_html_``: what ``outcore info`` says, as a compact table for notebooks.

Built from ``Dataset.info()`` (the footer only: no block is read). Every text that comes from the
file (path, column names, value bounds, source names) is HTML-escaped.
"""

from __future__ import annotations

from html import escape

from . import _core


def _size(n: int) -> str:
    return escape(_core.format_size(n))


def _ratio(decoded: int, stored: int) -> str:
    return f"{decoded / stored:.1f}x" if stored else ""


def _clip(text: str | None, width: int = 24) -> str:
    if text is None:
        return ""
    if len(text) > width:
        text = text[: width - 1] + "\u2026"
    return escape(text)


def dataset_html(info: dict) -> str:
    ingest = info["ingest"]
    head = (
        f"<strong>outcore.Dataset</strong> <code>{escape(info['path'])}</code>: {info['rows']:,} rows, "
        f"{len(info['columns'])} columns, {info['chunks']:,} chunks, {_size(info['file_bytes'])} stored "
        f"({_size(info['decoded_bytes'])} decoded, {_ratio(info['decoded_bytes'], info['file_bytes'])})"
    )
    lines = [f"<div class='outcore-dataset'><p>{head}</p>"]
    if ingest["rows_read"]:
        reasons = ", ".join(f"{escape(r)} {n:,}" for r, n in ingest["rejected_by_reason"].items())
        sources = ", ".join(escape(s) for s in ingest["sources"])
        lines.append(
            f"<p>ingested from {sources} ({_size(ingest['input_bytes'])}): rows read {ingest['rows_read']:,}"
            f" = kept {ingest['rows_kept']:,} + rejected {ingest['rows_rejected']:,}"
            + (f" ({reasons})" if reasons else "") + "</p>"
        )
        if ingest["rules"]:  # how the file was cleaned
            rules = ", ".join(f"<code>{escape(r['rule'])}</code> {r['rows_rejected']:,}" for r in ingest["rules"])
            lines.append(f"<p>row rules (rows rejected): {rules}</p>")
    cells = "".join(
        f"<th>{h}</th>" for h in ("column", "type", "encoding", "stored", "decoded", "ratio", "nulls", "distinct",
                                  "min", "max")
    )
    lines.append(f"<table><thead><tr>{cells}</tr></thead><tbody>")
    for c in info["columns"]:
        distinct = f"{c['distinct']:,}" if c["distinct_exact"] else f"~{c['distinct']:,}"
        row = (
            _clip(c["name"], 32), escape(c["type"]), escape(c["encoding"]), _size(c["stored_bytes"]),
            _size(c["decoded_bytes"]), _ratio(c["decoded_bytes"], c["stored_bytes"]), f"{c['null_count']:,}",
            distinct, _clip(c["min"]), _clip(c["max"]),
        )
        lines.append("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>")
    lines.append("</tbody></table>")
    if info["indexes"]:
        items = ", ".join(
            f"{escape(i['column'])} ({escape(i['kind'])}, {i['keys']:,} keys, {_size(i['stored_bytes'])})"
            for i in info["indexes"]
        )
        lines.append(f"<p>indexes: {items}</p>")
    else:
        lines.append("<p>no indexes (add them with <code>outcore.index(path, columns=[...])</code>)</p>")
    lines.append("</div>")
    return "\n".join(lines)
