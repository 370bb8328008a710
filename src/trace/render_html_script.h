// The script and style of the HTML report (render_html.cpp): inline in the
// page, no library, no network, so the page works offline and from a mail
// attachment. The script reads the report's data from the JSON element
// #oc-data (built by render_html.cpp) and draws:
//   - #oc-flame: a flame graph (root on top) of the stacks live at the peak,
//     or of everything allocated over the run; click a frame to zoom, hover
//     to see its bytes and the source text of its line;
//   - #oc-at-time: what was live at a clicked point of the timeline (or the
//     one named by a #t=SECONDS link), from the latest peak snapshot before it.
// Internal to render_html.cpp.
#pragma once

namespace outcore::trace {

inline constexpr const char kReportStyle[] = R"CSS(
body{font-family:sans-serif;margin:2em;color:#222;max-width:1100px}
table{border-collapse:collapse}
td,th{padding:2px 10px;text-align:right;border-bottom:1px solid #eee;vertical-align:top}
td.l,th.l{text-align:left}
code{font-size:90%}details{margin:4px 0}
.hint{background:#fff6d6;border:1px solid #e8d48a;padding:6px 10px}
.legend{list-style:none;padding:0;margin:6px 0}
.legend li{margin:2px 0}
.sw{display:inline-block;width:22px;height:4px;vertical-align:middle;margin-right:6px}
.note{color:#555;font-size:90%}
pre.src{background:#f6f6f6;border-left:3px solid #ccc;margin:4px 0;padding:4px 8px;font-size:85%;overflow-x:auto}
pre.src b{background:#ffe9a8;font-weight:normal}
#oc-timeline svg{cursor:crosshair}
.panel{border:1px solid #ddd;padding:6px 10px;margin:8px 0;min-height:2em;background:#fcfcfc}
.flame{position:relative;width:100%;overflow:hidden;border:1px solid #ddd;background:#fff}
.frame{position:absolute;height:17px;line-height:17px;font-size:11px;overflow:hidden;white-space:nowrap;
  text-overflow:ellipsis;box-sizing:border-box;border:1px solid #fff;padding:0 3px;cursor:pointer}
.frame:hover{border-color:#333}
.frame.py{background:#f4b66a}.frame.native{background:#e8796b}.frame.other{background:#c7c7c7}
.frame.root{background:#9fc5e8}
.tabs button{margin-right:6px}.tabs button.on{font-weight:bold}
)CSS";

inline constexpr const char kReportScript[] = R"JS(
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("oc-data").textContent);
  var names = data.names;
  function fmtSize(n) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"], u = 0;
    while (n >= 1024 && u < units.length - 1) { n /= 1024; u++; }
    return u === 0 ? n + " B" : n.toFixed(1) + " " + units[u];
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  // "function file:line" -> "file:line" (the key of data.sources), or "".
  function locationOf(frame) {
    var m = /(\S+:\d+)$/.exec(frame);
    return m ? m[1] : "";
  }
  function sourceBlock(location) {
    var snippet = data.sources[location];
    if (!snippet) return null;
    var pre = el("pre", "src");
    for (var i = 0; i < snippet[2].length; i++) {
      var number = snippet[0] + i, text = String(number).padStart(5) + "  " + snippet[2][i] + "\n";
      pre.appendChild(number === snippet[1] ? el("b", "", text) : document.createTextNode(text));
    }
    return pre;
  }

  // ---- flame graph ----
  var flame = document.getElementById("oc-flame");
  var detail = document.getElementById("oc-flame-detail");
  var select = document.getElementById("oc-process");
  var state = { process: 0, mode: "peak", zoom: [] };
  function kindOf(name) {
    if (/\.py:\d+$/.test(name) || / <[^>]+>:\d+$/.test(name)) return "py";  // <frozen ...>, <string>
    if (name.charAt(0) === "(") return "other";
    return "native";
  }
  function showFrame(path, node, total) {
    detail.textContent = "";
    var name = path.length ? names[node[0]] : "all";
    detail.appendChild(el("div", "", name));
    detail.appendChild(el("div", "note", fmtSize(node[1]) + " (" + (100 * node[1] / Math.max(total, 1)).toFixed(1) +
      "% of " + (state.mode === "peak" ? "what was live at the peak" : "all allocated") + ")"));
    var src = sourceBlock(locationOf(name));
    if (src) detail.appendChild(src);
  }
  function drawFlame() {
    var proc = data.processes[state.process];
    var root = proc ? proc[state.mode] : null;
    flame.textContent = "";
    if (!root || !root[1]) {
      flame.style.height = "30px";
      flame.appendChild(el("div", "note", state.mode === "peak" ? "nothing was live at the peak snapshot" :
        "no allocation totals (the process did not reach exit and left no snapshot)"));
      return;
    }
    // The zoomed node is drawn full width; its ancestors above it, full width too.
    var chain = [root], node = root;
    for (var z = 0; z < state.zoom.length; z++) {
      var next = node[2] && node[2][state.zoom[z]];
      if (!next) { state.zoom = state.zoom.slice(0, z); break; }
      chain.push(next);
      node = next;
    }
    var total = root[1], rowHeight = 18, maxDepth = 0;
    function place(n, depth, x, w, path) {
      maxDepth = Math.max(maxDepth, depth);
      var div = el("div", "frame " + (depth === 0 ? "root" : kindOf(names[n[0]])),
        depth === 0 ? "all " + fmtSize(n[1]) : names[n[0]]);
      div.style.left = (100 * x) + "%";
      div.style.width = (100 * w) + "%";
      div.style.top = (depth * rowHeight) + "px";
      div.title = (depth === 0 ? "all" : names[n[0]]) + "\n" + fmtSize(n[1]);
      div.addEventListener("mouseenter", function () { showFrame(path, n, total); });
      div.addEventListener("click", function () { state.zoom = path; drawFlame(); showFrame(path, n, total); });
      flame.appendChild(div);
      return div;
    }
    var path = [];
    for (var d = 0; d < chain.length - 1; d++) {
      place(chain[d], d, 0, 1, path.slice());
      path.push(state.zoom[d]);
    }
    function drawBelow(n, depth, x, w, p) {
      place(n, depth, x, w, p);
      var kids = n[2] || [], at = x;
      for (var k = 0; k < kids.length; k++) {
        var kw = w * kids[k][1] / Math.max(n[1], 1);
        if (kw * flame.clientWidth >= 1) drawBelow(kids[k], depth + 1, at, kw, p.concat([k]));
        at += kw;
      }
    }
    drawBelow(chain[chain.length - 1], chain.length - 1, 0, 1, state.zoom.slice());
    flame.style.height = ((maxDepth + 1) * rowHeight + 2) + "px";
  }
  if (select) {
    data.processes.forEach(function (p, i) {
      var option = el("option", "", "process " + p.pid + ": " + p.command.slice(0, 80));
      option.value = String(i);
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      state.process = Number(select.value); state.zoom = []; drawFlame(); drawAtTime(lastTime);
    });
  }
  var buttons = document.querySelectorAll(".tabs button");
  Array.prototype.forEach.call(buttons, function (b) {
    b.addEventListener("click", function () {
      state.mode = b.getAttribute("data-mode");
      state.zoom = [];
      Array.prototype.forEach.call(buttons, function (o) { o.className = o === b ? "on" : ""; });
      drawFlame();
    });
  });
  drawFlame();
  window.addEventListener("resize", drawFlame);

  // ---- the timeline: what was live at a clicked point ----
  var svg = document.querySelector("#oc-timeline svg");
  var atTime = document.getElementById("oc-at-time");
  var lastTime = null;
  function drawAtTime(t) {
    if (t === null || !data.timeline.length) return;
    lastTime = t;
    var best = data.timeline[0];
    data.timeline.forEach(function (s) { if (Math.abs(s[0] - t) < Math.abs(best[0] - t)) best = s; });
    atTime.textContent = "";
    atTime.appendChild(el("div", "", "at " + best[0].toFixed(2) + " s: heap " + fmtSize(best[1]) + ", RSS " +
      fmtSize(best[2]) + " (file-backed " + fmtSize(best[3]) + ")" + (best[4] ? ", swap " + fmtSize(best[4]) : "")));
    var proc = data.processes[state.process];
    var snap = null;
    (proc ? proc.snapshots : []).forEach(function (s) { if (s[0] <= best[0] + 1e-9) snap = s; });
    if (!snap) {
      atTime.appendChild(el("div", "note", "process " + (proc ? proc.pid : "?") + " had no peak snapshot yet " +
        "(one is written at each new high of the heap, once past 256 KiB)"));
    } else {
      atTime.appendChild(el("div", "note", "process " + proc.pid + ", live at its last new peak before this " +
        "point (" + snap[0].toFixed(2) + " s, " + fmtSize(snap[1]) + "):"));
      var table = el("table");
      snap[2].forEach(function (site) {
        var row = el("tr");
        row.appendChild(el("td", "", fmtSize(site[2])));
        row.appendChild(el("td", "", (100 * site[3]).toFixed(1) + "%"));
        var cell = el("td", "l");
        cell.appendChild(el("code", "", site[0]));
        cell.appendChild(document.createTextNode(" " + site[1]));
        row.appendChild(cell);
        table.appendChild(row);
      });
      atTime.appendChild(table);
    }
    var cursor = document.getElementById("oc-cursor");
    if (cursor && svg) {
      var x = data.chart.left + data.chart.width * best[0] / data.chart.tmax;
      cursor.setAttribute("x1", x); cursor.setAttribute("x2", x);
      cursor.setAttribute("visibility", "visible");
    }
  }
  // A link to a moment: report.html#t=12.5 opens with that point shown.
  var linked = /[#&]t=([0-9.]+)/.exec(window.location.hash);
  if (linked) drawAtTime(Number(linked[1]));
  if (svg) {
    svg.addEventListener("click", function (event) {
      var box = svg.getBoundingClientRect();
      var x = (event.clientX - box.left) * (data.chart.svgWidth / box.width);
      drawAtTime(Math.max(0, (x - data.chart.left) / data.chart.width * data.chart.tmax));
    });
  }
})();
)JS";

}  // namespace outcore::trace
