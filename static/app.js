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

// Typed work is kept in this browser until the server has it: every form marked
// `data-draft` saves what is typed (never passwords, files or hidden fields) under the
// official's id and the form's key. When the same form opens again for the same version of
// the complaint — after a session timeout and a new login, a lost cookie, a crash — what was
// typed comes back, with a note and a way to drop it. The server names the drafts it saved
// (meta drafts-saved, admin_views/base.py: draft_saved) and they are forgotten here; a
// logout forgets them all; none lives longer than three days.
var drafts = (function () {
  var PREFIX = 'draft:';
  var KEEP_MS = 3 * 24 * 60 * 60 * 1000;
  var store;
  try {
    store = window.localStorage;
    store.getItem(PREFIX);
  } catch (e) {
    return {restored: function () { return null; }};
  }

  function keys() {
    var found = [];
    for (var i = 0; i < store.length; i++) {
      if (store.key(i).indexOf(PREFIX) === 0) {
        found.push(store.key(i));
      }
    }
    return found;
  }

  function read(key) {
    try {
      return JSON.parse(store.getItem(key));
    } catch (e) {
      return null;
    }
  }

  keys().forEach(function (key) {
    var draft = read(key);
    if (!draft || Date.now() - draft.at > KEEP_MS) {
      store.removeItem(key);
    }
  });
  document.querySelectorAll('form[data-forget-drafts]').forEach(function (form) {
    form.addEventListener('submit', function () {
      keys().forEach(function (key) { store.removeItem(key); });
    });
  });
  var owner = document.querySelector('meta[name="draft-owner"]');
  if (!owner) {
    return {restored: function () { return null; }};
  }
  var mine = PREFIX + owner.content + ':';
  keys().forEach(function (key) {  // another official's, on a shared computer: not kept
    if (key.indexOf(mine) !== 0) {
      store.removeItem(key);
    }
  });
  var saved = document.querySelector('meta[name="drafts-saved"]');
  if (saved) {
    saved.content.split(' ').forEach(function (prefix) {
      keys().forEach(function (key) {
        if (key.indexOf(mine + prefix) === 0) {
          store.removeItem(key);
        }
      });
    });
  }

  function typedFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== 'csrf_token' && !el.disabled &&
        ['hidden', 'password', 'file', 'submit', 'button', 'reset'].indexOf(el.type) < 0;
    });
  }

  function valuesOf(form) {
    var values = {};
    typedFields(form).forEach(function (el) {
      if (el.type === 'checkbox' || el.type === 'radio') {
        values[el.name] = values[el.name] || [];
        if (el.checked) {
          values[el.name].push(el.value);
        }
      } else if (el.multiple) {
        values[el.name] = Array.prototype.filter.call(el.options, function (o) {
          return o.selected;
        }).map(function (o) { return o.value; });
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function fill(form, values) {
    typedFields(form).forEach(function (el) {
      if (!(el.name in values)) {
        return;
      }
      var value = values[el.name];
      if (el.type === 'checkbox' || el.type === 'radio') {
        el.checked = value.indexOf(el.value) >= 0;
      } else if (el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = value.indexOf(o.value) >= 0;
        });
      } else {
        el.value = value;
      }
      el.dispatchEvent(new Event('change', {bubbles: true}));
    });
  }

  function versionOf(form) {
    return form.elements.version ? form.elements.version.value : '';
  }

  function note(form, draft, key) {
    var box = document.createElement('div');
    box.className = 'alert alert-info draft-restored';
    box.setAttribute('role', 'status');
    var when = new Date(draft.at).toLocaleString('id-ID', {
      day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit'});
    box.textContent = 'Isian yang belum tersimpan (diketik ' + when + ') dipulihkan dari ' +
      'peramban ini. Periksa, lalu simpan. ';
    var drop = document.createElement('button');
    drop.type = 'button';
    drop.className = 'btn btn-link btn-sm p-0 align-baseline';
    drop.textContent = 'Buang isian ini';
    drop.addEventListener('click', function () {
      store.removeItem(key);
      form.reset();
      box.remove();
    });
    box.appendChild(drop);
    form.insertBefore(box, form.firstChild);
  }

  var restored = [];
  document.querySelectorAll('form[data-draft]').forEach(function (form) {
    var key = mine + form.dataset.draft;
    var marker = document.createElement('input');  // tells the server this form is kept
    marker.type = 'hidden';
    marker.name = '_kept';
    marker.value = '1';
    form.appendChild(marker);
    var draft = read(key);
    if (draft && draft.version !== versionOf(form)) {
      store.removeItem(key);  // typed for a step that is no longer open
      draft = null;
    }
    if (draft && JSON.stringify(draft.values) !== JSON.stringify(valuesOf(form))) {
      fill(form, draft.values);
      note(form, draft, key);
      restored.push(form);
    }
    var keep = function () {
      store.setItem(key, JSON.stringify({at: Date.now(), version: versionOf(form),
                                         values: valuesOf(form)}));
    };
    form.addEventListener('input', keep);
    form.addEventListener('change', function (event) {
      if (event.isTrusted) {
        keep();
      }
    });
  });
  return {restored: function () { return restored[0] || null; }};
})();

// One form at a time: the outcomes a step offers are a choice (links, so the choice works
// without script too: the server draws the chosen form and hides the others); here a click
// switches at once. A draft brought back shows its own outcome's form.
(function () {
  var choice = document.getElementById('pilih-hasil');
  if (!choice) {
    return;
  }
  var links = choice.querySelectorAll('a[data-outcome]');
  function show(code) {
    document.querySelectorAll('form[data-outcome]').forEach(function (form) {
      form.hidden = form.dataset.outcome !== code;
    });
    links.forEach(function (link) {
      var chosen = link.dataset.outcome === code;
      link.classList.toggle('active', chosen);
      link.setAttribute('aria-current', chosen ? 'true' : 'false');
    });
  }
  links.forEach(function (link) {
    link.addEventListener('click', function (event) {
      event.preventDefault();
      show(link.dataset.outcome);
      if (window.history.replaceState) {
        window.history.replaceState(null, '', link.href);
      }
      var first = document.querySelector('form[data-outcome="' + link.dataset.outcome + '"]' +
                                         ' textarea, form[data-outcome="' +
                                         link.dataset.outcome + '"] input[type=text]');
      if (first) {
        first.focus({preventScroll: true});
      }
    });
  });
  var restored = drafts.restored();
  if (restored && restored.dataset.outcome && !choice.dataset.failed) {
    show(restored.dataset.outcome);
  }
})();

// An answer letter started from a template (master data, filled for the complaint by the
// server): picking one fills Hal and the body; a body already written is replaced only
// when the official agrees.
document.querySelectorAll('select[data-answer-template]').forEach(function (select) {
  select.addEventListener('change', function () {
    var option = select.selectedOptions[0];
    var form = select.form;
    if (!option || !option.value) {
      return;
    }
    var body = form.elements.body;
    var subject = form.elements.subject;
    if (body.value.trim() && body.value !== option.dataset.body &&
        !window.confirm('Ganti isi jawaban yang sudah ditulis dengan templat ini?')) {
      select.value = '';
      return;
    }
    subject.value = option.dataset.subject;
    body.value = option.dataset.body;
    body.dispatchEvent(new Event('input', {bubbles: true}));  // kept as a draft
    body.focus();
  });
});

// An export job's page (templates/admin/export_job.html): the progress bar follows the job
// every two seconds until it has ended, then shows the download (or the failure).
(function () {
  var card = document.getElementById('ekspor');
  if (!card) return;
  var bar = document.getElementById('ekspor-bar');
  var dots = function (n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.'); };
  function show(data) {
    document.getElementById('ekspor-status').textContent = data.label;
    bar.style.width = data.percent + '%';
    bar.setAttribute('aria-valuenow', data.percent);
    bar.textContent = data.percent + '%';
    var text = dots(data.rows) + ' dari ' + dots(data.total) + ' baris';
    if (data.seconds_left) text += ', sisa waktu sekitar ' + data.seconds_left + ' detik';
    document.getElementById('ekspor-baris').textContent = text + '.';
    var error = document.getElementById('ekspor-galat');
    error.hidden = !data.error;
    error.textContent = data.error || '';
    var running = data.status === 'queued' || data.status === 'running';
    if (!running) {
      bar.classList.remove('progress-bar-striped', 'progress-bar-animated');
      ['ekspor-batal', 'ekspor-catatan'].forEach(function (id) {
        var element = document.getElementById(id);
        if (element) element.hidden = true;
      });
    }
    if (data.download) document.getElementById('ekspor-unduh').hidden = false;
    return running;
  }
  function poll() {
    fetch(card.dataset.progress, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && show(data)) setTimeout(poll, 2000); })
      .catch(function () { setTimeout(poll, 5000); });
  }
  if (card.dataset.running) setTimeout(poll, 1000);
})();
