// Filters of the taglint HTML report: by rule and by severity.  The choice
// lives in the address's fragment (#rule=TL101&severity=warning), so a
// filtered view can be bookmarked or shared, and chart bars link to it.
(function () {
  "use strict";
  var rule = document.getElementById("filter-rule");
  var severity = document.getElementById("filter-severity");
  var shown = document.getElementById("shown");
  var findings = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  var files = Array.prototype.slice.call(document.querySelectorAll("section.file"));

  function choose(select, value) {
    var known = Array.prototype.some.call(select.options, function (option) { return option.value === value; });
    select.value = known ? value : "";
  }

  function readFragment() {
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    choose(rule, params.get("rule") || "");
    choose(severity, params.get("severity") || "");
  }

  function writeFragment() {
    var params = new URLSearchParams();
    if (rule.value) { params.set("rule", rule.value); }
    if (severity.value) { params.set("severity", severity.value); }
    var fragment = params.toString();
    if (window.location.hash.replace(/^#/, "") !== fragment) {
      window.location.hash = fragment;
    }
  }

  function apply() {
    var count = 0;
    findings.forEach(function (finding) {
      var visible = (!rule.value || finding.dataset.rule === rule.value) &&
        (!severity.value || finding.dataset.severity === severity.value);
      finding.hidden = !visible;
      if (visible) { count += 1; }
    });
    files.forEach(function (file) {
      file.hidden = file.querySelector("article.finding:not([hidden])") === null;
    });
    shown.textContent = "Showing " + count + " of " + findings.length + " finding" + (findings.length === 1 ? "" : "s");
    document.body.dataset.shown = String(count);
  }

  rule.addEventListener("change", function () { apply(); writeFragment(); });
  severity.addEventListener("change", function () { apply(); writeFragment(); });
  window.addEventListener("hashchange", function () { readFragment(); apply(); });
  readFragment();
  apply();
}());
