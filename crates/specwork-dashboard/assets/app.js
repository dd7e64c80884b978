// specwork dashboard: live updates and small behaviours. No inline script anywhere (the CSP
// forbids it); everything the page needs is here or in data- attributes.
(function () {
  "use strict";
  var live = document.getElementById("live");
  var refreshing = false, again = false;

  // Re-fetch the page the user is on and swap its content in place.
  function refresh() {
    if (!document.getElementById("main")) return;
    if (refreshing) { again = true; return; }
    refreshing = true;
    var done = function () {
      refreshing = false;
      window.specworkRefreshes = (window.specworkRefreshes || 0) + 1;
      document.body.dispatchEvent(new CustomEvent("specwork:refreshed"));
      if (again) { again = false; refresh(); }
    };
    htmx.ajax("GET", location.pathname + location.search, { target: "#main", select: "#main", swap: "outerHTML" })
      .then(done, done);
  }

  // Large pages (the portfolio) fetch only what changed and replace those elements; the
  // server answers {"full": true} when the page must be fetched whole.
  var queue = Promise.resolve();
  function patch(url, paths) {
    var q = url + "?paths=" + encodeURIComponent(paths.join("\n"));
    var search = location.search.replace(/^\?/, "");
    if (search) q += "&" + search;
    return fetch(q, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
      if (d.full) { refresh(); return; }
      Object.keys(d.parts || {}).forEach(function (id) {
        var el = document.getElementById(id);
        if (el) { el.outerHTML = d.parts[id]; }
      });
      window.specworkRefreshes = (window.specworkRefreshes || 0) + 1;
      document.body.dispatchEvent(new CustomEvent("specwork:refreshed"));
    }).catch(function () { refresh(); });
  }

  function setLive(on) {
    if (!live) return;
    live.classList.toggle("on", on);
    live.title = on ? live.dataset.on : live.dataset.off;
  }

  function connect() {
    var es = new EventSource((document.body.dataset.base || "") + "/events");
    es.onopen = function () { setLive(true); document.body.dataset.live = "on"; };
    es.onerror = function () { setLive(false); };
    es.onmessage = function (e) {
      var change = { paths: [] };
      try { change = JSON.parse(e.data); } catch (_) { /* refresh anyway */ }
      window.specworkLastChange = change;
      // A page names the paths it does not show (data-ignore); changes only there leave it be.
      var main = document.getElementById("main");
      var ignore = ((main && main.dataset.ignore) || "").split(" ").filter(Boolean);
      var paths = change.paths || [];
      var matters = paths.length === 0 || paths.some(function (p) {
        return !ignore.some(function (pre) { return p.indexOf(pre) === 0; });
      });
      if (!matters) return;
      var parts = main && main.dataset.liveParts;
      if (parts && paths.length > 0) { queue = queue.then(function () { return patch(parts, paths); }); } else { refresh(); }
    };
  }

  // Blocking a task asks why; cancelling the question cancels the request.
  document.addEventListener("htmx:configRequest", function (e) {
    var el = e.detail.elt;
    if (el && el.dataset && el.dataset.prompt !== undefined) {
      var reason = window.prompt(el.dataset.prompt, "");
      if (reason === null) { e.preventDefault(); return; }
      e.detail.parameters.reason = reason;
    }
  });

  // A refused action says why (the API answers {"error": …}).
  document.addEventListener("htmx:responseError", function (e) {
    var msg = e.detail.xhr.responseText;
    try { msg = JSON.parse(msg).error || msg; } catch (_) { /* plain text */ }
    window.alert(msg);
  });

  // Charts: any element with data-chart holds its data in a JSON script element. Bars stand at
  // x = 0…n-1, with one empty slot on each side: uPlot sizes a bar by the gap between x values,
  // so a lone bar would have no width. The y scale follows the bars (a $5 budget over a $0.03
  // day would flatten them to nothing); a line series (the budget) is drawn across the plot with
  // its label, at the top edge with an arrow when it is above the bars' scale.
  function charts() {
    if (!window.uPlot) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var src = document.getElementById(el.dataset.chart);
      if (!src) return;
      var spec = JSON.parse(src.textContent);
      el.dataset.drawn = "1";
      var n = spec.labels.length;
      var money = function (u, v) { return v == null ? "–" : "$" + v.toFixed(2); };
      var barMax = 0, lines = [];
      spec.series.forEach(function (s, i) {
        var col = spec.data[i + 1];
        if (s.bars) { col.forEach(function (v) { if (v > barMax) barMax = v; }); }
        else if (col[0] > 0) { lines.push({ label: s.label, color: s.color, value: col[0] }); }
      });
      var top = barMax;
      lines.forEach(function (l) { if (l.value <= barMax * 3) top = Math.max(top, l.value); });
      top = Math.max(top, 0.01) * 1.15;
      var series = [{ label: spec.x, value: function (u, v) { return spec.labels[v] || ""; } }].concat(spec.series.map(function (s) {
        var o = { label: s.label, stroke: s.color, fill: s.fill || null, width: 2, dash: s.dash || undefined, value: money };
        if (s.bars && uPlot.paths && uPlot.paths.bars) { o.paths = uPlot.paths.bars({ size: [0.6, 64] }); o.points = { show: false }; }
        else if (!s.bars) { o.paths = function () { return null; }; o.points = { show: false }; }
        return o;
      }));
      var data = spec.data.map(function (col, i) { return [i === 0 ? -1 : null].concat(col, [i === 0 ? n : null]); });
      var drawLines = function (u) {
        var ctx = u.ctx, px = window.devicePixelRatio || 1, b = u.bbox;
        lines.forEach(function (l) {
          var off = l.value > u.scales.y.max;
          var y = Math.round(u.valToPos(off ? u.scales.y.max : l.value, "y", true)) + (off ? px : 0);
          ctx.save();
          ctx.strokeStyle = l.color; ctx.lineWidth = 2 * px; ctx.setLineDash([6 * px, 4 * px]);
          ctx.beginPath(); ctx.moveTo(b.left, y); ctx.lineTo(b.left + b.width, y); ctx.stroke();
          ctx.fillStyle = l.color; ctx.font = (12 * px) + "px system-ui, sans-serif";
          ctx.textAlign = "right"; ctx.textBaseline = off ? "top" : "bottom";
          ctx.fillText(l.label + " $" + l.value.toFixed(2) + (off ? " \u2191" : ""), b.left + b.width - 4 * px, off ? y + 4 * px : y - 4 * px);
          ctx.restore();
        });
      };
      var opts = { width: Math.max(280, el.clientWidth || 600), height: 220, series: series,
                   scales: { x: { time: false, range: function () { return [-0.5, n - 0.5]; } },
                             y: { range: function () { return [0, top]; } } },
                   axes: [{ splits: function () { return spec.labels.map(function (_, i) { return i; }); },
                            values: function (u, vals) { return vals.map(function (v) { return spec.labels[v] || ""; }); } },
                          { values: function (u, vals) { return vals.map(function (v) { return "$" + v; }); } }],
                   hooks: { draw: [drawLines] } };
      new uPlot(opts, data, el);
    });
  }

  // Diagrams: ```mermaid blocks, drawn by the vendored mermaid on pages that load it.
  function diagrams() {
    if (!window.mermaid) return;
    if (!window.specworkMermaid) {
      window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral" });
      window.specworkMermaid = true;
    }
    window.mermaid.run({ querySelector: "pre.mermaid:not([data-processed])" });
  }

  function draw() { charts(); diagrams(); }

  document.addEventListener("DOMContentLoaded", function () { connect(); draw(); });
  document.body && document.body.addEventListener("specwork:refreshed", draw);
  document.addEventListener("htmx:afterSwap", draw);
})();
