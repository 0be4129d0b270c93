// 「印刷」 buttons print the page (print.css lays a category table out on A4 landscape).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
