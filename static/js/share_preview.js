// The article form's search-result and social-card preview follows the headline, address,
// lead, description and image while the editor types. The server renders the same preview
// from the saved values (articles/metadata.py share_preview), which this only keeps current.
(function () {
  "use strict";

  // As articles.metadata.shortened: at a word, with an ellipsis.
  function shortened(text, limit) {
    text = text.split(/\s+/).filter(Boolean).join(" ");
    if (text.length <= limit) return text;
    var cut = text.slice(0, limit - 1);
    if (cut.indexOf(" ") !== -1) cut = cut.slice(0, cut.lastIndexOf(" "));
    return cut.replace(/[ ,.;:]+$/, "") + "\u2026";
  }

  function start() {
    var box = document.querySelector("[data-share-preview]");
    if (!box) return;
    var field = function (name) {
      return document.getElementById("id_" + name);
    };
    var part = function (name) {
      return box.querySelector('[data-share="' + name + '"]');
    };
    var untitled = part("search-title").textContent;

    function update() {
      var title = field("title") ? field("title").value.trim() : "";
      var seo = field("seo_description") ? field("seo_description").value.trim() : "";
      var lead = field("lead") ? field("lead").value.trim() : "";
      var description = seo || lead;
      var limit = function (name) {
        return Number(box.getAttribute("data-" + name + "-chars"));
      };
      part("search-title").textContent = title ? shortened(title, limit("search-title")) : untitled;
      part("card-title").textContent = title ? shortened(title, limit("card-title")) : untitled;
      part("search-description").textContent = shortened(description, limit("search-description"));
      part("card-description").textContent = shortened(description, limit("card-description"));
      if (field("slug")) part("slug").textContent = field("slug").value.trim();
    }

    ["title", "slug", "lead", "seo_description"].forEach(function (name) {
      if (field(name)) field(name).addEventListener("input", update);
    });
    // The slug is filled in from the headline by the admin's own script, without an event.
    if (field("title")) field("title").addEventListener("keyup", update);

    var upload = field("image");
    if (upload && upload.type === "file" && window.FileReader) {
      upload.addEventListener("change", function () {
        var file = upload.files && upload.files[0];
        if (!file || !/^image\//.test(file.type)) return;
        var reader = new FileReader();
        reader.onload = function () {
          part("image").src = reader.result;
          part("image-box").classList.remove("share-preview__image--logo");
          var none = part("no-image");
          if (none) none.hidden = true;
        };
        reader.readAsDataURL(file);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
