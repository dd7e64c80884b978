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

  // Charts: any element with data-chart holds its data in a JSON script element.
  function charts() {
    if (!window.uPlot) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var src = document.getElementById(el.dataset.chart);
      if (!src) return;
      var spec = JSON.parse(src.textContent);
      el.dataset.drawn = "1";
      var series = [{}].concat(spec.series.map(function (s) {
        var o = { label: s.label, stroke: s.color, fill: s.fill || null, width: 2, dash: s.dash || undefined };
        if (s.bars && uPlot.paths && uPlot.paths.bars) { o.paths = uPlot.paths.bars({ size: [0.6, 64] }); o.points = { show: false }; }
        return o;
      }));
      var n = spec.labels.length;
      var opts = { width: Math.max(280, el.clientWidth || 600), height: 220, series: series,
                   scales: { x: { time: false, range: function () { return [-0.5, n - 0.5]; } },
                             y: { range: function (u, min, max) { return [0, Math.max(max, 0.01) * 1.1]; } } },
                   axes: [{ splits: function () { return spec.labels.map(function (_, i) { return i; }); },
                            values: function (u, vals) { return vals.map(function (v) { return spec.labels[v] || ""; }); } },
                          { values: function (u, vals) { return vals.map(function (v) { return "$" + v; }); } }] };
      new uPlot(opts, spec.data, el);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { connect(); charts(); });
  document.body && document.body.addEventListener("specwork:refreshed", charts);
  document.addEventListener("htmx:afterSwap", charts);
})();
