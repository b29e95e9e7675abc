/*
 * Sortable and filterable comparison tables for the living review.
 *
 * Progressive enhancement of every table inside <div class="lr-table">:
 *
 *   <div class="lr-table" data-filters="Setting,Regimen class"
 *        data-caption="Second-line outcomes" markdown>
 *   | Study | Arm | Setting | ... |
 *   </div>
 *
 * - data-caption (optional): becomes the table's <caption>.
 * - data-filters (optional): comma-separated names (case-insensitive), each
 *   getting a <select> filter above the table: a column's header text, or a
 *   facet that rows carry as <span data-facet="Name" data-value="…"> in any
 *   cell (a row may carry several values of one facet).
 * - In a cell, <span data-sort="12.5"> gives the number the column sorts by
 *   (e.g. a median in days, sorted in months, shown as stated) and
 *   <span data-filter="…"> the value a column filter offers (e.g. the design a
 *   badge belongs to).
 * - Every cell gets data-label, its column's header, which the phone layout
 *   (tables.css) shows in front of the cell's value.
 * - data-id (optional): short key used for the filter state in the query
 *   string; defaults to "lr<N>" (N = position of the table on the page).
 *
 * Sorting follows the WAI-ARIA APG "Sortable Table" pattern. Without
 * JavaScript the table stays the plain, complete table.
 * Plain ES2017, no dependencies, no globals.
 */
