// Hotline intake: "/" jumps to the search; the warranty line follows the chosen device; the
// fault's fields and buttons show only for a fault. The page works without this script.
(function () {
  "use strict";
  var search = document.getElementById("search");
  document.addEventListener("keydown", function (e) {
    var t = e.target, tag = t && t.tagName;
    var typing = tag === "TEXTAREA" || tag === "SELECT" ||
      (tag === "INPUT" && !/^(radio|checkbox|button|submit)$/.test(t.type));
    if (e.key === "/" && !typing && search) { e.preventDefault(); search.focus(); search.select(); }
  });
  var device = document.getElementById("device"), warranty = document.getElementById("warranty");
  if (device && warranty) {
    var show = function () {
      var o = device.options[device.selectedIndex];
      warranty.textContent = (o && o.dataset.warranty) || warranty.dataset.site;
    };
    device.addEventListener("change", show);
    show();
  }
  var form = document.getElementById("call");
  if (form) {
    var fault = document.getElementById("fault");
    var only = ["create-job", "resolve-phone"].map(function (id) { return document.getElementById(id); });
    var record = document.getElementById("record");
    var sync = function () {
      var kind = form.querySelector("input[name=kind]:checked");
      var isFault = !kind || kind.value === "fault_report";
      if (fault) { fault.hidden = !isFault; }
      only.forEach(function (b) { if (b) { b.hidden = b.disabled = !isFault; } });
      if (record) { record.hidden = record.disabled = isFault && !!fault; }
    };
    form.addEventListener("change", sync);
    sync();
  }
})();
