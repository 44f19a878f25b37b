// What Flask-Admin's inline handlers did, now that pages run no inline script
// (Content-Security-Policy; admin_views/csp.py turns the handlers into these data- attributes).
document.addEventListener('click', function (event) {
  var target = event.target.closest('a[href="#"], [data-model-action], [data-confirm], [data-inline-field]');
  if (!target) {
    return;
  }
  if (target.matches('a[href="#"]')) {
    event.preventDefault();  // a menu toggle, a filter name, the current page's number
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
});
