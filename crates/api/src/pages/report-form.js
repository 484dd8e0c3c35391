// rops-hub: checks a report form's values as they are typed, with the rules the server
// applies (whole numbers for counts, złoty with at most two decimals, a value never above the
// one it is bounded by). The server's answer stays authoritative: this only says sooner.
(function () {
  'use strict';
  var group = '[\\u0020\\u00a0\\u202f\\u2009]';
  var count = new RegExp('^(\\d{1,3}(' + group + '\\d{3})+|\\d+)$');
  var money = new RegExp('^(\\d{1,3}(' + group + '\\d{3})+|\\d+)([,.]\\d{1,2})?$');

  function number(text) {
    return Number(text.replace(/[\u0020\u00a0\u202f\u2009]/g, '').replace(',', '.'));
  }

  function problem(input) {
    var text = input.value.trim();
    if (text === '') return '';
    var unit = input.getAttribute('data-unit');
    if (text.charAt(0) === '-') return text + ' jest ujemne; wartości muszą być równe 0 lub większe';
    if (unit === 'pln' ? !money.test(text) : !count.test(text)) {
      return unit === 'pln'
        ? '„' + text + '” nie jest kwotą; wpisz np. 1 234 567,89'
        : '„' + text + '” nie jest liczbą całkowitą; wpisz np. 12';
    }
    var bound = input.getAttribute('data-at-most');
    var other = bound && document.getElementById('v-' + bound);
    if (other && other.value.trim() !== '' && !problem(other) && number(text) > number(other.value)) {
      return text + ' przekracza ' + bound + ' (' + other.value.trim() + ')';
    }
    return '';
  }

  function show(input) {
    var id = input.id + '-live';
    var note = document.getElementById(id);
    var message = problem(input);
    if (!note) {
      note = document.createElement('p');
      note.id = id;
      note.className = 'field-error live';
      note.setAttribute('aria-live', 'polite');
      input.parentNode.appendChild(note);
      var described = input.getAttribute('aria-describedby');
      input.setAttribute('aria-describedby', described ? described + ' ' + id : id);
    }
    note.textContent = message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else if (!document.getElementById(input.id + '-error')) input.removeAttribute('aria-invalid');
  }

  var inputs = document.querySelectorAll('input[data-unit]');
  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener('input', function () {
      show(input);
      // A bound's change may settle or raise the check of what it bounds.
      Array.prototype.forEach.call(document.querySelectorAll('input[data-at-most="' + input.name.slice(7, -1) + '"]'), show);
    });
  });
})();
