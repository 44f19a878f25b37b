// What Flask-Admin's inline handlers did, now that pages run no inline script
// (Content-Security-Policy; admin_views/csp.py turns the handlers into these data- attributes).
// Listening in the capture phase: before any library's handler can stop the click.
document.addEventListener('click', function (event) {
  var target = event.target.closest(
    'a[href="#"], a[href^="javascript:"], [data-model-action], [data-confirm], [data-inline-field]');
  if (!target) {
    return;
  }
  if (target.matches('a[href="#"], a[href^="javascript:"]')) {
    // A menu toggle, a filter name, the current page's number; Select2 writes
    // javascript:void(0) links of its own, which the policy would refuse to follow.
    event.preventDefault();
  }
  if (target.dataset.modelAction) {
    modelActions.execute(target.dataset.modelAction);
  }
  if (target.dataset.confirm && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
  }
  if (target.dataset.inlineField) {
    faForm.addInlineField(target, target.dataset.inlineField);
  }
}, true);

// A button that prints the page (the citizen's receipt): no inline handler under the CSP.
document.querySelectorAll('[data-print]').forEach(function (button) {
  button.addEventListener('click', function () { window.print(); });
});

// A button that copies a text box (the follow-up to post on SP4N-LAPOR!); the box stays
// selectable by hand where the clipboard is not allowed.
document.querySelectorAll('[data-copy]').forEach(function (button) {
  button.addEventListener('click', function () {
    var box = document.getElementById(button.dataset.copy);
    box.select();
    if (navigator.clipboard) {
      navigator.clipboard.writeText(box.value).then(function () {
        button.textContent = 'Tersalin';
      });
    }
  });
});

// A row of a complaint list opens its complaint wherever it is clicked, not only on the small
// folder icon; a click on a link, a box or a button in the row keeps doing its own thing.
document.querySelectorAll('table.model-list tbody tr').forEach(function (row) {
  var open = row.querySelector('a[title="Buka pengaduan"]');
  if (!open) {
    return;
  }
  row.classList.add('row-opens');
  row.addEventListener('click', function (event) {
    if (event.target.closest('a, input, button, label, select, textarea')) {
      return;
    }
    if (window.getSelection && String(window.getSelection()).length) {
      return;  // selecting text to copy is not a click to open
    }
    window.location.href = open.href;
  });
});
