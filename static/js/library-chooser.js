// The media library's chooser, opened by the rich-text editor's "Browse…" button: "Insert"
// hands the chosen image to the editor (its CKEditor-style file-browser callback) and closes
// the window. Without a window that opened it, the buttons stay hidden: a plain list.
(function () {
  "use strict";
  var main = document.querySelector("[data-chooser-callback]");
  var callback = main && main.getAttribute("data-chooser-callback");
  var opener = window.opener;
  if (!callback || !opener || !opener.CKEDITOR || !opener.CKEDITOR.tools) return;
  document.querySelectorAll("[data-choose-image]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      // The caption and description stay empty: the page shows the library's own, so that a
      // correction in the library reaches every article. A caption typed in the editor wins.
      opener.CKEDITOR.tools.callFunction(Number(callback), button.getAttribute("data-src"), {
        id: button.getAttribute("data-choose-image"),
        alternative_text: "",
        caption: "",
      });
      window.close();
    });
  });
})();
