// The image admin's focal point: a click on the picture sets the two numbers (and moves the
// marker); typing the numbers moves the marker. Without JavaScript the numbers still work.
(function () {
  "use strict";
  function init() {
    var picker = document.querySelector("[data-focal-point]");
    var x = document.getElementById("id_focal_x");
    var y = document.getElementById("id_focal_y");
    if (!picker || !x || !y) return;
    var img = picker.querySelector("img");
    var marker = picker.querySelector(".focal-point__marker");
    picker.classList.add("focal-point--active");
    function show() {
      marker.style.left = Math.min(Math.max(Number(x.value) || 0, 0), 1) * 100 + "%";
      marker.style.top = Math.min(Math.max(Number(y.value) || 0, 0), 1) * 100 + "%";
    }
    img.addEventListener("click", function (event) {
      var box = img.getBoundingClientRect();
      x.value = ((event.clientX - box.left) / box.width).toFixed(3);
      y.value = ((event.clientY - box.top) / box.height).toFixed(3);
      show();
    });
    x.addEventListener("input", show);
    y.addEventListener("input", show);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
