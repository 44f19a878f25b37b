// The citizen's pages work without script; this only adds a print button's action (the CSP
// allows no inline handler).
document.querySelectorAll('[data-print]').forEach(function (button) {
  button.addEventListener('click', function () { window.print(); });
});
