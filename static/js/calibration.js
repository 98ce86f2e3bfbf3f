// Calibration forms (R-CAL): choosing a trade fills its indicative labour share and hourly cost;
// "Reprendre ces heures" copies the proposal into the lot's required hours.
(function () {
  "use strict";
  var presetsNode = document.getElementById("trade-presets");
  var presets = presetsNode ? JSON.parse(presetsNode.textContent) : {};
  var form = document.getElementById("calibration-form");
  if (!form) { return; }

  // The hourly cost follows the trade's nature (25 €/h for services…) until the user types their own.
  var cost = form.querySelector("[name=hourly_cost]");
  if (cost) {
    cost.addEventListener("input", function () { cost.dataset.edited = "1"; });
  }
  var trade = form.querySelector("[name=trade]");
  if (trade) {
    trade.addEventListener("change", function () {
      var preset = presets[trade.value];
      if (!preset) { return; }
      var share = form.querySelector("[name=labour_share]");
      if (share) { share.value = preset.labour_share; }
      if (cost && !cost.dataset.edited) { cost.value = preset.hourly_cost; }
      form.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-apply-hours]");
    if (!button) { return; }
    var hours = form.querySelector("[name=required_hours]");
    if (hours) {
      hours.value = button.getAttribute("data-apply-hours");
      hours.focus();
    }
  });
})();

// The print button of the standalone calibration page.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
