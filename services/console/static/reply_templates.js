// Reply templates: the chosen template's text (in the member's language) goes into the reply
// box where the cursor is, or replaces an empty box; the box then tells the page it changed
// (so the draft is kept) and takes the focus. Without this script the picker stays hidden.
(function () {
  "use strict";
  function insert(box, text) {
    if (!box.value.trim()) {
      box.value = text;
    } else {
      var start = box.selectionStart || 0;
      var end = box.selectionEnd || start;
      box.value = box.value.slice(0, start) + text + box.value.slice(end);
      box.selectionStart = box.selectionEnd = start + text.length;
    }
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  }
  function ready() {
    var block = document.getElementById("reply-templates");
    var picker = document.getElementById("reply-template");
    var button = document.getElementById("reply-template-insert");
    if (!block || !picker || !button) return;
    var box = document.getElementById(button.getAttribute("data-target"));
    if (!box) return;
    block.hidden = false;
    button.addEventListener("click", function () {
      var chosen = picker.options[picker.selectedIndex];
      if (chosen && chosen.value) insert(box, chosen.getAttribute("data-text") || "");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
