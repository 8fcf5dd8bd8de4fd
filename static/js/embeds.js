// Click-to-load embeds (newsroom/embeds.py). Without this script each block is a plain link
// to the original; with it, the block offers a button, and only the click puts the
// provider's frame in: nothing is loaded from the provider before.
(function () {
  "use strict";
  var FRAME_ALLOW = "autoplay; encrypted-media; fullscreen; picture-in-picture";

  function load(block) {
    var src = block.getAttribute("data-embed-src");
    var url;
    try {
      url = new URL(src);
    } catch (error) {
      return;
    }
    if (url.protocol !== "https:") return;
    var frame = document.createElement("iframe");
    frame.className = "embed__frame";
    frame.src = url.href;
    frame.title = block.getAttribute("data-embed-title") || "";
    frame.allow = FRAME_ALLOW;
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute(
      "sandbox",
      "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-presentation"
    );
    // Some providers refuse to play without knowing which site embeds them: the origin only.
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    var consent = block.querySelector(".embed__consent");
    block.replaceChild(frame, consent);
    frame.focus();
  }

  document.querySelectorAll(".embed[data-embed-src]").forEach(function (block) {
    var consent = block.querySelector(".embed__consent");
    var button = block.querySelector(".embed__load");
    if (!consent || !button) return;
    consent.hidden = false;
    button.addEventListener("click", function () {
      load(block);
    });
  });
})();
