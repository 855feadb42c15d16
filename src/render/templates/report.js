(function () {
  "use strict";
  // Filters and sorting over the finding elements themselves: the page holds no data
  // apart from its markup. The state lives in the URL hash (#status=fail&q=bucket), so
  // a link opens the page filtered.
  var form = document.getElementById("filters");
  var list = document.getElementById("findings");
  var shown = document.getElementById("shown");
  var noMatch = document.getElementById("no-match");
  var printFilter = document.getElementById("print-filter");
  var rows = Array.prototype.slice.call(list.querySelectorAll("details.finding"));
  var total = rows.length;
  var KEYS = ["status", "severity", "measure", "q", "sort"];

  function checked(name) {
    return Array.prototype.slice.call(form.querySelectorAll("input[name=" + name + "]"))
      .filter(function (box) { return box.checked; })
      .map(function (box) { return box.value; });
  }

  function state() {
    return {
      status: checked("status"),
      severity: checked("severity"),
      measure: form.elements.measure.value,
      q: form.elements.q.value.trim(),
      sort: form.elements.sort.value
    };
  }

  function inMeasure(row, wanted) {
    if (!wanted) { return true; }
    return row.getAttribute("data-measures").split(" ").some(function (m) {
      return m === wanted || m.indexOf(wanted + ".") === 0;
    });
  }

  function matches(row, s) {
    if (s.status.length && s.status.indexOf(row.getAttribute("data-status")) < 0) { return false; }
    if (s.severity.length && s.severity.indexOf(row.getAttribute("data-severity")) < 0) { return false; }
    if (!inMeasure(row, s.measure)) { return false; }
    if (s.q && row.textContent.toLowerCase().indexOf(s.q.toLowerCase()) < 0) { return false; }
    return true;
  }

  function num(row, name) { return Number(row.getAttribute(name)); }

  function text(row, selector) {
    var el = row.querySelector(selector);
    return el ? el.textContent : "";
  }

  var ORDERS = {
    "": function (a, b) { return num(a, "data-order") - num(b, "data-order"); },
    severity: function (a, b) {
      return num(a, "data-severity-rank") - num(b, "data-severity-rank") ||
        num(a, "data-status-rank") - num(b, "data-status-rank") ||
        num(a, "data-order") - num(b, "data-order");
    },
    check: function (a, b) {
      return a.getAttribute("data-check").localeCompare(b.getAttribute("data-check"), undefined, { numeric: true }) ||
        num(a, "data-order") - num(b, "data-order");
    },
    measure: function (a, b) {
      return a.getAttribute("data-measures").localeCompare(b.getAttribute("data-measures"), undefined, { numeric: true }) ||
        num(a, "data-order") - num(b, "data-order");
    },
    resource: function (a, b) {
      return text(a, ".res").localeCompare(text(b, ".res")) || num(a, "data-order") - num(b, "data-order");
    }
  };

  function describe(s) {
    var parts = [];
    if (s.status.length) { parts.push("status " + s.status.join(", ")); }
    if (s.severity.length) { parts.push("severity " + s.severity.join(", ")); }
    if (s.measure) { parts.push("measure " + s.measure); }
    if (s.q) { parts.push("search \u201c" + s.q + "\u201d"); }
    return parts.join("; ");
  }

  function apply() {
    var s = state();
    var visible = 0;
    rows.forEach(function (row) {
      var show = matches(row, s);
      row.hidden = !show;
      if (show) { visible += 1; }
    });
    var order = ORDERS[s.sort] || ORDERS[""];
    rows.slice().sort(order).forEach(function (row) { list.appendChild(row); });
    var filter = describe(s);
    shown.textContent = filter
      ? "Showing " + visible + " of " + total + " findings (" + filter + ")"
      : total + " findings";
    printFilter.textContent = filter ? "Filtered: " + filter + " (" + visible + " of " + total + " findings)" : "";
    noMatch.hidden = visible !== 0;
  }

  function toHash() {
    var s = state();
    var parts = [];
    KEYS.forEach(function (key) {
      var v = Array.isArray(s[key]) ? s[key].join(",") : s[key];
      if (v) { parts.push(key + "=" + encodeURIComponent(v)); }
    });
    var url = parts.length ? "#" + parts.join("&") : location.pathname + location.search;
    history.replaceState(null, "", url);
  }

  // A link to one finding (#finding-12) opens it.
  function openLinked() {
    var target = location.hash.length > 1 ? document.getElementById(location.hash.slice(1)) : null;
    if (target && target.classList.contains("finding")) {
      target.hidden = false;
      target.open = true;
      target.scrollIntoView();
    }
  }

  // A hash without "key=value" pairs is an ordinary anchor (#tom-4.c): left alone.
  function fromHash() {
    var raw = location.hash.replace(/^#/, "");
    if (raw.indexOf("=") < 0) { return false; }
    var values = {};
    raw.split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) {
        try {
          values[pair.slice(0, at)] = decodeURIComponent(pair.slice(at + 1).replace(/\+/g, " "));
        } catch (e) {
          values[pair.slice(0, at)] = pair.slice(at + 1);
        }
      }
    });
    ["status", "severity"].forEach(function (name) {
      var wanted = (values[name] || "").split(",");
      form.querySelectorAll("input[name=" + name + "]").forEach(function (box) {
        box.checked = wanted.indexOf(box.value) >= 0;
      });
    });
    var measure = form.elements.measure;
    measure.value = values.measure || "";
    if (measure.value !== (values.measure || "")) { measure.value = ""; }
    form.elements.q.value = values.q || "";
    form.elements.sort.value = values.sort || "";
    if (form.elements.sort.value !== (values.sort || "")) { form.elements.sort.value = ""; }
    return true;
  }

  form.addEventListener("input", function () { apply(); toHash(); });
  form.addEventListener("change", function () { apply(); toHash(); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () {
    // The reset event fires before the controls are cleared.
    setTimeout(function () { apply(); toHash(); }, 0);
  });
  window.addEventListener("hashchange", function () {
    if (fromHash()) {
      apply();
      document.getElementById("findings-section").scrollIntoView();
    } else {
      openLinked();
    }
  });

  // Paper has no disclosure triangles: every shown finding prints open.
  var closedBeforePrint = [];
  window.addEventListener("beforeprint", function () {
    closedBeforePrint = rows.filter(function (row) { return !row.open; });
    closedBeforePrint.forEach(function (row) { row.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closedBeforePrint.forEach(function (row) { row.open = false; });
    closedBeforePrint = [];
  });

  fromHash();
  apply();
  openLinked();
})();
