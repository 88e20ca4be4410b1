/* Behaviour every page shares, kept out of the markup: the CSP refuses inline handlers.
 *
 * <select data-submit-on-change> sends its form when a choice is made (the language menu);
 * <button data-print> prints the page (the SOP document).
 */
(function () {
  "use strict";
  document.querySelectorAll("[data-submit-on-change]").forEach((field) => {
    field.addEventListener("change", () => field.form.submit());
  });
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
})();
