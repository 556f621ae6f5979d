// gleaner explain: filters and the reasons of a block (no network, no libraries).
(function () {
  "use strict";
  var blocks = Array.prototype.slice.call(document.querySelectorAll(".block"));
  var buttons = Array.prototype.slice.call(document.querySelectorAll(".filters button"));
  var shown = document.getElementById("shown");

  function matches(block, filter) {
    if (filter === "all") return true;
    if (filter === "kept") return block.dataset.kept === "true";
    if (filter === "dropped") return block.dataset.kept === "false";
    return filter === "label:" + block.dataset.label;
  }

  function apply(filter) {
    var count = 0;
    blocks.forEach(function (block) {
      var show = matches(block, filter);
      block.hidden = !show;
      if (show) count += 1;
    });
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.filter === filter));
    });
    shown.textContent = "Showing " + count + " of " + blocks.length + " blocks.";
  }

  function toggle(block) {
    var open = !block.classList.contains("open");
    block.classList.toggle("open", open);
    block.setAttribute("aria-expanded", String(open));
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () { apply(button.dataset.filter); });
  });
  blocks.forEach(function (block) {
    block.addEventListener("click", function (event) {
      if (event.target.closest(".why")) return;
      toggle(block);
    });
    block.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        toggle(block);
      }
    });
  });
  apply("all");
})();
