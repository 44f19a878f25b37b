// Dates, times and files in Indonesian, whatever the browser's language (the pages work
// without this; the CSP allows no inline script, so it runs from here):
// - a date or time input (data-input, drawn by models/inputs.py as text: hh-bb-tttt, jj.mm)
//   gets its separators as digits are typed, so a phone's number pad is enough, and a value
//   the browser refuses is explained in Indonesian (the server's message, data-message);
// - a required field left empty is explained in Indonesian too;
// - a file input becomes a button "Pilih berkas" and the names chosen ("Belum ada berkas
//   dipilih" before); the browser's own input stays in the page, unseen, to do the choosing.
(function () {
  'use strict';

  var MASKS = {date: '99-99-9999', time: '99.99', moment: '99-99-9999 99.99'};
  var NONE_CHOSEN = 'Belum ada berkas dipilih';

  // Whether `value` is the start of `mask`: a digit where the mask has 9, its separator elsewhere.
  function fitsMask(value, mask) {
    if (value.length > mask.length) {
      return false;
    }
    for (var i = 0; i < value.length; i++) {
      var ok = mask[i] === '9' ? /\d/.test(value[i]) : value[i] === mask[i];
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  function typedInput(input) {
    var mask = MASKS[input.dataset.input];
    input.addEventListener('input', function (event) {
      input.setCustomValidity('');
      // Only one character typed at the end of what fits the office's form so far: a paste,
      // a deletion, an edit in the middle or another form (ISO 2026-12-02, 14:30, 2/12/2026)
      // is left as it is; the server reads those too.
      var typed = event.data || '';
      var value = input.value;
      if (event.inputType !== 'insertText' || typed.length !== 1 ||
          input.selectionEnd !== value.length) {
        return;
      }
      var before = value.slice(0, -1);
      var at = before.length;
      if (!fitsMask(before, mask)) {
        return;
      }
      if (/\d/.test(typed)) {
        if (mask[at] && mask[at] !== '9') {  // a digit where a separator belongs: it goes first
          value = before + mask[at] + typed;
        }
        var next = mask[value.length];
        if (next && next !== '9') {  // a group is complete: its separator follows at once
          value += next;
        }
      } else if (at > 0 && mask[at - 1] !== '9') {  // a separator after the one put already
        value = before;
      }
      if (value !== input.value) {
        input.value = value;
      }
    });
    input.addEventListener('invalid', function () {
      if (input.validity.patternMismatch) {
        input.setCustomValidity(input.dataset.message);
      }
    });
  }

  function requiredField(field) {
    field.addEventListener('invalid', function () {
      if (field.validity.valueMissing) {
        field.setCustomValidity(field.type === 'checkbox' ? 'Centang isian ini.'
          : field.type === 'file' ? 'Pilih berkas.' : 'Isian ini wajib diisi.');
      }
    });
    field.addEventListener(field.type === 'checkbox' || field.type === 'file' ? 'change' : 'input',
      function () { field.setCustomValidity(''); });
  }

  function labelText(input) {
    var label = input.id && document.querySelector('label[for="' + input.id + '"]');
    return label ? label.textContent.replace(/\s+/g, ' ').trim() : '';
  }

  function filePicker(input) {
    var wrap = document.createElement('span');
    wrap.className = 'file-pick';
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'file-pick-button btn btn-outline-secondary btn-sm';
    button.textContent = 'Pilih berkas';
    var names = document.createElement('span');
    names.className = 'file-pick-names';
    names.id = (input.id || input.name) + '-dipilih';
    names.setAttribute('aria-live', 'polite');
    var label = labelText(input);
    if (label) {
      button.setAttribute('aria-label', 'Pilih berkas: ' + label);
    }
    button.setAttribute('aria-describedby', names.id);

    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    wrap.appendChild(button);
    wrap.appendChild(names);
    input.classList.add('file-pick-native');
    input.tabIndex = -1;
    input.setAttribute('aria-hidden', 'true');

    function show() {
      var chosen = Array.prototype.map.call(input.files || [], function (file) {
        return file.name;
      });
      names.textContent = chosen.length ? chosen.join(', ') : NONE_CHOSEN;
      wrap.classList.toggle('file-pick-chosen', chosen.length > 0);
    }
    button.addEventListener('click', function () { input.click(); });
    input.addEventListener('change', show);
    input.form && input.form.addEventListener('reset', function () { setTimeout(show, 0); });
    show();
  }

  function enhance(root) {
    root.querySelectorAll('input[data-input]').forEach(function (input) {
      if (MASKS[input.dataset.input] && !input.dataset.typed) {
        input.dataset.typed = '1';
        typedInput(input);
      }
    });
    root.querySelectorAll('input[required], select[required], textarea[required]')
      .forEach(function (field) {
        if (!field.dataset.requiredSaid) {
          field.dataset.requiredSaid = '1';
          requiredField(field);
        }
      });
    root.querySelectorAll('input[type=file]').forEach(function (input) {
      if (!input.closest('.file-pick')) {
        filePicker(input);
      }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { enhance(document); });
  } else {
    enhance(document);
  }
})();
