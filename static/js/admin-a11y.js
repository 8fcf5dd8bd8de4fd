// Names for the admin controls that scripts draw and that screen readers (and axe) found
// unnamed: the rich-text editor (django-prose-editor), the autocomplete boxes (select2) and the
// fields of a tabular inline's rows. Each takes its field's own label. Run again whenever the
// page changes: select2 redraws its parts on every choice, inlines add rows.
(function () {
  "use strict";

  function labelFor(id) {
    const label = id && document.querySelector(`label[for="${CSS.escape(id)}"]`);
    return label ? label.textContent.trim().replace(/:$/, "") : "";
  }

  function name(element, text) {
    if (text && !element.hasAttribute("aria-label") && !element.hasAttribute("aria-labelledby")) {
      element.setAttribute("aria-label", text);
    }
  }

  function label() {
    document.querySelectorAll(".ProseMirror[contenteditable]").forEach((editor) => {
      let around = editor.parentElement;
      while (around && !around.querySelector("textarea")) around = around.parentElement;
      if (around) name(editor, labelFor(around.querySelector("textarea").id));
    });
    document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
      const box = select.nextElementSibling;
      if (!box || !box.classList.contains("select2")) return;
      const text = labelFor(select.id);
      box.querySelectorAll(".select2-selection, .select2-search__field").forEach((el) => name(el, text));
      // The single choice's text box: select2 names it by its (empty) placeholder.
      box.querySelectorAll(".select2-selection__rendered[role=textbox]").forEach((el) => {
        if (!el.textContent.trim()) el.setAttribute("aria-label", text);
      });
      // select2 puts its "clear" <span> inside the <ul> of choices: a list holds items only, so
      // it moves out, beside the list (its click is handled on the box). select2 draws a new one
      // on every change, and none when nothing is chosen: the one moved before goes then.
      box.querySelectorAll("ul.select2-selection__rendered").forEach((list) => {
        const strays = list.querySelectorAll(":scope > :not(li)");
        if (strays.length || !list.querySelector(".select2-selection__choice")) {
          list.parentElement
            .querySelectorAll(":scope > .select2-selection__clear")
            .forEach((old) => old.remove());
        }
        strays.forEach((el) => list.before(el));
      });
    });
    document.querySelectorAll(".tabular td[class*='field-']").forEach((cell) => {
      const column = [...cell.classList].find((c) => c.startsWith("field-")).slice(6);
      const header = cell.closest("table").querySelector(`thead th.column-${CSS.escape(column)}`);
      if (!header) return;
      cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach((control) => {
        if (!control.labels || !control.labels.length) name(control, header.textContent.trim());
      });
    });
  }

  new MutationObserver(label).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", label);
})();