(function () {
  'use strict';

  var ENHANCED = 'lrEnhanced';            // data-lr-enhanced on the <table>
  var INTERACTIVE = 'a[href], button, input, select, textarea, details, [tabindex]';
  var STRIP = 'sup[id^="fnref"], a.footnote-ref, .lr-flag, .lr-sort-icon, .lr-visually-hidden';
  var MISSING = /^(?:[-\u2010-\u2015\u2212]+|n\.?\s?r\.?|n\/r|n\.?\s?a\.?|n\/a|n\.?\s?e\.?|not (?:reached|reported|available|estimable|evaluable|assessed|done|applicable)|none reported|unknown)(?=$|[\s(\[,;:])/i;
  var NUMBER = /(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d+)(?:\.\d+)?|\.\d+/;
  var LEADING = /^[\s<>\u2264\u2265~\u2248\u00b1+\-\u2212(]*$/;

  var uid = 0;
  var collator = makeCollator();

  function makeCollator() {
    var lang = document.documentElement.getAttribute('lang') || undefined;
    try {
      return new Intl.Collator(lang, { numeric: true, sensitivity: 'base' });
    } catch (e) {
      return new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
    }
  }

  /* ---------- cell values ---------- */

  // Visible text of a cell without footnote markers, flags or our own additions.
  function cellText(cell) {
    if (!cell) return '';
    var clone = cell.cloneNode(true);
    var extra = clone.querySelectorAll(STRIP);
    for (var i = 0; i < extra.length; i++) extra[i].remove();
    return clone.textContent.replace(/\s+/g, ' ').trim();
  }

  function isMissing(text) {
    return text === '' || MISSING.test(text);
  }

  // First number in the text: {value, leading} or null. "<1%" sorts just below 1.
  function firstNumber(text) {
    var m = NUMBER.exec(text);
    if (m) {
      var value = parseFloat(m[0].replace(/,/g, ''));
      var before = text.slice(0, m.index);
      var prev = before.slice(-1);
      var prev2 = before.slice(-2, -1);
      if ((prev === '-' || prev === '\u2212') && !/[\w.]/.test(prev2)) value = -value;
      var comparator = before.replace(/[\s\-\u2212]+$/, '').slice(-1);
      var nudge = Math.max(1, Math.abs(value)) * 1e-9;
      if (comparator === '<') value -= nudge;
      else if (comparator === '>') value += nudge;
      return { value: value, leading: LEADING.test(before) };
    }
    return null;
  }

  // Facet values a row carries: {name (lower case): [values]}.
  function facetsOf(row) {
    var found = {};
    var marks = row.querySelectorAll('[data-facet]');
    for (var i = 0; i < marks.length; i++) {
      var name = marks[i].getAttribute('data-facet').trim().toLowerCase();
      var value = (marks[i].getAttribute('data-value') || marks[i].textContent).replace(/\s+/g, ' ').trim();
      (found[name] = found[name] || []).push(value);
    }
    return found;
  }

  /* ---------- small DOM helpers ---------- */

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    }
    if (text != null) node.textContent = text;
    return node;
  }

  function sortIcon() {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'lr-sort-icon');
    svg.setAttribute('viewBox', '0 0 10 16');
    svg.setAttribute('width', '10');
    svg.setAttribute('height', '16');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    [['lr-sort-icon__asc', 'M5 1.5 9.5 7h-9z'], ['lr-sort-icon__desc', 'M5 14.5.5 9h9z']].forEach(function (p) {
      var path = document.createElementNS(ns, 'path');
      path.setAttribute('class', p[0]);
      path.setAttribute('d', p[1]);
      svg.appendChild(path);
    });
    return svg;
  }

  function slug(text) {
    return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'col';
  }

  // The child of the .lr-table div that contains the table (Material may wrap it).
  function outerOf(table, box) {
    var node = table;
    while (node.parentElement && node.parentElement !== box) node = node.parentElement;
    return node.parentElement === box ? node : table;
  }

  /* ---------- URL state (query string only; the hash belongs to footnotes) ---------- */

  function readParam(name) {
    try { return new URLSearchParams(window.location.search).get(name); } catch (e) { return null; }
  }

  function writeParams(changes) {
    try {
      var params = new URLSearchParams(window.location.search);
      Object.keys(changes).forEach(function (name) {
        if (changes[name] == null) params.delete(name); else params.set(name, changes[name]);
      });
      var query = params.toString();
      var url = window.location.pathname + (query ? '?' + query : '') + window.location.hash;
      window.history.replaceState(window.history.state, '', url);
    } catch (e) { /* file:// or sandboxed: the state simply is not kept */ }
  }

  /* ---------- one table ---------- */

  function enhance(table, position) {
    if (table.dataset[ENHANCED]) return;
    var box = table.closest('div.lr-table');
    var head = table.tHead;
    var body = table.tBodies[0];
    if (!box || !head || !body || !head.rows.length) return;
    table.dataset[ENHANCED] = 'true';

    var n = ++uid;
    var key = box.getAttribute('data-id') || 'lr' + position;
    var headers = Array.prototype.slice.call(head.rows[head.rows.length - 1].cells);
    var labels = headers.map(cellText);
    var rows = Array.prototype.slice.call(body.rows);

    // Per-row cached values: text, filter value and number per column.
    var data = rows.map(function (row, index) {
      var cells = labels.map(function (_, col) {
        var cell = row.cells[col];
        var text = cellText(cell);
        var missing = isMissing(text);
        var sortAt = cell && cell.querySelector('[data-sort]');
        var filterAt = cell && cell.querySelector('[data-filter]');
        var num = missing ? null : firstNumber(text);
        if (sortAt && !missing) {
          var given = parseFloat(sortAt.getAttribute('data-sort'));
          num = isNaN(given) ? null : { value: given, leading: true };
        }
        if (cell && labels[col]) cell.setAttribute('data-label', labels[col]);
        return { text: text, key: filterAt ? filterAt.getAttribute('data-filter') : text, missing: missing, num: num };
      });
      return { row: row, index: index, cells: cells, facets: facetsOf(row) };
    });

    // A column is numeric when most of its non-missing cells start with a number.
    var numeric = labels.map(function (_, col) {
      var present = 0, leading = 0;
      data.forEach(function (d) {
        var c = d.cells[col];
        if (c.missing) return;
        present++;
        if (c.num && c.num.leading) leading++;
      });
      return leading > 0 && leading * 2 > present;
    });

    /* caption */
    var captionText = (box.getAttribute('data-caption') || '').trim();
    if (captionText && !table.caption) {
      var caption = table.createCaption();
      caption.appendChild(el('span', { 'class': 'lr-caption__text' }, captionText));
    }
    var name = captionText || (table.caption ? cellText(table.caption) : '') || 'table';

    /* controls, inserted before the table (or Material's wrapper around it) */
    var anchor = outerOf(table, box);
    var announcer = el('div', { 'class': 'lr-visually-hidden', 'aria-live': 'polite', 'aria-atomic': 'true' });
    box.insertBefore(announcer, anchor);

    /* ---------- sorting ---------- */

    var sortCol = -1, sortDir = 'ascending';
    var buttons = [];

    headers.forEach(function (th, col) {
      var button = el('button', { type: 'button', 'class': 'lr-sort' });
      var label = el('span', { 'class': 'lr-sort__label' });
      var trailing = [];
      Array.prototype.slice.call(th.childNodes).forEach(function (node) {
        if (node.nodeType === 1 && (node.matches(INTERACTIVE) || node.querySelector(INTERACTIVE))) {
          trailing.push(node);   // links may not sit inside a button
        } else {
          label.appendChild(node);
        }
      });
      if (!label.textContent.trim()) label.textContent = labels[col] || 'Column ' + (col + 1);
      button.appendChild(label);
      button.appendChild(sortIcon());
      th.insertBefore(button, th.firstChild);
      trailing.forEach(function (node) { th.appendChild(node); });
      th.classList.add('lr-sortable');
      th.removeAttribute('aria-sort');
      button.addEventListener('click', function () {
        sortBy(col, sortCol === col && sortDir === 'ascending' ? 'descending' : 'ascending');
      });
      buttons.push(button);
    });

    if (table.caption) {
      table.caption.appendChild(el('span', { 'class': 'lr-visually-hidden' },
        ' (column headers with buttons are sortable)'));
    }

    function compare(a, b, col, sign) {
      var x = a.cells[col], y = b.cells[col];
      // Missing values last in both directions, in original order.
      if (x.missing !== y.missing) return x.missing ? 1 : -1;
      if (x.missing) return a.index - b.index;
      var result = 0;
      if (numeric[col]) {
        if (!x.num !== !y.num) return x.num ? -1 : 1;     // numbers before text
        if (x.num) result = x.num.value - y.num.value;
      }
      if (result === 0 && !(numeric[col] && x.num)) result = collator.compare(x.text, y.text);
      if (result !== 0) return sign * (result < 0 ? -1 : 1);
      return a.index - b.index;                           // stable
    }

    function sortBy(col, dir) {
      sortCol = col;
      sortDir = dir;
      var sign = dir === 'ascending' ? 1 : -1;
      var ordered = data.slice().sort(function (a, b) { return compare(a, b, col, sign); });
      var fragment = document.createDocumentFragment();
      ordered.forEach(function (d) { fragment.appendChild(d.row); });
      body.appendChild(fragment);
      headers.forEach(function (th, i) {
        if (i === col) th.setAttribute('aria-sort', dir); else th.removeAttribute('aria-sort');
      });
      announcer.textContent = 'Sorted by ' + (labels[col] || 'column ' + (col + 1)) + ', ' + dir;
    }

    /* ---------- filtering ---------- */

    var wanted = (box.getAttribute('data-filters') || '').split(',')
      .map(function (s) { return s.trim().toLowerCase(); })
      .filter(Boolean);
    var filters = [];
    wanted.forEach(function (w) {
      var col = labels.findIndex(function (l) { return l.toLowerCase() === w; });
      if (col >= 0) {
        if (!filters.some(function (f) { return f.col === col; })) filters.push({ col: col, label: labels[col] });
        return;
      }
      var facet = rows.length && data.some(function (d) { return d.facets[w]; });
      if (facet && !filters.some(function (f) { return f.facet === w; })) {
        var shown = w;
        var named = body.querySelector('[data-facet]');
        Array.prototype.forEach.call(body.querySelectorAll('[data-facet]'), function (mark) {
          if (mark.getAttribute('data-facet').trim().toLowerCase() === w) named = mark;
        });
        if (named) shown = named.getAttribute('data-facet').trim();
        filters.push({ col: -1, facet: w, label: shown });
      }
    });
    if (!filters.length) return;

    // The values a row offers a filter: its cell's filter value, or every value of the facet it carries.
    function valuesOf(d, f) {
      if (f.facet) return d.facets[f.facet] || [''];
      return [d.cells[f.col].key];
    }

    var group = el('div', { 'class': 'lr-filters', role: 'group', 'aria-label': 'Filter ' + name });
    var status = el('p', { 'class': 'lr-filter-status', role: 'status' });

    filters.forEach(function (f, position) {
      var id = 'lr-filter-' + n + '-' + position;
      var seen = {};
      var values = [];
      data.forEach(function (d) {
        valuesOf(d, f).forEach(function (t) {
          if (!Object.prototype.hasOwnProperty.call(seen, t)) { seen[t] = true; values.push(t); }
        });
      });
      values.sort(function (a, b) {
        var ma = isMissing(a), mb = isMissing(b);
        if (ma !== mb) return ma ? 1 : -1;
        return collator.compare(a, b);
      });
      group.appendChild(filterControl(f, id, values, key + '-' + slug(f.label), function () { apply(true); }));
    });

    var reset = el('button', { type: 'button', 'class': 'lr-filter-reset' }, 'Reset filters');
    reset.addEventListener('click', function () {
      filters.forEach(function (f) { f.select.value = ''; });
      apply(true);
    });
    group.appendChild(reset);

    // "No rows match" message as a full-width footer row.
    var foot = table.tFoot || table.createTFoot();
    var emptyRow = foot.insertRow(-1);
    emptyRow.className = 'lr-empty';
    var emptyCell = el('td', { colspan: String(Math.max(1, headers.length)) });
    emptyCell.appendChild(el('span', { 'class': 'lr-empty__text' }, 'No rows match these filters.'));
    emptyRow.appendChild(emptyCell);
    emptyRow.hidden = true;

    box.insertBefore(group, anchor);
    box.insertBefore(status, anchor);

    function selected(f) {
      var i = parseInt(f.select.value, 10);
      return i > 0 ? f.values[i - 1] : null;
    }

    function apply(persist) {
      var shown = 0;
      var chosen = filters.map(selected);
      data.forEach(function (d) {
        var ok = filters.every(function (f, i) {
          return chosen[i] === null || valuesOf(d, f).indexOf(chosen[i]) >= 0;
        });
        d.row.hidden = !ok;
        if (ok) shown++;
      });
      emptyRow.hidden = shown > 0;
      var parts = ['Showing ' + shown + ' of ' + data.length + (data.length === 1 ? ' row' : ' rows')];
      filters.forEach(function (f, i) {
        parts.push(f.label + ': ' + (chosen[i] === null ? 'any' : (chosen[i] || '(empty)')));
      });
      status.textContent = parts.join(' \u00b7 ');
      if (persist) {
        var changes = {};
        filters.forEach(function (f, i) { changes[f.param] = chosen[i]; });
        writeParams(changes);
      }
    }

    table.lrReset = function () { reset.click(); };
    apply(false);
  }

  /* ---------- one filter's control, for tables and lists ---------- */

  // A labelled <select> of ``values`` ("All" first) for filter ``f``, set from the page address (``param``); sets
  // f.values, f.param and f.select, and calls ``changed`` on every choice.
  function filterControl(f, id, values, param, changed) {
    f.values = values;
    f.param = param;
    f.select = el('select', { id: id, 'class': 'lr-filter__select' });
    f.select.appendChild(el('option', { value: '' }, 'All'));
    values.forEach(function (v, i) {
      f.select.appendChild(el('option', { value: String(i + 1) }, v === '' ? '(empty)' : v));
    });
    var saved = readParam(param);
    if (saved != null && values.indexOf(saved) >= 0) f.select.value = String(values.indexOf(saved) + 1);
    var wrap = el('div', { 'class': 'lr-filter' });
    wrap.appendChild(el('label', { 'for': id, 'class': 'lr-filter__label' }, f.label));
    wrap.appendChild(f.select);
    f.select.addEventListener('change', changed);
    return wrap;
  }

  /* ---------- filterable lists (the curation notes page) ---------- */

  // <div class="lr-list" data-filters="Kind,Document"> holding .lr-list__group blocks of .lr-list__item blocks;
  // each item carries its facets as <span data-facet="Kind" data-value="…">. A group shows while any item shows.
  function enhanceList(box, n) {
    if (box.hasAttribute('data-lr-enhanced')) return;
    box.setAttribute('data-lr-enhanced', '');
    var items = Array.prototype.slice.call(box.querySelectorAll('.lr-list__item'));
    var data = items.map(function (item) { return { item: item, facets: facetsOf(item) }; });
    var filters = (box.getAttribute('data-filters') || '').split(',')
      .map(function (s) { return s.trim(); }).filter(Boolean)
      .filter(function (label) { return data.some(function (d) { return d.facets[label.toLowerCase()]; }); })
      .map(function (label) { return { label: label, facet: label.toLowerCase() }; });
    if (!filters.length) return;
    var group = el('div', { 'class': 'lr-filters', role: 'group', 'aria-label': 'Filter the list' });
    var status = el('p', { 'class': 'lr-filter-status', role: 'status' });
    filters.forEach(function (f, position) {
      var id = 'lr-list-filter-' + n + '-' + position;
      var seen = {};
      f.values = [];
      data.forEach(function (d) {
        (d.facets[f.facet] || []).forEach(function (v) {
          if (!Object.prototype.hasOwnProperty.call(seen, v)) { seen[v] = true; f.values.push(v); }
        });
      });
      f.values.sort(collator.compare);
      group.appendChild(filterControl(f, id, f.values, 'list' + n + '-' + slug(f.label), function () { apply(true); }));
    });
    var reset = el('button', { type: 'button', 'class': 'lr-filter-reset' }, 'Reset filters');
    reset.addEventListener('click', function () { filters.forEach(function (f) { f.select.value = ''; }); apply(true); });
    group.appendChild(reset);
    box.insertBefore(status, box.firstChild);
    box.insertBefore(group, status);

    function apply(persist) {
      var chosen = filters.map(function (f) { var i = parseInt(f.select.value, 10); return i > 0 ? f.values[i - 1] : null; });
      var shown = 0;
      data.forEach(function (d) {
        var ok = filters.every(function (f, i) { return chosen[i] === null || (d.facets[f.facet] || []).indexOf(chosen[i]) >= 0; });
        d.item.hidden = !ok;
        if (ok) shown++;
      });
      Array.prototype.forEach.call(box.querySelectorAll('.lr-list__group'), function (g) {
        g.hidden = !g.querySelector('.lr-list__item:not([hidden])');
      });
      var parts = ['Showing ' + shown + ' of ' + data.length + (data.length === 1 ? ' item' : ' items')];
      filters.forEach(function (f, i) { parts.push(f.label + ': ' + (chosen[i] === null ? 'any' : chosen[i])); });
      status.textContent = parts.join(' \u00b7 ');
      if (persist) {
        var changes = {};
        filters.forEach(function (f, i) { changes[f.param] = chosen[i]; });
        writeParams(changes);
      }
    }
    apply(false);
  }

  /* ---------- keep footnote links working when their row is filtered out ---------- */

  function reveal(id, scroll) {
    if (!id) return false;
    var target = document.getElementById(id);
    if (!target) return false;
    var row = target.closest('div.lr-table tr[hidden]');
    if (!row) return false;
    var table = row.closest('table');
    if (table && typeof table.lrReset === 'function') table.lrReset();
    if (scroll) target.scrollIntoView();
    return true;
  }

  function hashId(hash) {
    if (!hash || hash.length < 2) return '';
    try { return decodeURIComponent(hash.slice(1)); } catch (e) { return hash.slice(1); }
  }

  function onClick(event) {
    var link = event.target.closest && event.target.closest('a[href*="#"]');
    if (!link || link.pathname !== window.location.pathname) return;
    reveal(hashId(link.hash), false);   // default navigation then scrolls to it
  }

  /* ---------- bootstrapping ---------- */

  function enhanceAll() {
    var tables = document.querySelectorAll('div.lr-table table');
    for (var i = 0; i < tables.length; i++) {
      try {
        enhance(tables[i], i + 1);
      } catch (e) {
        // Never leave a half-usable page: report and keep the plain table.
        if (window.console) console.warn('lr-table: could not enhance table', e);
      }
    }
    var lists = document.querySelectorAll('div.lr-list');
    for (var j = 0; j < lists.length; j++) {
      try {
        enhanceList(lists[j], j + 1);
      } catch (e) {
        if (window.console) console.warn('lr-list: could not enhance list', e);
      }
    }
    reveal(hashId(window.location.hash), true);
  }

  document.addEventListener('click', onClick);
  window.addEventListener('hashchange', function () { reveal(hashId(window.location.hash), true); });

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', enhanceAll);
  } else {
    enhanceAll();
  }
  // Material's instant navigation swaps the page content and emits on document$.
  if (window.document$ && typeof window.document$.subscribe === 'function') {
    window.document$.subscribe(function () { enhanceAll(); });
  }
})();
